import type { Command } from "commander";
import { authenticate } from "../auth/authenticate.js";
import { Domain, type OpenOptions } from "../domain/domain.js";
import { describeRecovery, recoveryIsEmpty } from "../domain/recovery.js";
import { withErrorId } from "../jobs/internal-errors.js";
import type { Session } from "../services/session.js";
import type { Principal } from "../../policies/authz/principal.js";
import { globalOptions } from "./run-command.js";
import { ShuyuError, type ErrorKind } from "../../policies/errors.js";
import { auditDenied } from "../lifecycle/denials.js";

/** The command's name path, e.g. "job submit". */
function commandName(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Opens the domain named by --domain/SHUYU_DOMAIN, authenticates --token/SHUYU_TOKEN, runs `fn`, closes.
 * `readOnly` commands open the stores read-only (several at once, beside a job that released them);
 * writers run the recovery pass first and say on stderr what it repaired.
 */
export async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>, opts: Pick<OpenOptions, "readOnly" | "allowTampered"> & { remote?: RemoteRead } = {}): Promise<T> {
  const g = globalOptions(cmd);
  let domain: Domain;
  try {
    domain = await Domain.open(g.domain ?? process.env.SHUYU_DOMAIN, { readOnly: opts.readOnly, allowTampered: opts.allowTampered, command: commandName(cmd), detachable: true });
  } catch (err) {
    // `shuyu serve` keeps the stores open for its lifetime: a read-only command asks it instead.
    const url = err instanceof ShuyuError && err.code === "DOMAIN_BUSY" ? (err.details.holders as { url?: string }[] | undefined)?.find((h) => h.url)?.url : undefined;
    if (opts.remote && url) return (await readThroughServer(url, opts.remote, g.token ?? process.env.SHUYU_TOKEN)) as T;
    throw err;
  }
  if (domain.recovery && !recoveryIsEmpty(domain.recovery)) process.stderr.write(`shuyu: recovered: ${describeRecovery(domain.recovery)}\n`);
  let principal: Principal | undefined;
  try {
    principal = await authenticate(domain, g.token ?? process.env.SHUYU_TOKEN);
    return await fn({ domain, principal });
  } catch (err) {
    await auditDenied(domain, principal, err, `cli:${cmd.parent?.name() ?? ""} ${cmd.name()}`.trim());
    // An internal error's text can quote raw values: the terminal gets its id, the domain keeps the details.
    throw withErrorId(domain, err, { command: cmd.name() });
  } finally {
    domain.close();
  }
}

/** The API call answering a read-only command when `serve` holds the domain. */
export interface RemoteRead {
  method: "GET" | "POST";
  path: string;
}

async function readThroughServer(url: string, remote: RemoteRead, token: string | undefined): Promise<unknown> {
  const res = await fetch(new URL(remote.path, url), { method: remote.method, headers: { authorization: `Bearer ${token ?? ""}` } });
  const body = (await res.json()) as { error?: { code: string; kind: ErrorKind; message: string; details: Record<string, unknown> } };
  if (body && typeof body === "object" && "error" in body && body.error) throw new ShuyuError(body.error.kind, body.error.code, body.error.message, { details: body.error.details });
  return body;
}

/** Splits a comma-separated option value, dropping empty parts. */
export function csv(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

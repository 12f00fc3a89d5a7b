import type { Command } from "commander";
import { authenticate } from "../auth/authenticate.js";
import { Domain, type OpenOptions } from "../domain/domain.js";
import { describeRecovery, recoveryIsEmpty } from "../domain/recovery.js";
import { withErrorId } from "../jobs/internal-errors.js";
import type { Session } from "../services/session.js";
import { globalOptions } from "./run-command.js";

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
export async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>, opts: Pick<OpenOptions, "readOnly" | "allowTampered"> = {}): Promise<T> {
  const g = globalOptions(cmd);
  const domain = await Domain.open(g.domain ?? process.env.SHUYU_DOMAIN, { ...opts, command: commandName(cmd), detachable: true });
  if (domain.recovery && !recoveryIsEmpty(domain.recovery)) process.stderr.write(`shuyu: recovered: ${describeRecovery(domain.recovery)}\n`);
  try {
    const principal = await authenticate(domain, g.token ?? process.env.SHUYU_TOKEN);
    return await fn({ domain, principal });
  } catch (err) {
    // An internal error's text can quote raw values: the terminal gets its id, the domain keeps the details.
    throw withErrorId(domain, err, { command: cmd.name() });
  } finally {
    domain.close();
  }
}

/** Splits a comma-separated option value, dropping empty parts. */
export function csv(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

import type { Command } from "commander";
import { authenticate } from "../auth/authenticate.js";
import { Domain } from "../domain/domain.js";
import { withErrorId } from "../jobs/internal-errors.js";
import type { Session } from "../services/session.js";
import type { Principal } from "../../policies/authz/principal.js";
import { globalOptions } from "./run-command.js";
import { auditDenied } from "../lifecycle/denials.js";

/** Opens the domain named by --domain/SHUYU_DOMAIN, authenticates --token/SHUYU_TOKEN, runs `fn`, closes. */
export async function withSession<T>(cmd: Command, fn: (s: Session) => Promise<T>): Promise<T> {
  const g = globalOptions(cmd);
  const domain = await Domain.open(g.domain ?? process.env.SHUYU_DOMAIN);
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

/** Splits a comma-separated option value, dropping empty parts. */
export function csv(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

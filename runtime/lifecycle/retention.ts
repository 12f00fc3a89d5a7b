/**
 * Log retention (GZ 7: stored ≥ 5 years; HLJ 29: network logs ≥ 2 years; HB 18: ≥ 6
 * months). The domain keeps the longest, five years, for the audit chain and the HTTP
 * access logs; the chain is never pruned, and access-log files are deleted only once every
 * day they hold is older than the window. No command deletes anything inside it.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, parseInput } from "../../policies/schemas/common.js";
import { today } from "../clock.js";
import type { Session } from "../services/session.js";
import { accessLogDir } from "./access-log.js";
import { shiftDate } from "./terms.js";

/** The rules and the window the domain applies (the longest). */
export const RETENTION = {
  rules: [
    { cite: "GZ 7", what: "data and logs of authorized operation stored", minimum: "5 years" },
    { cite: "HLJ 29", what: "network logs kept after termination", minimum: "2 years" },
    { cite: "HB 18", what: "network logs kept", minimum: "6 months" },
  ],
  years: 5,
} as const;

/** The earliest day still inside the retention window today. */
export function retentionStart(d = today()): string {
  return shiftDate(d, { years: -RETENTION.years });
}

/** Refuses any deletion that reaches a day inside the window. */
export function assertOutsideRetention(day: string, what: string): void {
  const start = retentionStart();
  if (day >= start) {
    throw new ShuyuError("denied", "RETENTION_WINDOW", `${what} dated ${day} is inside the ${RETENTION.years}-year retention window (kept from ${start}; GZ 7, HLJ 29, HB 18): it cannot be deleted`, { details: { day, keptFrom: start } });
  }
}

export const PruneInput = z.object({ before: DateSchema });

/** The policy and what the domain holds under it. */
export async function retentionPolicy(s: Session): Promise<{ years: number; keptFrom: string; rules: typeof RETENTION.rules; accessLogs: string[] }> {
  authorize(s.principal, "audit.read");
  const dir = accessLogDir(s.domain.paths.dir);
  return { years: RETENTION.years, keptFrom: retentionStart(), rules: RETENTION.rules, accessLogs: existsSync(dir) ? readdirSync(dir).sort() : [] };
}

/** Deletes access-log files of days before `before`, which must itself lie outside the window. */
export async function pruneAccessLogs(s: Session, raw: unknown): Promise<{ deleted: string[] }> {
  authorize(s.principal, "logs.prune");
  const { before } = parseInput(PruneInput, raw, "prune");
  assertOutsideRetention(shiftDate(before, { days: -1 }), "an access log");
  const dir = accessLogDir(s.domain.paths.dir);
  const deleted = (existsSync(dir) ? readdirSync(dir) : []).filter((f) => /^access-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(f)?.[1] && f.slice(7, 17) < before).sort();
  for (const f of deleted) assertOutsideRetention(f.slice(7, 17), `access log ${f}`);
  return s.domain.mutate(async () => {
    for (const f of deleted) rmSync(join(dir, f));
    await s.domain.audit({ actor: s.principal.accountId, action: "logs.prune", object: "logs:access", details: { before, deleted } });
    return { deleted };
  });
}

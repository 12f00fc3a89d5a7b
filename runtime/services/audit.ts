import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { DateSchema, parseInput } from "../../policies/schemas/common.js";
import type { AuditEntry, VerifyResult } from "../audit/chain.js";
import type { Session } from "./session.js";

export const AuditFilter = z.object({
  actor: z.string().optional(),
  action: z.string().optional(),
  object: z.string().optional(),
  since: DateSchema.or(z.string().datetime()).optional(),
  until: DateSchema.or(z.string().datetime()).optional(),
  limit: z.coerce.number().int().positive().optional(),
});

/** Verifies the whole chain against the head the control store recorded (R7). */
export async function verifyAudit(s: Session): Promise<VerifyResult> {
  authorize(s.principal, "audit.verify");
  const result = await s.domain.verifyAuditChain();
  await s.domain.exclusive(() => s.domain.audit({ actor: s.principal.accountId, action: "audit.verify", object: "audit", details: { ok: result.ok, entries: result.entries, firstBadSeq: result.firstBadSeq } }));
  return result;
}

/** Lists entries filtered by actor, action (prefix), object (prefix) and time. */
export async function auditLog(s: Session, raw: unknown): Promise<AuditEntry[]> {
  authorize(s.principal, "audit.read");
  const f = parseInput(AuditFilter, raw, "filter");
  const since = f.since ? new Date(f.since).toISOString() : undefined;
  const until = f.until ? new Date(f.until.length === 10 ? f.until + "T23:59:59.999Z" : f.until).toISOString() : undefined;
  const rows = (await s.domain.auditEntries({ lenient: true })).filter(
    (e) =>
      (!f.actor || e.actor === f.actor) &&
      (!f.action || e.action === f.action || e.action.startsWith(f.action + ".")) &&
      (!f.object || e.object === f.object || e.object.startsWith(f.object)) &&
      (!since || e.time >= since) &&
      (!until || e.time <= until),
  );
  return f.limit ? rows.slice(-f.limit) : rows;
}

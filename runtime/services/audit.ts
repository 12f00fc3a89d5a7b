import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { DateSchema, parseInput } from "../../policies/schemas/common.js";
import { verifyChain, type AuditEntry, type VerifyResult } from "../audit/chain.js";
import { checkpointVerifier } from "../domain/checkpoint.js";
import { verifyPgAudit } from "../scale/pg-audit.js";
import type { Session } from "./session.js";

export const AuditFilter = z.object({
  actor: z.string().optional(),
  action: z.string().optional(),
  object: z.string().optional(),
  since: DateSchema.or(z.string().datetime()).optional(),
  until: DateSchema.or(z.string().datetime()).optional(),
  limit: z.coerce.number().int().positive().optional(),
});

/**
 * Verifies the whole chain (R7): links and hashes, the seal's checkpoint signatures, the
 * head the control store recorded (its row MAC'd), and every protected control row's MAC.
 * A torn last line is reported apart: a crash or full disk mid-append, repaired by the next write.
 */
export async function verifyAudit(s: Session): Promise<VerifyResult & { uncommittedTail?: number }> {
  authorize(s.principal, "audit.verify");
  const scan = await s.domain.auditScan();
  const anchor = await s.domain.auditAnchor();
  const { keys } = s.domain.paths;
  const result: VerifyResult & { uncommittedTail?: number } =
    s.domain.controlKind === "postgresql" ? verifyPgAudit(scan.entries, anchor, keys, s.domain.info.id) : verifyChain(scan.entries, anchor, checkpointVerifier(keys, s.domain.info.id, scan.entries));
  if (scan.tornBytes) result.tornTail = { bytes: scan.tornBytes, repairable: true };
  if (anchor && scan.entries.length > anchor.seq) result.uncommittedTail = scan.entries.length - anchor.seq;
  const control = await s.domain.scanControl();
  result.controlRows = { checked: control.rows, tampered: control.tampered.map((t) => ({ table: t.table, key: t.key, problem: t.problem })) };
  if (control.tampered.length && result.ok) {
    const t = control.tampered;
    Object.assign(result, { ok: false, problem: `${t.length} control row(s) changed outside shuyu: ${t.slice(0, 5).map((x) => `${x.table} ${x.key} (${x.problem})`).join(", ")}` });
  }
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

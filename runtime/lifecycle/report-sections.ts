import { all } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { ensureLifecycleTables } from "./schema.js";

/** An incident as the activity report lists it. */
export interface PeriodIncident {
  id: string; scope: string; target: string; reason: string; state: string; openedAt: string; openedBy: string; closedAt: string | null; deadline: string | null; report: string | null;
}

/** A purge receipt as the activity report lists it. */
export interface PeriodPurge {
  id: string; cause: string; org: string; agreement: string | null; scenarios: string[]; at: string; files: number; vaultTables: number; rows: number; sm3: string;
}

/** Incidents open at any moment of [lo, hi). */
export async function periodIncidents(s: Pick<Session, "domain">, lo: string, hi: string): Promise<PeriodIncident[]> {
  await ensureLifecycleTables(s.domain.control);
  const rows = await all<{ id: string; scope: string; target: string; reason: string; state: string; opened_at: Date; opened_by: string; closed_at: Date | null; deadline: string | null; report: string | null }>(
    s.domain.control,
    "SELECT id, scope, target, reason, state, opened_at, opened_by, closed_at, strftime(deadline, '%Y-%m-%d') AS deadline, report FROM incidents WHERE opened_at < ?::TIMESTAMP AND (closed_at IS NULL OR closed_at >= ?::TIMESTAMP) ORDER BY opened_at, id",
    [hi, lo],
  );
  return rows.map((r) => ({ id: r.id, scope: r.scope, target: r.target, reason: r.reason, state: r.state, openedAt: r.opened_at.toISOString(), openedBy: r.opened_by, closedAt: r.closed_at?.toISOString() ?? null, deadline: r.deadline, report: r.report }));
}

/** Purge receipts written in [lo, hi). */
export async function periodPurges(s: Pick<Session, "domain">, lo: string, hi: string): Promise<PeriodPurge[]> {
  await ensureLifecycleTables(s.domain.control);
  const rows = await all<{ receipt: string; receipt_sm3: string }>(s.domain.control, "SELECT receipt, receipt_sm3 FROM purge_receipts WHERE purged_at >= ?::TIMESTAMP AND purged_at < ?::TIMESTAMP ORDER BY purged_at, id", [lo, hi]);
  return rows.map((r) => {
    const p = JSON.parse(r.receipt) as { id: string; cause: string; org: string; agreement?: string; scenarios: string[]; at: string; counts: Record<string, number> };
    return { id: p.id, cause: p.cause, org: p.org, agreement: p.agreement ?? null, scenarios: p.scenarios, at: p.at, files: p.counts.files, vaultTables: p.counts.vaultTables, rows: p.counts.rows, sm3: r.receipt_sm3 };
  });
}

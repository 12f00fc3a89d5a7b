import { authorize } from "../../../policies/authz/engine.js";
import { all, ident, one } from "../../domain/db.js";
import { loadEgress } from "../../services/egress.js";
import type { Session } from "../../services/session.js";

/**
 * The first rows of a request's desensitized output tables, for the reviewer deciding
 * on it: only a reviewer allowed to review this request (another organisation) sees them.
 */
export async function egressPreview(s: Session, id: string, rows = 10): Promise<{ table: string; columns: string[]; rows: unknown[][] }[]> {
  const r = await loadEgress(s, id);
  const submitter = await one<{ org: string }>(s.domain.control, "SELECT org FROM accounts WHERE id = ?", [r.requestedBy]);
  authorize(s.principal, "egress.review", { submitterOrg: submitter?.org ?? r.org, ownerOrg: r.org });
  const out = [];
  for (const d of r.desensitization) {
    const data = await all<Record<string, unknown>>(s.domain.vault, `SELECT * FROM ${ident(d.output)} LIMIT ${Math.max(1, Math.min(100, rows))}`).catch(() => []);
    const columns = data.length ? Object.keys(data[0]) : [];
    out.push({ table: d.table, columns, rows: data.map((row) => columns.map((c) => row[c])) });
  }
  return out;
}

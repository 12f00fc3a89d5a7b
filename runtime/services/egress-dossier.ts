/**
 * What a reviewer needs to decide an egress request, in one object: the purpose, the
 * requester, the code or SQL, each output table's mark and exact row count, one page of the
 * desensitized output with the cells findings point at, and the findings sorted
 * block → review → pass. Only reviewers and the operator see it: the output is computed on
 * raw data, and the developer sees it only once it is released.
 */
import { authorize } from "../../policies/authz/engine.js";
import type { Finding } from "../../policies/disclosure/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { all, ident, one } from "../domain/db.js";
import type { StagedPart } from "../jobs/staging.js";
import { loadEgress, type EgressRequest } from "./egress.js";
import { loadJob, stagedParts } from "./jobs.js";
import { readJobCode } from "../../policies/disclosure/content/index.js";
import { loadScenario } from "./scenarios.js";
import type { Session } from "./session.js";

/** One output table as the reviewer sees it. */
export interface DossierTable {
  name: string;
  /** The staged table's mark from the ledger (`accounted-aggregate`, `accounted-rows`, `computed`), when staging recorded one. */
  mark: string | null;
  rows: number;
  columns: { name: string; type: string }[];
  page: { number: number; size: number; pages: number; rows: unknown[][] };
  /** Flagged cells on this page: `[row index within the page, column name]`, from findings' cells. */
  flagged: [number, string][];
  desensitized: { column: string; method: string }[];
}

/** The reviewer's dossier of one request. */
export interface EgressDossier {
  request: EgressRequest;
  purpose: string;
  requester: { account: string; name: string; org: string; orgName: string };
  job: { id: string; kind: string; codeSm3: string; code: string | null; params: unknown };
  tables: DossierTable[];
  findings: Finding[];
  /** True when the viewer may decide (a reviewer of another organisation, request still open, not yet reviewed by them). */
  canDecide: boolean;
}

const SEVERITY_ORDER: Record<string, number> = { block: 0, review: 1, pass: 2 };

/** Findings in the order a reviewer reads them: blocks, then reviews, then passes (stable within a severity). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings.map((f, i) => ({ f, i })).sort((a, b) => (SEVERITY_ORDER[a.f.severity] ?? 3) - (SEVERITY_ORDER[b.f.severity] ?? 3) || a.i - b.i).map((x) => x.f);
}

/** Values a finding points at, as a set of their text forms (cells may be values, rows, or `{ value }` objects). */
function flaggedValues(findings: readonly Finding[]): Set<string> {
  const out = new Set<string>();
  const add = (v: unknown) => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) v.forEach(add);
    else if (typeof v === "object") Object.values(v as Record<string, unknown>).forEach(add);
    else out.add(String(v));
  };
  for (const f of findings) if (f.severity !== "pass") add(f.cells ?? []);
  return out;
}

/** The dossier, one page of rows per table (`page` from 1, `pageSize` rows, at most 1000). */
export async function egressDossier(s: Session, id: string, opts: { page?: number; pageSize?: number } = {}): Promise<EgressDossier> {
  const r = await loadEgress(s, id);
  authorize(s.principal, "egress.read", { ownerOrg: r.org });
  if (!(s.principal.roles.includes("reviewer") || s.principal.orgKind === "operator")) {
    throw new ShuyuError("denied", "REVIEWERS_ONLY", "the output and findings of a request are shown to reviewers; a developer sees the decision and, once released, the package");
  }
  const pageSize = Math.min(Math.max(Math.trunc(opts.pageSize ?? 50), 1), 1000);
  const pageNo = Math.max(Math.trunc(opts.page ?? 1), 1);
  const sc = await loadScenario(s, r.scenario);
  const job = await loadJob(s, r.job);
  const acct = await one<{ name: string; org: string }>(s.domain.control, "SELECT name, org FROM accounts WHERE id = ?", [r.requestedBy]);
  const org = await one<{ name: string }>(s.domain.control, "SELECT name FROM orgs WHERE id = ?", [acct?.org ?? r.org]);
  const parts = await stagedParts(s, r.job);
  const flagged = flaggedValues(r.findings);
  const tables: DossierTable[] = [];
  for (const d of r.desensitization) {
    const part = parts.find((p) => p.kind === "table" && p.name === d.table) as (StagedPart & { mark?: { kind: string } }) | undefined;
    const count = await one<{ n: bigint }>(s.domain.vault, `SELECT count(*) AS n FROM ${ident(d.output)}`);
    const rows = Number(count?.n ?? 0);
    // The gate's own columns (row number, subject id) are bookkeeping that never leaves, so the reviewer does not see them either.
    const columns = (await all<{ column_name: string; column_type: string }>(s.domain.vault, `DESCRIBE SELECT * FROM ${ident(d.output)}`))
      .filter((c) => !c.column_name.startsWith("__"))
      .map((c) => ({ name: c.column_name, type: c.column_type }));
    const pages = Math.max(1, Math.ceil(rows / pageSize));
    const page = Math.min(pageNo, pages);
    // rowid order is the staged order the gate checked; the page is what the package would hold.
    const data = await all<Record<string, unknown>>(s.domain.vault, `SELECT * FROM ${ident(d.output)} ORDER BY rowid LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`);
    const pageRows = data.map((row) => columns.map((c) => plain(row[c.name])));
    const marks: [number, string][] = [];
    pageRows.forEach((row, i) => row.forEach((v, j) => {
      if (v !== null && flagged.has(String(v))) marks.push([i, columns[j].name]);
    }));
    tables.push({ name: d.table, mark: part?.mark?.kind ?? null, rows, columns, page: { number: page, size: pageSize, pages, rows: pageRows }, flagged: marks, desensitized: d.applied });
  }
  const open = r.state === "checked" || r.state === "submitted";
  const submitterOrg = acct?.org ?? r.org;
  return {
    request: r,
    purpose: sc.purpose,
    requester: { account: r.requestedBy, name: acct?.name ?? "", org: submitterOrg, orgName: org?.name ?? "" },
    job: { id: job.id, kind: job.kind, codeSm3: job.code_sm3, code: readJobCode(s.domain.paths.jobStaging(job.id), job.code_sm3) ?? null, params: JSON.parse((await one<{ params: string }>(s.domain.control, "SELECT params FROM jobs WHERE id = ?", [job.id]))!.params) },
    tables,
    findings: sortFindings(r.findings),
    canDecide: open && !r.reviews.some((v) => v.by === s.principal.accountId) && mayReview(s, submitterOrg, r.org),
  };
}

/** Whether the policy engine lets this principal review a request of these organisations (the same check `reviewEgress` makes). */
function mayReview(s: Session, submitterOrg: string, ownerOrg: string): boolean {
  try {
    authorize(s.principal, "egress.review", { submitterOrg, ownerOrg });
    return true;
  } catch {
    return false;
  }
}

/** DuckDB values as JSON-safe plain values (BIGINT → number, dates → text). */
function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return String(v);
  return v;
}

/**
 * `shuyu report activity --from --to`: the operator's periodic report (HB 37, ZJ 26) with
 * the disclosure of authorizations (HLJ 20(5)): who was authorized for what, with which
 * scope and term; scenarios reviewed; jobs run; egress decisions; products released;
 * data-quality feedback, overdue items first.
 */
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import { all } from "../domain/db.js";
import { marketSection } from "../obligations/metering.js";
import { answeredDay, listFeedback, type Feedback } from "../services/feedback.js";
import type { Session } from "../services/session.js";
import { periodIncidents, periodPurges, type PeriodIncident, type PeriodPurge } from "../lifecycle/report-sections.js";

export const ActivityInput = z.object({ from: DateSchema.optional(), to: DateSchema.optional() });

/** The periodic report as data. */
export interface ActivityReport {
  domain: { id: string; operator: string };
  period: { from: string; to: string };
  generatedAt: string;
  generatedBy: string;
  holdings: { dataset: string; name: string; provider: string; grade: number; rows: number; bytes: number; version: number; ingestedAt: string; ingestedInPeriod: boolean }[];
  authorizations: { agreement: string; org: string; orgName: string; datasets: string[]; start: string; end: string; state: string; grantedAt: string; grantedBy: string; grantedInPeriod: boolean }[];
  scenarios: { id: string; org: string; purpose: string; scope: { dataset: string; columns: string[]; joinOnly: string[] }[]; state: string; decidedAt: string | null; reason: string | null; approvedBy: string[] }[];
  jobs: { total: number; byOrg: { org: string; mode: string; state: string; jobs: number }[] };
  egress: { id: string; org: string; scenario: string; form: string; state: string; requestedAt: string; decidedAt: string | null; blockedBy: string[]; reviews: { by: string; org: string; decision: string; reason: string }[] }[];
  products: { id: string; org: string; scenario: string; form: string; state: string; sm3: string; releasedAt: string }[];
  feedback: { submitted: number; answered: number; open: number; overdue: Feedback[]; items: Feedback[] };
  audit: { entries: number; byAction: Record<string, number> };
  /** Security incidents open at any time in the period (HB 35, GY 39). */
  incidents: PeriodIncident[];
  /** Purge receipts written in the period (HLJ 29, ZJ 32). */
  purges: PeriodPurge[];
  /** Market operation (HB 37): calls, deliveries, using organisations and revenue per product. */
  market: Awaited<ReturnType<typeof marketSection>>;
}

const dateText = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));
const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : d === null || d === undefined ? null : String(d));

/** Builds the report for [from 00:00, to 24:00) UTC; defaults to the 30 days ending today. */
export async function activityReport(s: Session, raw: unknown = {}): Promise<ActivityReport> {
  authorize(s.principal, "report.read");
  const input = parseInput(ActivityInput, raw, "report");
  const to = input.to ?? today();
  const from = input.from ?? new Date(Date.parse(to + "T00:00:00Z") - 29 * 86_400_000).toISOString().slice(0, 10);
  if (from > to) throw new ShuyuError("invalid", "INVALID_PERIOD", `--from ${from} is after --to ${to}`, { details: { from, to } });
  const lo = `${from}T00:00:00.000Z`;
  const hi = new Date(Date.parse(to + "T00:00:00Z") + 86_400_000).toISOString();
  const inPeriod = (t: string | null) => t !== null && t >= lo && t < hi;
  const c = s.domain.control;

  const holdings = (await all<{ id: string; name: string; provider: string; grade: number; row_count: bigint; source_bytes: bigint; version: number; ingested_at: Date }>(
    c, "SELECT id, name, provider, grade, row_count, source_bytes, version, ingested_at FROM datasets WHERE state = 'current' ORDER BY id",
  )).map((d) => ({ dataset: d.id, name: d.name, provider: d.provider, grade: d.grade, rows: Number(d.row_count), bytes: Number(d.source_bytes), version: d.version, ingestedAt: d.ingested_at.toISOString(), ingestedInPeriod: inPeriod(d.ingested_at.toISOString()) }));

  // An authorization belongs in the report if its term overlaps the period or it was granted in it.
  const authorizations = (await all<{ id: string; org: string; org_name: string; datasets: string; start_date: unknown; end_date: unknown; state: string; created_at: Date; created_by: string }>(
    c, `SELECT a.*, o.name AS org_name FROM agreements a JOIN orgs o ON o.id = a.org
        WHERE (a.start_date <= ?::DATE AND a.end_date >= ?::DATE) OR (a.created_at >= ?::TIMESTAMP AND a.created_at < ?::TIMESTAMP) ORDER BY a.created_at, a.id`,
    [to, from, lo, hi],
  )).map((a) => ({
    agreement: a.id, org: a.org, orgName: a.org_name, datasets: JSON.parse(a.datasets) as string[], start: dateText(a.start_date), end: dateText(a.end_date),
    state: a.state, grantedAt: a.created_at.toISOString(), grantedBy: a.created_by, grantedInPeriod: inPeriod(a.created_at.toISOString()),
  }));

  const scenarios = (await all<{ id: string; org: string; purpose: string; grants: string; state: string; decided_at: Date | null; reason: string | null; approvals: string; submitted_at: Date }>(
    c, "SELECT * FROM scenarios ORDER BY submitted_at, id",
  ))
    .map((r) => {
      const ap = JSON.parse(r.approvals) as { operator?: { by: string; at: string }; providers: Record<string, { by: string; at: string }> };
      const stamps = [...(ap.operator ? [ap.operator] : []), ...Object.values(ap.providers)];
      return { r, stamps };
    })
    .filter(({ r, stamps }) => inPeriod(iso(r.decided_at)) || stamps.some((x) => inPeriod(x.at)))
    .map(({ r, stamps }) => ({
      id: r.id, org: r.org, purpose: r.purpose, scope: (JSON.parse(r.grants) as { dataset: string; columns: string[]; joinOnly?: string[] }[]).map((g) => ({ ...g, joinOnly: g.joinOnly ?? [] })), state: r.state,
      decidedAt: iso(r.decided_at), reason: r.reason, approvedBy: stamps.map((x) => x.by),
    }));

  const jobRows = await all<{ org: string; mode: string; state: string; n: bigint }>(
    c, "SELECT org, mode, state, count(*) AS n FROM jobs WHERE created_at >= ?::TIMESTAMP AND created_at < ?::TIMESTAMP GROUP BY org, mode, state ORDER BY org, mode, state", [lo, hi],
  );
  const jobs = { total: jobRows.reduce((n, r) => n + Number(r.n), 0), byOrg: jobRows.map((r) => ({ org: r.org, mode: r.mode, state: r.state, jobs: Number(r.n) })) };

  const egress = (await all<{ id: string; org: string; scenario: string; form: string; state: string; requested_at: Date; decided_at: Date | null; findings: string; reviews: string }>(
    c, `SELECT * FROM egress WHERE (requested_at >= ?::TIMESTAMP AND requested_at < ?::TIMESTAMP) OR (decided_at >= ?::TIMESTAMP AND decided_at < ?::TIMESTAMP) ORDER BY requested_at, id`,
    [lo, hi, lo, hi],
  )).map((e) => ({
    id: e.id, org: e.org, scenario: e.scenario, form: e.form, state: e.state, requestedAt: e.requested_at.toISOString(), decidedAt: iso(e.decided_at),
    blockedBy: [...new Set((JSON.parse(e.findings) as { rule: string; severity: string }[]).filter((f) => f.severity === "block").map((f) => f.rule))],
    reviews: (JSON.parse(e.reviews) as { by: string; org: string; decision: string; reason: string }[]).map((r) => ({ by: r.by, org: r.org, decision: r.decision, reason: r.reason })),
  }));

  const products = (await all<{ id: string; org: string; scenario: string; form: string; state: string; package_sm3: string; released_at: Date }>(
    c, "SELECT * FROM products WHERE released_at >= ?::TIMESTAMP AND released_at < ?::TIMESTAMP ORDER BY released_at, id", [lo, hi],
  )).map((p) => ({ id: p.id, org: p.org, scenario: p.scenario, form: p.form, state: p.state, sm3: p.package_sm3, releasedAt: p.released_at.toISOString() }));

  // Feedback: what was submitted or answered in the period, plus everything still open or late as of its end.
  const allFeedback = await listFeedback(s);
  const asOf = to < today() ? to : today();
  const items = allFeedback.filter((f) => inPeriod(f.submittedAt) || inPeriod(f.answeredAt) || (f.state === "open" && f.submittedAt < hi));
  const lateAsOf = (f: Feedback) => (f.answeredAt !== null && f.answeredAt < hi ? answeredDay(f.answeredAt) > f.due : asOf > f.due);
  const feedback = {
    submitted: items.filter((f) => inPeriod(f.submittedAt)).length,
    answered: items.filter((f) => inPeriod(f.answeredAt)).length,
    open: items.filter((f) => f.answeredAt === null || f.answeredAt >= hi).length,
    overdue: items.filter(lateAsOf).map((f) => ({ ...f, overdue: true })),
    items: items.map((f) => ({ ...f, overdue: lateAsOf(f) })),
  };

  const entries = (await s.domain.auditEntries({ lenient: true })).filter((e) => e.time >= lo && e.time < hi);
  const byAction: Record<string, number> = {};
  for (const e of entries) byAction[e.action] = (byAction[e.action] ?? 0) + 1;

  const report: ActivityReport = {
    domain: { id: s.domain.info.id, operator: s.domain.info.operator.name },
    period: { from, to }, generatedAt: now().toISOString(), generatedBy: s.principal.accountId,
    holdings, authorizations, scenarios, jobs, egress, products, feedback, audit: { entries: entries.length, byAction },
    incidents: await periodIncidents(s, lo, hi), purges: await periodPurges(s, lo, hi),
    market: await marketSection(s, { from, to }),
  };
  await s.domain.exclusive(() => s.domain.audit({ actor: s.principal.accountId, action: "report.activity", object: "report", details: { from, to } }));
  return report;
}

const cell = (v: unknown) => String(v ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
function mdTable(head: string[], rows: unknown[][]): string[] {
  if (rows.length === 0) return ["(none)"];
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

/** Renders the report as Markdown (the form filed with the supervising department). */
export function activityMarkdown(r: ActivityReport): string {
  const out = [
    `# Activity report of ${r.domain.operator}`,
    "",
    `Period ${r.period.from} to ${r.period.to} (UTC). Domain ${r.domain.id}. Generated ${r.generatedAt} by ${r.generatedBy}.`,
    "",
    "## Data held in the domain",
    ...mdTable(["dataset", "name", "provider", "grade", "rows", "MB", "version", "ingested"], r.holdings.map((h) => [h.dataset, h.name, h.provider, h.grade, h.rows, (h.bytes / 1e6).toFixed(1), h.version, h.ingestedAt + (h.ingestedInPeriod ? " (in period)" : "")])),
    "",
    "## Authorizations (HLJ 20(5): who, what, scope, term)",
    ...mdTable(["agreement", "organisation", "datasets", "term", "state", "granted"], r.authorizations.map((a) => [a.agreement, `${a.orgName} (${a.org})`, a.datasets.join(", "), `${a.start} – ${a.end}`, a.state, `${a.grantedAt} by ${a.grantedBy}${a.grantedInPeriod ? " (in period)" : ""}`])),
    "",
    "## Scenarios reviewed",
    ...mdTable(["scenario", "organisation", "purpose", "scope", "decision", "by", "reason"], r.scenarios.map((x) => [x.id, x.org, x.purpose, x.scope.map((g) => `${g.dataset}(${g.columns.map((c) => (g.joinOnly.includes(c) ? `${c} join-only` : c)).join(",")})`).join("; "), `${x.state}${x.decidedAt ? ` ${x.decidedAt}` : ""}`, x.approvedBy.join(", "), x.reason ?? ""])),
    "",
    `## Jobs run: ${r.jobs.total}`,
    ...mdTable(["organisation", "mode", "state", "jobs"], r.jobs.byOrg.map((j) => [j.org, j.mode, j.state, j.jobs])),
    "",
    "## Egress decisions",
    ...mdTable(["request", "organisation", "scenario", "form", "state", "blocked by", "reviews"], r.egress.map((e) => [e.id, e.org, e.scenario, e.form, e.state, e.blockedBy.join(", "), e.reviews.map((v) => `${v.decision} by ${v.by} (${v.org}): ${v.reason}`).join("; ")])),
    "",
    "## Products released",
    ...mdTable(["product", "organisation", "scenario", "form", "state", "package SM3", "released"], r.products.map((p) => [p.id, p.org, p.scenario, p.form, p.state, p.sm3, p.releasedAt])),
    "",
    `## Data-quality feedback: ${r.feedback.submitted} submitted, ${r.feedback.answered} answered, ${r.feedback.open} open, ${r.feedback.overdue.length} overdue`,
    ...(r.feedback.overdue.length ? ["", "Overdue:", ...mdTable(["id", "dataset", "provider", "from", "due", "state"], r.feedback.overdue.map((f) => [f.id, f.dataset, f.provider, f.org, f.due, f.state]))] : []),
    "",
    ...mdTable(["id", "dataset", "provider", "from", "submitted", "due", "state", "answered", "overdue"], r.feedback.items.map((f) => [f.id, f.dataset, f.provider, f.org, f.submittedAt, f.due, f.state, f.answeredAt ?? "", f.overdue ? "yes" : ""])),
    "",
    "## Security incidents (HB 35, GY 39)",
    ...mdTable(["incident", "scope", "opened", "reason", "state", "rectification deadline", "report"], r.incidents.map((i) => [i.id, `${i.scope} ${i.target}`, `${i.openedAt} by ${i.openedBy}`, i.reason, i.state, i.deadline ?? "", i.report ?? ""])),
    "",
    "## Data purged at the end of authorizations (HLJ 29, ZJ 32)",
    ...mdTable(["receipt", "cause", "organisation", "agreement / scenarios", "files", "vault tables", "rows", "receipt SM3"], r.purges.map((p) => [p.id, p.cause, p.org, p.agreement ?? p.scenarios.join(", "), p.files, p.vaultTables, p.rows, p.sm3])),
    "",
    `## Market operation (HB 37): ${r.market.totals.calls} calls, ${r.market.totals.deliveries} deliveries, revenue ${(r.market.totals.revenueFen / 100).toFixed(2)} yuan`,
    ...mdTable(["product", "calls", "deliveries", "using organisations", "revenue (yuan)"], r.market.products.map((m) => [m.product, m.calls, m.deliveries, m.users, (m.revenueFen / 100).toFixed(2)])),
    "",
    `## Audit chain: ${r.audit.entries} entries in the period`,
    ...mdTable(["action", "entries"], Object.entries(r.audit.byAction).sort().map(([a, n]) => [a, n])),
  ];
  return out.join("\n") + "\n";
}

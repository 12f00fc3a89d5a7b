/**
 * The one state check every gate calls (DESIGN §5: "every step re-checks that
 * organisation, agreement, scenario and account may act now"). It reads the current
 * rows and today's date, so a term that lapsed a second ago denies even before the
 * expiry has been written; `settleTerms` then writes the expiry (and its purge).
 */
import { ShuyuError } from "../../policies/errors.js";
import { today } from "../clock.js";
import { all, one } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { ensureLifecycleTables } from "./schema.js";
import { obligationStanding, type ObligationSubject } from "../obligations/access.js";

export { obligationStanding, type ObligationSubject };

/** What is about to act: any of scenario, agreement, organisation, accounts, datasets. */
export interface StandingSubject {
  /** The gate asking (job.submit, job.complete, egress.request, egress.review, egress.release, product.call, package.download …). */
  step: string;
  scenario?: string;
  agreement?: string;
  org?: string;
  /** Accounts whose standing matters: the actor, and the submitter of the job or request. */
  accounts?: string[];
  datasets?: string[];
  /** The obligations (issue 15): the product used, by whom, and the data subject a call is about. */
  product?: string;
  callerOrg?: ObligationSubject["callerOrg"];
  callerKind?: ObligationSubject["callerKind"];
  delivery?: ObligationSubject["delivery"];
  consent?: ObligationSubject["consent"];
}

/** The verdict: allowed, or the first reason not to. */
export type Standing = { ok: true } | { ok: false; code: string; message: string; details: Record<string, unknown> };

const no = (code: string, message: string, details: Record<string, unknown> = {}): Standing => ({ ok: false, code, message, details });

type Ctx = Pick<Session, "domain">;

/**
 * The operator's own authorization in force now, or why there is none (undefined when
 * none was ever recorded). A record made in advance (a renewal) does not stop the one
 * in force: the latest record whose term covers today applies.
 */
export async function operatorStanding(s: Ctx, datasets: string[] = []): Promise<Standing | undefined> {
  await ensureLifecycleTables(s.domain.control);
  const rows = await all<{ id: string; datasets: string; start: string; end: string }>(
    s.domain.control,
    "SELECT id, datasets, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\" FROM operator_authorization ORDER BY recorded_at DESC, id DESC",
  );
  if (rows.length === 0) return undefined;
  const d = today();
  const auth = rows.find((r) => r.start <= d && d <= r.end);
  if (!auth) {
    const later = rows.filter((r) => r.start > d).sort((a, b) => a.start.localeCompare(b.start))[0];
    if (later && !rows.some((r) => r.end < d && r.start <= d)) return no("OPERATOR_NOT_AUTHORIZED", `the operator's authorization ${later.id} starts on ${later.start}; the domain does not process data before it`, { authorization: later.id, start: later.start, today: d });
    const last = rows.filter((r) => r.end < d).sort((a, b) => b.end.localeCompare(a.end))[0] ?? rows[0];
    return no("OPERATOR_AUTHORIZATION_LAPSED", `the operator's authorization ${last.id} ended on ${last.end}; the domain stops processing (ZJ 11, GZ 7)`, { authorization: last.id, end: last.end, today: d });
  }
  const covered = JSON.parse(auth.datasets) as string[];
  const outside = covered.includes("*") ? [] : datasets.filter((x) => !covered.includes(x));
  if (outside.length) return no("OUTSIDE_OPERATOR_AUTHORIZATION", `dataset(s) ${outside.join(", ")} are not in the operator's authorization ${auth.id}`, { authorization: auth.id, datasets: outside });
  return { ok: true };
}

/** Open incidents whose scope covers the subject (domain, organisation, scenario or dataset). */
async function openIncident(s: Ctx, org: string | undefined, scenario: string | undefined, datasets: string[]): Promise<{ id: string; scope: string; target: string } | undefined> {
  await ensureLifecycleTables(s.domain.control);
  const rows = await all<{ id: string; scope: string; target: string }>(s.domain.control, "SELECT id, scope, target FROM incidents WHERE state = 'open' ORDER BY opened_at");
  return rows.find((r) => r.scope === "domain" || (r.scope === "org" && r.target === org) || (r.scope === "scenario" && r.target === scenario) || (r.scope === "dataset" && datasets.includes(r.target)));
}

/** Decides whether the subject may act now; never writes. */
export async function standing(s: Ctx, subject: StandingSubject): Promise<Standing> {
  const d = today();
  let { org, agreement } = subject;
  let datasets = subject.datasets ?? [];
  let sc: { id: string; org: string; agreement: string; state: string; expires: string; grants: string } | undefined;
  if (subject.scenario) {
    sc = await one(s.domain.control, "SELECT id, org, agreement, state, strftime(expires, '%Y-%m-%d') AS expires, grants FROM scenarios WHERE id = ?", [subject.scenario]);
    if (!sc) return no("NOT_FOUND", `scenario '${subject.scenario}' does not exist`, { what: "scenario", id: subject.scenario });
    org ??= sc.org;
    agreement ??= sc.agreement;
    datasets = [...new Set([...datasets, ...(JSON.parse(sc.grants) as { dataset: string }[]).map((g) => g.dataset)])];
  }
  let ag: { id: string; org: string; state: string; start: string; end: string; datasets: string } | undefined;
  if (agreement) {
    ag = await one(s.domain.control, "SELECT id, org, state, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\", datasets FROM agreements WHERE id = ?", [agreement]);
    if (!ag) return no("NOT_FOUND", `agreement '${agreement}' does not exist`, { what: "agreement", id: agreement });
    org ??= ag.org;
    if (!subject.scenario) datasets = [...new Set([...datasets, ...(JSON.parse(ag.datasets) as string[])])];
  }

  const op = await operatorStanding(s, datasets);
  if (op && !op.ok) return op;
  const inc = await openIncident(s, org, sc?.id, datasets);
  if (inc) return no("INCIDENT_OPEN", `incident ${inc.id} (${inc.scope}${inc.scope === "domain" ? "" : ` ${inc.target}`}) has stopped processing until it is closed`, { incident: inc.id, scope: inc.scope, target: inc.target });

  for (const a of subject.accounts ?? []) {
    const r = await one<{ state: string; org: string; org_state: string }>(s.domain.control, "SELECT a.state, a.org, o.state AS org_state FROM accounts a JOIN orgs o ON o.id = a.org WHERE a.id = ?", [a]);
    if (!r) return no("NOT_FOUND", `account '${a}' does not exist`, { what: "account", id: a });
    if (r.state !== "active") return no("ACCOUNT_REVOKED", `account '${a}' is ${r.state}`, { account: a, state: r.state });
    if (r.org_state !== "active") return no("ORG_INACTIVE", `organisation '${r.org}' of account '${a}' is ${r.org_state}`, { org: r.org, state: r.org_state });
  }
  if (org) {
    const o = await one<{ state: string }>(s.domain.control, "SELECT state FROM orgs WHERE id = ?", [org]);
    if (o && o.state !== "active") return no("ORG_INACTIVE", `organisation '${org}' is ${o.state}`, { org, state: o.state });
  }
  if (sc) {
    if (sc.state !== "approved") return no("SCENARIO_NOT_APPROVED", `scenario '${sc.id}' is ${sc.state}; only an approved, unexpired scenario may act`, { scenario: sc.id, state: sc.state });
    if (d > sc.expires) return no("SCENARIO_EXPIRED", `scenario '${sc.id}' ended on ${sc.expires}`, { scenario: sc.id, expires: sc.expires, today: d });
  }
  if (ag) {
    if (ag.state !== "active") return no("AGREEMENT_INACTIVE", `agreement '${ag.id}' is ${ag.state}`, { agreement: ag.id, state: ag.state });
    if (d < ag.start) return no("AGREEMENT_NOT_IN_FORCE", `agreement '${ag.id}' starts on ${ag.start}; nothing runs under it before then`, { agreement: ag.id, start: ag.start, today: d });
    if (d > ag.end) return no("AGREEMENT_EXPIRED", `agreement '${ag.id}' ended on ${ag.end}`, { agreement: ag.id, end: ag.end, today: d });
  }
  return obligationStanding(s, { ...subject, org });
}

/** Throws the verdict as a DENIED error (exit 2, HTTP 403) unless the subject may act now. */
export async function assertStanding(s: Ctx, subject: StandingSubject): Promise<void> {
  const v = await standing(s, subject);
  if (!v.ok) throw new ShuyuError("denied", v.code, `${subject.step}: ${v.message}`, { details: { ...v.details, step: subject.step } });
}

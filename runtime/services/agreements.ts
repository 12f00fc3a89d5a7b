import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { seesAllOrgs } from "../../policies/authz/object-rules.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import { all, one } from "../domain/db.js";
import { purgeAgreement, purgeScenario, type PurgeReceipt } from "../lifecycle/purge.js";
import { checkTerms } from "../lifecycle/terms.js";
import { currentVersion } from "./datasets.js";
import { getOrg } from "./orgs.js";
import { assertSocialOwner } from "../obligations/social.js";
import type { Session } from "./session.js";

/** GZ 7, HLJ 14(2), HB 9, ZJ 8, GY 32: an authorization lasts at most three years. */
export const MAX_TERM_YEARS = 3;

export const AddAgreementInput = z.object({
  id: IdSchema.optional(),
  org: IdSchema,
  datasets: z.array(IdSchema).min(1, "at least one dataset"),
  start: DateSchema,
  end: DateSchema,
});

export interface Agreement {
  id: string;
  org: string;
  datasets: string[];
  start: string;
  end: string;
  state: "active" | "suspended" | "terminated" | "expired";
  reason: string | null;
}

type AgreementRow = { id: string; org: string; datasets: string; start_date: unknown; end_date: unknown; state: Agreement["state"]; reason: string | null };

const dateText = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));

function toAgreement(r: AgreementRow): Agreement {
  return { id: r.id, org: r.org, datasets: JSON.parse(r.datasets) as string[], start: dateText(r.start_date), end: dateText(r.end_date), state: r.state, reason: r.reason };
}

/** Adds `years` calendar years to a YYYY-MM-DD date (29 Feb → 28 Feb). */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const t = new Date(Date.UTC(y + years, m - 1, d));
  if (t.getUTCMonth() !== m - 1) t.setUTCDate(0);
  return t.toISOString().slice(0, 10);
}

/** Loads an agreement or NOT_FOUND. */
export async function getAgreement(s: Pick<Session, "domain">, id: string): Promise<Agreement> {
  const r = await one<AgreementRow>(s.domain.control, "SELECT * FROM agreements WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `agreement '${id}' does not exist`, { details: { what: "agreement", id } });
  return toAgreement(await s.domain.checkRow("agreements", r));
}

/**
 * Moves agreements and scenarios whose term has ended to `expired` (audited as the
 * system) and purges what they covered (HLJ 29, ZJ 32(1): expiry ends like termination).
 * Called before any decision that depends on a term, inside a mutation.
 */
export async function expireLapsed(s: Pick<Session, "domain">): Promise<void> {
  const d = today();
  const lapsed = await all<{ id: string }>(s.domain.control, "SELECT id FROM agreements WHERE state IN ('active','suspended') AND end_date < ?::DATE", [d]);
  for (const a of lapsed) {
    await s.domain.control.run("UPDATE agreements SET state = 'expired' WHERE id = ?", [a.id]);
    await s.domain.audit({ actor: "system", action: "agreement.expire", object: `agreement:${a.id}`, details: { today: d } });
  }
  const scen = await all<{ id: string; agreement: string }>(
    s.domain.control,
    `SELECT s.id, s.agreement FROM scenarios s JOIN agreements a ON a.id = s.agreement
     WHERE s.state IN ('submitted','approved','suspended') AND (s.expires < ?::DATE OR a.state = 'expired')`,
    [d],
  );
  for (const sc of scen) {
    await s.domain.control.run("UPDATE scenarios SET state = 'expired' WHERE id = ?", [sc.id]);
    await s.domain.audit({ actor: "system", action: "scenario.expire", object: `scenario:${sc.id}`, details: { today: d } });
  }
  for (const a of lapsed) await purgeAgreement(s, a.id, "expired", "system");
  for (const sc of scen.filter((x) => !lapsed.some((a) => a.id === x.agreement))) await purgeScenario(s, sc.id, "expired", "system");
}

/** Grants a developer organisation an agreement over datasets for at most three years (R3). */
export async function addAgreement(s: Session, raw: unknown): Promise<Agreement> {
  authorize(s.principal, "agreement.add");
  const input = parseInput(AddAgreementInput, raw, "agreement");
  if (input.end < input.start) throw new ShuyuError("invalid", "INVALID_TERM", `end ${input.end} is before start ${input.start}`, { details: { start: input.start, end: input.end } });
  const limit = addYears(input.start, MAX_TERM_YEARS);
  if (input.end > limit) {
    throw new ShuyuError("invalid", "TERM_TOO_LONG", `an authorization lasts at most ${MAX_TERM_YEARS} years: end must be on or before ${limit}`, { details: { start: input.start, end: input.end, limit } });
  }
  if (input.end < today()) throw new ShuyuError("invalid", "INVALID_TERM", `end ${input.end} is already past (today is ${today()})`);
  return s.domain.mutate(async () => {
    await expireLapsed(s);
    const org = await getOrg(s, input.org);
    if (org.kind !== "developer") throw new ShuyuError("invalid", "NOT_A_DEVELOPER", `agreements are made with developer organisations; '${org.id}' is a ${org.kind}`);
    if (org.state !== "active") throw new ShuyuError("invalid", "ORG_INACTIVE", `organisation '${org.id}' is ${org.state}`);
    const datasets = [...new Set(input.datasets)];
    for (const d of datasets) {
      await currentVersion(s, d);
      await assertSocialOwner(s, d, org.id);
      const neg = await one<{ negative_list: boolean }>(s.domain.control, "SELECT negative_list FROM dataset_meta WHERE id = ?", [d]);
      if (neg?.negative_list) throw new ShuyuError("invalid", "NEGATIVE_LIST", `dataset '${d}' is on the negative list and cannot be authorized (GY 12)`, { details: { dataset: d } });
    }
    const terms = await checkTerms(s, { org: org.id, datasets, start: input.start, end: input.end });
    const n = await one<{ n: bigint }>(s.domain.control, "SELECT count(*) AS n FROM agreements");
    const id = input.id ?? `agr-${String(Number(n?.n ?? 0) + 1).padStart(4, "0")}`;
    if (await one(s.domain.control, "SELECT 1 FROM agreements WHERE id = ?", [id])) throw new ShuyuError("invalid", "DUPLICATE_ID", `agreement '${id}' already exists`);
    await s.domain.control.run("INSERT INTO agreements VALUES (?, ?, ?, ?::DATE, ?::DATE, 'active', NULL, ?::TIMESTAMP, ?)", [
      id, org.id, JSON.stringify(datasets), input.start, input.end, now().toISOString(), s.principal.accountId,
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "agreement.add", object: `agreement:${id}`, details: { org: org.id, datasets, start: input.start, end: input.end, ...terms } });
    return getAgreement(s, id);
  });
}

/** Lists agreements; developers see their own organisation's only. */
export async function listAgreements(s: Session): Promise<Agreement[]> {
  authorize(s.principal, "agreement.read");
  await s.domain.mutate(() => expireLapsed(s));
  const rows = (await all<AgreementRow>(s.domain.control, "SELECT * FROM agreements ORDER BY id")).map(toAgreement);
  return seesAllOrgs(s.principal) ? rows : rows.filter((a) => a.org === s.principal.orgId);
}

/** Marks scenarios suspended by their agreement, so resuming the agreement resumes only those. */
const SUSPENDED_WITH_AGREEMENT = "agreement suspended";

const TRANSITIONS: Record<string, { from: Agreement["state"][]; to: Agreement["state"] }> = {
  suspend: { from: ["active"], to: "suspended" },
  resume: { from: ["suspended"], to: "active" },
  terminate: { from: ["active", "suspended"], to: "terminated" },
};

/** What a termination purged, in short, with the full receipt. */
export interface PurgeSummary {
  accounts: number;
  scenarios: number;
  jobs: number;
  products: number;
  receipt: PurgeReceipt;
}

/**
 * Suspends, resumes or terminates an agreement (R3). Termination ends that agreement's
 * scope: its scenarios, the data held under them (libraries, samples, staging, gate and
 * ledger tables, packages) and its products; the organisation's accounts are revoked
 * when no other live agreement remains (lifecycle/purge.ts). The audit chain keeps the
 * record and the purge receipt.
 */
export async function changeAgreement(s: Session, id: string, change: "suspend" | "resume" | "terminate", reason: string): Promise<Agreement & { purged?: PurgeSummary }> {
  authorize(s.principal, "agreement.change");
  if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", `--reason is required to ${change} an agreement`);
  return s.domain.mutate(async () => {
    await expireLapsed(s);
    const a = await getAgreement(s, id);
    const t = TRANSITIONS[change];
    if (!t.from.includes(a.state)) {
      throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `agreement '${id}' is ${a.state}; cannot ${change} (allowed from: ${t.from.join(", ")})`, { details: { state: a.state, change } });
    }
    await s.domain.control.run("UPDATE agreements SET state = ?, reason = ? WHERE id = ?", [t.to, reason, id]);
    let purged: PurgeSummary | undefined;
    if (change === "suspend") {
      await s.domain.control.run(`UPDATE scenarios SET state = 'suspended', reason = '${SUSPENDED_WITH_AGREEMENT}' WHERE agreement = ? AND state = 'approved'`, [id]);
    } else if (change === "resume") {
      await s.domain.control.run(`UPDATE scenarios SET state = 'approved', reason = NULL WHERE agreement = ? AND state = 'suspended' AND reason = '${SUSPENDED_WITH_AGREEMENT}'`, [id]);
    } else {
      const receipt = await purgeAgreement(s, id, "terminated", s.principal.accountId);
      const jobs = await one<{ n: bigint }>(s.domain.control, "SELECT count(*) AS n FROM jobs WHERE scenario IN (SELECT id FROM scenarios WHERE agreement = ?)", [id]);
      purged = { accounts: receipt.revokedAccounts.length, scenarios: receipt.scenarios.length, jobs: Number(jobs?.n ?? 0), products: receipt.counts.delistedProducts, receipt };
    }
    await s.domain.audit({
      actor: s.principal.accountId, action: `agreement.${change}`, object: `agreement:${id}`,
      details: { reason, org: a.org, ...(purged ? { purged: { ...purged, receipt: purged.receipt.id } } : {}) },
    });
    return { ...(await getAgreement(s, id)), ...(purged ? { purged } : {}) };
  });
}

/** The active agreement of `org` covering every dataset, or a clear denial. */
export async function coveringAgreement(s: Pick<Session, "domain">, org: string, datasets: string[]): Promise<Agreement> {
  const rows = (await all<AgreementRow>(s.domain.control, "SELECT * FROM agreements WHERE org = ? ORDER BY end_date DESC", [org])).map(toAgreement);
  const active = rows.filter((a) => a.state === "active" && a.start <= today() && today() <= a.end);
  if (active.length === 0) {
    const states = rows.map((a) => `${a.id}: ${a.state}`).join(", ");
    throw new ShuyuError("denied", "NO_ACTIVE_AGREEMENT", `organisation '${org}' has no active agreement${states ? ` (${states})` : ""}`, { details: { org } });
  }
  const covering = active.find((a) => datasets.every((d) => a.datasets.includes(d)));
  if (!covering) {
    const missing = datasets.filter((d) => !active.some((a) => a.datasets.includes(d)));
    throw new ShuyuError("denied", "NOT_IN_AGREEMENT", `dataset(s) ${missing.join(", ") || datasets.join(", ")} are not in one active agreement of '${org}'`, { details: { org, datasets: missing } });
  }
  return covering;
}

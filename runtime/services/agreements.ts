import { rmSync } from "node:fs";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import { all, exec, ident, one } from "../domain/db.js";
import { purgeLedger } from "../ledger/index.js";
import { currentVersion } from "./datasets.js";
import { getOrg } from "./orgs.js";
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
  return toAgreement(r);
}

/**
 * Moves agreements and scenarios whose term has ended to `expired` (audited as the
 * system). Called before any decision that depends on a term.
 */
export async function expireLapsed(s: Pick<Session, "domain">): Promise<void> {
  const d = today();
  const lapsed = await all<{ id: string }>(s.domain.control, "SELECT id FROM agreements WHERE state IN ('active','suspended') AND end_date < ?::DATE", [d]);
  for (const a of lapsed) {
    await s.domain.control.run("UPDATE agreements SET state = 'expired' WHERE id = ?", [a.id]);
    await s.domain.audit({ actor: "system", action: "agreement.expire", object: `agreement:${a.id}`, details: { today: d } });
  }
  const scen = await all<{ id: string }>(
    s.domain.control,
    `SELECT s.id FROM scenarios s JOIN agreements a ON a.id = s.agreement
     WHERE s.state IN ('submitted','approved','suspended') AND (s.expires < ?::DATE OR a.state = 'expired')`,
    [d],
  );
  for (const sc of scen) {
    await s.domain.control.run("UPDATE scenarios SET state = 'expired' WHERE id = ?", [sc.id]);
    await s.domain.audit({ actor: "system", action: "scenario.expire", object: `scenario:${sc.id}`, details: { today: d } });
  }
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
    const org = await getOrg(s, input.org);
    if (org.kind !== "developer") throw new ShuyuError("invalid", "NOT_A_DEVELOPER", `agreements are made with developer organisations; '${org.id}' is a ${org.kind}`);
    if (org.state !== "active") throw new ShuyuError("invalid", "ORG_INACTIVE", `organisation '${org.id}' is ${org.state}`);
    const datasets = [...new Set(input.datasets)];
    for (const d of datasets) {
      await currentVersion(s, d);
      const neg = await one<{ negative_list: boolean }>(s.domain.control, "SELECT negative_list FROM dataset_meta WHERE id = ?", [d]);
      if (neg?.negative_list) throw new ShuyuError("invalid", "NEGATIVE_LIST", `dataset '${d}' is on the negative list and cannot be authorized (GY 12)`, { details: { dataset: d } });
    }
    const n = await one<{ n: bigint }>(s.domain.control, "SELECT count(*) AS n FROM agreements");
    const id = input.id ?? `agr-${String(Number(n?.n ?? 0) + 1).padStart(4, "0")}`;
    if (await one(s.domain.control, "SELECT 1 FROM agreements WHERE id = ?", [id])) throw new ShuyuError("invalid", "DUPLICATE_ID", `agreement '${id}' already exists`);
    await s.domain.control.run("INSERT INTO agreements VALUES (?, ?, ?, ?::DATE, ?::DATE, 'active', NULL, ?::TIMESTAMP, ?)", [
      id, org.id, JSON.stringify(datasets), input.start, input.end, now().toISOString(), s.principal.accountId,
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "agreement.add", object: `agreement:${id}`, details: { org: org.id, datasets, start: input.start, end: input.end } });
    return getAgreement(s, id);
  });
}

/** Lists agreements; developers see their own organisation's only. */
export async function listAgreements(s: Session): Promise<Agreement[]> {
  authorize(s.principal, "agreement.read");
  await s.domain.mutate(() => expireLapsed(s));
  const rows = (await all<AgreementRow>(s.domain.control, "SELECT * FROM agreements ORDER BY id")).map(toAgreement);
  return s.principal.orgKind === "operator" ? rows : rows.filter((a) => a.org === s.principal.orgId);
}

/** Marks scenarios suspended by their agreement, so resuming the agreement resumes only those. */
const SUSPENDED_WITH_AGREEMENT = "agreement suspended";

const TRANSITIONS: Record<string, { from: Agreement["state"][]; to: Agreement["state"] }> = {
  suspend: { from: ["active"], to: "suspended" },
  resume: { from: ["suspended"], to: "active" },
  terminate: { from: ["active", "suspended"], to: "terminated" },
};

/**
 * Suspends, resumes or terminates an agreement (R3). Termination closes every permission
 * of the organisation, deletes the data it held in the domain (libraries, samples,
 * staging) and delists its products; the audit chain keeps the record.
 */
export async function changeAgreement(s: Session, id: string, change: "suspend" | "resume" | "terminate", reason: string): Promise<Agreement & { purged?: { accounts: number; scenarios: number; jobs: number; products: number } }> {
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
    let purged: { accounts: number; scenarios: number; jobs: number; products: number } | undefined;
    if (change === "suspend") {
      await s.domain.control.run(`UPDATE scenarios SET state = 'suspended', reason = '${SUSPENDED_WITH_AGREEMENT}' WHERE agreement = ? AND state = 'approved'`, [id]);
    } else if (change === "resume") {
      await s.domain.control.run(`UPDATE scenarios SET state = 'approved', reason = NULL WHERE agreement = ? AND state = 'suspended' AND reason = '${SUSPENDED_WITH_AGREEMENT}'`, [id]);
    } else {
      purged = await purgeOrganisation(s, a.org, id);
    }
    await s.domain.audit({ actor: s.principal.accountId, action: `agreement.${change}`, object: `agreement:${id}`, details: { reason, org: a.org, ...(purged ? { purged } : {}) } });
    return { ...(await getAgreement(s, id)), ...(purged ? { purged } : {}) };
  });
}

/** Revokes an organisation's accounts and scenarios and deletes what it held in the domain. */
async function purgeOrganisation(s: Session, org: string, agreement: string) {
  const accounts = await all<{ id: string }>(s.domain.control, "SELECT id FROM accounts WHERE org = ? AND state = 'active'", [org]);
  await s.domain.control.run("UPDATE accounts SET state = 'revoked' WHERE org = ?", [org]);
  const scenarios = await all<{ id: string }>(s.domain.control, "SELECT id FROM scenarios WHERE agreement = ? AND state NOT IN ('rejected','revoked','expired')", [agreement]);
  await s.domain.control.run("UPDATE scenarios SET state = 'revoked', reason = 'agreement terminated' WHERE agreement = ? AND state NOT IN ('rejected','revoked','expired')", [agreement]);
  for (const sc of await all<{ id: string }>(s.domain.control, "SELECT id FROM scenarios WHERE agreement = ?", [agreement])) {
    rmSync(s.domain.paths.library(sc.id), { recursive: true, force: true });
    rmSync(s.domain.paths.sampleLibrary(sc.id), { recursive: true, force: true });
  }
  const jobs = await all<{ id: string }>(s.domain.control, "SELECT id FROM jobs WHERE org = ?", [org]);
  for (const j of jobs) {
    rmSync(s.domain.paths.jobStaging(j.id), { recursive: true, force: true });
    const tables = await all<{ table_name: string }>(s.domain.vault, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND starts_with(table_name, ?)", [`stg_${j.id}_`]);
    for (const t of tables) await exec(s.domain.vault, `DROP TABLE IF EXISTS ${ident(t.table_name)}`);
    await purgeLedger(s.domain.vault, j.id);
  }
  await s.domain.control.run("UPDATE jobs SET outputs = NULL WHERE org = ?", [org]);
  const products = await all<{ id: string }>(s.domain.control, "SELECT id FROM products WHERE org = ? AND state = 'listed'", [org]);
  await s.domain.control.run("UPDATE products SET state = 'delisted' WHERE org = ?", [org]);
  return { accounts: accounts.length, scenarios: scenarios.length, jobs: jobs.length, products: products.length };
}

/** The active agreement of `org` covering every dataset, or a clear denial. */
export async function coveringAgreement(s: Pick<Session, "domain">, org: string, datasets: string[]): Promise<Agreement> {
  const rows = (await all<AgreementRow>(s.domain.control, "SELECT * FROM agreements WHERE org = ? ORDER BY end_date DESC", [org])).map(toAgreement);
  const active = rows.filter((a) => a.state === "active");
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

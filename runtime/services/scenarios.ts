import { randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { seesAllOrgs } from "../../policies/authz/object-rules.js";
import { ShuyuError } from "../../policies/errors.js";
import { DesensitizePolicy } from "../../policies/desensitize/index.js";
import { DateSchema, IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { all, ident, one } from "../domain/db.js";
import { subjectSecret } from "../domain/subject-secret.js";
import { writeLibrary, type LibraryManifest, type LibrarySource } from "../library/materialise.js";
import { buildSampleTwin } from "../library/sample-twin.js";
import { fastReviewBasis } from "../obligations/whitelist.js";
import { assertSocialOwner } from "../obligations/social.js";
import { RESERVED_PREFIX, type GrantedRole } from "../../policies/subjects/index.js";
import { recordLibraryManifest } from "../library/verify.js";
import { faultPoint } from "../domain/faults.js";
import { purgeScenario } from "../lifecycle/purge.js";
import { coveringAgreement, expireLapsed } from "./agreements.js";
import { currentVersion, sampleTags } from "./datasets.js";
import type { Session } from "./session.js";
import { datasetRoles, requireSubjectKey } from "./subjects.js";

/** One grant: the least columns of one dataset a scenario needs (HB 20, ZJ 15(3)). */
export interface Grant {
  dataset: string;
  /** Every granted column, join-only ones included. */
  columns: string[];
  /** Columns usable only in equality joins and filters (and count(DISTINCT …)), never returned. */
  joinOnly: string[];
}

/** Parses `DATASET:COL,COL` (DESIGN §6) into a grant without join-only columns. */
export function parseGrant(text: string, option = "--grant"): Grant {
  const m = /^([^:]+):(.+)$/.exec(text.trim());
  if (!m) throw new ShuyuError("invalid", "INVALID_GRANT", `${option} '${text}' is not DATASET:COL,COL`, { details: { grant: text } });
  const dataset = parseInput(IdSchema, m[1].trim(), "grant.dataset");
  const columns = m[2].split(",").map((c) => c.trim()).filter(Boolean);
  if (columns.length === 0) throw new ShuyuError("invalid", "INVALID_GRANT", `${option} '${text}' names no column`, { details: { grant: text } });
  return { dataset, columns: [...new Set(columns)], joinOnly: [] };
}

/**
 * The scenario's grants from its --grant and --join-only texts: one grant per dataset, each
 * join-only column granted as well (after the dataset's ordinary columns).
 */
export function parseGrants(grantTexts: string[], joinOnlyTexts: string[] = []): Grant[] {
  const grants = grantTexts.map((t) => parseGrant(t));
  const seen = new Set<string>();
  for (const g of grants) {
    if (seen.has(g.dataset)) throw new ShuyuError("invalid", "DUPLICATE_GRANT", `dataset '${g.dataset}' is granted twice; list its columns in one --grant`);
    seen.add(g.dataset);
  }
  const joined = new Set<string>();
  for (const j of joinOnlyTexts.map((t) => parseGrant(t, "--join-only"))) {
    if (joined.has(j.dataset)) throw new ShuyuError("invalid", "DUPLICATE_GRANT", `dataset '${j.dataset}' has two --join-only; list its columns in one`);
    joined.add(j.dataset);
    let g = grants.find((x) => x.dataset === j.dataset);
    if (!g) grants.push((g = { dataset: j.dataset, columns: [], joinOnly: [] }));
    g.joinOnly = j.columns;
    g.columns = [...new Set([...g.columns, ...j.columns])];
  }
  return grants;
}

export const SubmitScenarioInput = z.object({
  id: IdSchema,
  purpose: z.string().trim().min(10, "state the scenario's purpose in at least 10 characters (HLJ 17)").max(4000),
  grants: z.array(z.string()).min(1, "at least one --grant DATASET:COL,COL"),
  /** `DATASET:COL,COL`: columns granted for joining and filtering only. */
  joinOnly: z.array(z.string()).optional(),
  until: DateSchema.optional(),
  /** Desensitization for this scenario's outputs, per output column; the grade's defaults cover the rest. */
  policy: DesensitizePolicy.optional(),
});

interface Approvals {
  operator?: { by: string; at: string };
  providers: Record<string, { by: string; at: string }>;
  required: string[];
}

/** A scenario as shown to users. */
export interface Scenario {
  id: string;
  org: string;
  agreement: string;
  purpose: string;
  grants: Grant[];
  state: "submitted" | "approved" | "rejected" | "suspended" | "revoked" | "expired";
  approvals: Approvals;
  reason: string | null;
  submittedBy: string;
  expires: string;
  library: LibraryManifest | null;
  policy: DesensitizePolicy | null;
}

type ScenarioRow = {
  id: string; org: string; agreement: string; purpose: string; grants: string; state: Scenario["state"]; approvals: string; reason: string | null;
  submitted_by: string; expires: unknown; library: string | null; policy: string | null;
};

function toScenario(r: ScenarioRow): Scenario {
  return {
    // Scenarios stored before join-only columns existed have none.
    id: r.id, org: r.org, agreement: r.agreement, purpose: r.purpose, grants: (JSON.parse(r.grants) as Grant[]).map((g) => ({ ...g, joinOnly: g.joinOnly ?? [] })), state: r.state,
    approvals: JSON.parse(r.approvals) as Approvals, reason: r.reason, submittedBy: r.submitted_by,
    expires: r.expires instanceof Date ? r.expires.toISOString().slice(0, 10) : String(r.expires), library: r.library ? (JSON.parse(r.library) as LibraryManifest) : null,
    policy: r.policy ? (JSON.parse(r.policy) as DesensitizePolicy) : null,
  };
}

/** Loads a scenario or NOT_FOUND (no authorization: callers decide). */
export async function loadScenario(s: Pick<Session, "domain">, id: string): Promise<Scenario> {
  const r = await one<ScenarioRow>(s.domain.control, "SELECT * FROM scenarios WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `scenario '${id}' does not exist`, { details: { what: "scenario", id } });
  return toScenario(await s.domain.checkRow("scenarios", r));
}

async function providerOrgs(s: Pick<Session, "domain">, grants: Grant[]): Promise<string[]> {
  const out = new Set<string>();
  for (const g of grants) out.add((await currentVersion(s, g.dataset)).provider);
  return [...out].filter((o) => o !== "operator").sort();
}

/** A developer submits one scenario with its purpose and least-necessary column grants (R4). */
export async function submitScenario(s: Session, raw: unknown): Promise<Scenario> {
  authorize(s.principal, "scenario.submit");
  const input = parseInput(SubmitScenarioInput, raw, "scenario");
  const grants = parseGrants(input.grants, input.joinOnly);
  return s.domain.mutate(async () => {
    await expireLapsed(s);
    if (await one(s.domain.control, "SELECT 1 FROM scenarios WHERE id = ?", [input.id])) throw new ShuyuError("invalid", "DUPLICATE_ID", `scenario '${input.id}' already exists`);
    for (const g of grants) {
      const ds = await currentVersion(s, g.dataset);
      const meta = await one<{ negative_list: boolean }>(s.domain.control, "SELECT negative_list FROM dataset_meta WHERE id = ?", [g.dataset]);
      if (meta?.negative_list) throw new ShuyuError("invalid", "NEGATIVE_LIST", `dataset '${g.dataset}' is on the negative list (GY 12)`);
      const unknown = g.columns.filter((c) => !ds.columns.some((dc) => dc.name === c));
      if (unknown.length) {
        throw new ShuyuError("invalid", "UNKNOWN_COLUMN", `dataset '${g.dataset}' has no column ${unknown.map((c) => `'${c}'`).join(", ")} (columns: ${ds.columns.map((c) => c.name).join(", ")})`, {
          details: { dataset: g.dataset, columns: unknown },
        });
      }
      const reserved = g.columns.filter((c) => c.startsWith(RESERVED_PREFIX));
      if (reserved.length) {
        throw new ShuyuError("invalid", "RESERVED_COLUMN", `column names starting '${RESERVED_PREFIX}' are reserved for the domain and cannot be granted (${reserved.join(", ")}); rename the column and re-ingest`, {
          details: { dataset: g.dataset, columns: reserved },
        });
      }
      await requireSubjectKey(s, g.dataset);
      await assertSocialOwner(s, g.dataset, s.principal.orgId);
    }
    const agreement = await coveringAgreement(s, s.principal.orgId, grants.map((g) => g.dataset));
    if (input.until && input.until > agreement.end) {
      throw new ShuyuError("invalid", "BEYOND_AGREEMENT", `--until ${input.until} is after the agreement's end ${agreement.end}`);
    }
    const approvals: Approvals = { providers: {}, required: ["operator", ...(await providerOrgs(s, grants))] };
    await s.domain.control.run("INSERT INTO scenarios VALUES (?, ?, ?, ?, ?, 'submitted', ?, NULL, ?, ?::TIMESTAMP, NULL, ?::DATE, NULL, ?)", [
      input.id, s.principal.orgId, agreement.id, input.purpose, JSON.stringify(grants), JSON.stringify(approvals), s.principal.accountId,
      now().toISOString(), input.until ?? agreement.end, input.policy ? JSON.stringify(input.policy) : null,
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "scenario.submit", object: `scenario:${input.id}`, details: { purpose: input.purpose, grants, agreement: agreement.id, policy: input.policy ?? null } });
    return loadScenario(s, input.id);
  });
}

/**
 * Records one approval: the operator admin's or a provider's for its own datasets
 * (HB 23, GY 34(2)). When every required party has approved, the scenario's
 * authorized data library is materialised.
 */
export async function approveScenario(s: Session, id: string, reason?: string): Promise<Scenario> {
  return s.domain.mutate(async () => {
    await expireLapsed(s);
    const sc = await loadScenario(s, id);
    const providers = sc.approvals.required.filter((r) => r !== "operator");
    authorize(s.principal, "scenario.approve", { providerOrgs: providers, ownerOrg: sc.org });
    if (sc.state !== "submitted") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `scenario '${id}' is ${sc.state}; only a submitted scenario can be approved`, { details: { state: sc.state } });
    const stamp = { by: s.principal.accountId, at: now().toISOString() };
    const party = s.principal.orgKind === "operator" ? "operator" : s.principal.orgId;
    if (party === "operator") sc.approvals.operator = stamp;
    else sc.approvals.providers[party] = stamp;
    let missing = sc.approvals.required.filter((r) => (r === "operator" ? !sc.approvals.operator : !sc.approvals.providers[r]));
    // HB 28: a whitelisted scenario takes the fast-review path (the operator's approval alone), still reviewed on its own.
    const fast = missing.length && sc.approvals.operator ? await fastReviewBasis(s, sc) : undefined;
    if (fast) missing = [];
    let library: LibraryManifest | null = null;
    if (missing.length === 0) library = await materialiseLibraries(s, sc);
    await s.domain.control.run("UPDATE scenarios SET approvals = ?, state = ?, decided_at = ?::TIMESTAMP, library = ? WHERE id = ?", [
      JSON.stringify(sc.approvals), missing.length ? "submitted" : "approved", missing.length ? null : stamp.at, library ? JSON.stringify(library) : null, id,
    ]);
    await s.domain.audit({
      actor: s.principal.accountId, action: "scenario.approve", object: `scenario:${id}`,
      details: { party, reason: reason ?? null, waitingFor: missing, ...(fast ? { fastReview: fast } : {}), ...(library ? { library: library.datasets.map((d) => ({ dataset: d.dataset, version: d.version, sm3: d.sm3, rows: d.rows })) } : {}) },
    });
    return loadScenario(s, id);
  });
}

/** Rejects a submitted scenario with a stated reason (HB 23). */
export async function rejectScenario(s: Session, id: string, reason: string | undefined): Promise<Scenario> {
  return s.domain.mutate(async () => {
    const sc = await loadScenario(s, id);
    authorize(s.principal, "scenario.reject", { providerOrgs: sc.approvals.required.filter((r) => r !== "operator"), ownerOrg: sc.org });
    if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", "a rejection states its reason: --reason TEXT");
    if (sc.state !== "submitted") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `scenario '${id}' is ${sc.state}; only a submitted scenario can be rejected`);
    await s.domain.control.run("UPDATE scenarios SET state = 'rejected', reason = ?, decided_at = ?::TIMESTAMP WHERE id = ?", [reason, now().toISOString(), id]);
    await s.domain.audit({ actor: s.principal.accountId, action: "scenario.reject", object: `scenario:${id}`, details: { reason } });
    return loadScenario(s, id);
  });
}

const CHANGES = {
  suspend: { from: ["approved"], to: "suspended" },
  resume: { from: ["suspended"], to: "approved" },
  revoke: { from: ["submitted", "approved", "suspended"], to: "revoked" },
} as const;

/** Suspends, resumes or revokes a scenario (operator admin, with a reason). */
export async function changeScenario(s: Session, id: string, change: keyof typeof CHANGES, reason: string | undefined): Promise<Scenario> {
  authorize(s.principal, "scenario.change");
  if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", `--reason is required to ${change} a scenario`);
  return s.domain.mutate(async () => {
    await expireLapsed(s);
    const sc = await loadScenario(s, id);
    const t = CHANGES[change];
    if (!(t.from as readonly string[]).includes(sc.state)) {
      throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `scenario '${id}' is ${sc.state}; cannot ${change} (allowed from: ${t.from.join(", ")})`);
    }
    if (change === "resume") {
      const ag = await one<{ state: string }>(s.domain.control, "SELECT state FROM agreements WHERE id = ?", [sc.agreement]);
      if (ag?.state !== "active") throw new ShuyuError("invalid", "AGREEMENT_INACTIVE", `agreement '${sc.agreement}' is ${ag?.state}; resume it first`);
    }
    await s.domain.control.run("UPDATE scenarios SET state = ?, reason = ? WHERE id = ?", [t.to, reason, id]);
    await s.domain.audit({ actor: s.principal.accountId, action: `scenario.${change}`, object: `scenario:${id}`, details: { reason } });
    if (change === "revoke") await purgeScenario(s, id, "revoked", s.principal.accountId);
    return loadScenario(s, id);
  });
}

/** Shows a scenario to those allowed to see it. */
export async function showScenario(s: Session, id: string): Promise<Scenario> {
  await s.domain.mutate(() => expireLapsed(s));
  const sc = await loadScenario(s, id);
  authorize(s.principal, "scenario.read", { ownerOrg: sc.org });
  return sc;
}

/** Lists the scenarios the principal may see. */
export async function listScenarios(s: Session): Promise<Scenario[]> {
  authorize(s.principal, "scenario.read");
  await s.domain.mutate(() => expireLapsed(s));
  const rows = (await all<ScenarioRow>(s.domain.control, "SELECT * FROM scenarios ORDER BY submitted_at")).map(toScenario);
  if (seesAllOrgs(s.principal) || s.principal.roles.includes("reviewer")) return rows;
  if (s.principal.orgKind === "provider") return rows.filter((r) => r.approvals.required.includes(s.principal.orgId));
  return rows.filter((r) => r.org === s.principal.orgId);
}

/** Rows of the dev-mode sample library per dataset. */
export const SAMPLE_LIBRARY_ROWS = 500;

/**
 * Materialises exactly the granted columns into the scenario's library (Parquet + SM3,
 * DESIGN §3) and the desensitized sample twin that dev mode runs on.
 */
async function materialiseLibraries(s: Session, sc: Scenario): Promise<LibraryManifest> {
  const secret = subjectSecret(s.domain.paths.keys);
  const sources: LibrarySource[] = [];
  const sampleSources: LibrarySource[] = [];
  for (const g of sc.grants) {
    const ds = await currentVersion(s, g.dataset);
    // The key is checked again: a re-ingest since submission may have unconfirmed it.
    const key = await requireSubjectKey(s, g.dataset);
    const subject = { kind: key.kind, columns: key.columns };
    const all = await datasetRoles(s, g.dataset, ds);
    const joinOnly = g.joinOnly ?? [];
    const roles: Record<string, GrantedRole> = Object.fromEntries(g.columns.map((c) => [c, joinOnly.includes(c) ? "join-only" : all[c]]));
    sources.push({ dataset: g.dataset, version: ds.version, from: ident(ds.vaultTable), columns: g.columns, roles, subject });
    const temp = `sample_${sc.id}_${g.dataset}`.replace(/[^A-Za-z0-9_]/g, "_");
    const { keyFrom } = await buildSampleTwin(s.domain.vault, ds.vaultTable, temp, ds.columns, g.columns, key.columns, await sampleTags(s, g.dataset), {
      rows: SAMPLE_LIBRARY_ROWS,
      seed: randomInt(2 ** 31),
    });
    sampleSources.push({ dataset: g.dataset, version: ds.version, from: ident(temp), columns: g.columns, roles, subject, keyFrom });
  }
  // Write protocol: both libraries under temporary names, renamed into place after the commit.
  const manifest = await writeLibrary(s.domain.vault, s.domain.pendingPath(s.domain.paths.library(sc.id)), sc.id, "raw", sources, secret);
  faultPoint("approve.after-library");
  const sample = await writeLibrary(s.domain.vault, s.domain.pendingPath(s.domain.paths.sampleLibrary(sc.id)), sc.id, "sample", sampleSources, secret);
  await recordLibraryManifest(s.domain, sc.id, "raw", manifest);
  await recordLibraryManifest(s.domain, sc.id, "sample", sample);
  faultPoint("approve.after-sample");
  return manifest;
}

/** Reads a library manifest from disk (raw or sample). */
export function readLibraryManifest(dir: string): LibraryManifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as LibraryManifest;
}

import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { seesAllOrgs } from "../../policies/authz/object-rules.js";
import { applyPolicy, defaultPolicyFor, type DesensitizePolicy, type Grade } from "../../policies/desensitize/index.js";
import {
  applyRemedies, computedExplanation, DEFAULT_PRECISION, ensureReleasedStore, recordReleasedCells, RELEASE_TIME_RULES, RELEASED_STORE, REMEDIES, runChecks, sortFindings,
  type CheckInput, type Finding, type LedgerColumn, type OutputTable, type RawColumnRef, type RemedyName, type RemedyResult, type TableMark,
} from "../../policies/disclosure/index.js";
import { readJobCode } from "../../policies/disclosure/content/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { detectPii } from "../../policies/pii/detect.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { all, ident, one } from "../domain/db.js";
import { sealPackage, type PackageInput } from "../egress/package.js";
import type { StagedPart } from "../jobs/staging.js";
import { ledgerSubjectsTable, ledgerTable, type TableMark as StagedMark } from "../ledger/index.js";
import { checkNow } from "../lifecycle/gate.js";
import { assertStanding } from "../lifecycle/standing.js";
import { columnTags } from "./datasets.js";
import { loadJob, stagedParts } from "./jobs.js";
import { loadScenario } from "./scenarios.js";
import { tableDigest, verifyStaged, verifyTables } from "../jobs/staged-digest.js";
import { faultPoint } from "../domain/faults.js";
import type { Session } from "./session.js";

export const FORMS = ["dataset", "report", "model", "index"] as const;
export type Form = (typeof FORMS)[number];

export const EgressRequestInput = z.object({
  job: z.string().min(1),
  form: z.enum(FORMS, { message: `form is one of ${FORMS.join("|")}` }),
  recipient: z.string().optional(),
  /** Gate-side remedies applied before the checks (then checked again): suppress-small, round5. */
  remedies: z.array(z.enum(REMEDIES as [RemedyName, ...RemedyName[]])).optional(),
});

/** One reviewer's decision, with the findings it saw (by digest). */
export interface Review {
  by: string;
  org: string;
  /** `return`: changes asked (the request goes to `returned`, the developer reads the reason). */
  decision: "approve" | "reject" | "return";
  reason: string;
  at: string;
  findingsSm3: string;
}

/** An egress request as stored. */
export interface EgressRequest {
  id: string;
  job: string;
  scenario: string;
  org: string;
  form: Form;
  state: "submitted" | "checked" | "approved" | "rejected" | "returned" | "blocked" | "released";
  findings: Finding[];
  desensitization: { table: string; output: string; applied: { column: string; method: string }[]; mark?: TableMark["kind"]; remedies?: RemedyResult[]; digest?: string }[];
  reviews: Review[];
  requestedBy: string;
  package: string | null;
  grade: number;
  /** Approvals the request needs (two for grade-4 data) and those it has. */
  reviewsNeeded: number;
  approvals: number;
  /** When it was requested and decided (ISO 8601). */
  requestedAt: string;
  decidedAt: string | null;
  /** Owner-side `egress show`: the mark of each staged table (CONTRACT.md "Marks"). */
  marks?: { part?: string; table: string; mark: { kind: string } }[];
}

type EgressRow = {
  id: string; job: string; scenario: string; org: string; form: Form; state: EgressRequest["state"]; findings: string; desensitization: string;
  reviews: string; requested_by: string; package: string | null; requested_at: Date; decided_at: Date | null;
};

async function toRequest(s: Pick<Session, "domain">, r: EgressRow): Promise<EgressRequest> {
  const d = JSON.parse(r.desensitization) as { grade: number; tables: EgressRequest["desensitization"]; recipient?: string };
  const reviews = JSON.parse(r.reviews) as Review[];
  return {
    id: r.id, job: r.job, scenario: r.scenario, org: r.org, form: r.form, state: r.state, findings: JSON.parse(r.findings) as Finding[],
    desensitization: d.tables, reviews, requestedBy: r.requested_by, package: r.package, grade: d.grade,
    reviewsNeeded: reviewersNeeded(d.grade), approvals: reviews.filter((v) => v.decision === "approve").length,
    requestedAt: r.requested_at.toISOString(), decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
  };
}

/** Loads an egress request or NOT_FOUND. */
export async function loadEgress(s: Pick<Session, "domain">, id: string): Promise<EgressRequest & { recipient?: string }> {
  const r = await one<EgressRow>(s.domain.control, "SELECT * FROM egress WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `egress request '${id}' does not exist`, { details: { what: "egress request", id } });
  await s.domain.checkRow("egress", r);
  const recipient = (JSON.parse(r.desensitization) as { recipient?: string }).recipient;
  return { ...(await toRequest(s, r)), ...(recipient ? { recipient } : {}) };
}

const egressTable = (id: string, name: string) => `${id}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");

/** The vault tables and tags of the raw columns a job's scenario granted (what the checks compare against). */
async function rawColumns(s: Pick<Session, "domain">, scenarioId: string, library: { dataset: string; version: number }[]): Promise<{ refs: RawColumnRef[]; grade: Grade; byName: Map<string, string[]> }> {
  const sc = await loadScenario(s, scenarioId);
  const refs: RawColumnRef[] = [];
  const byName = new Map<string, string[]>();
  let grade = 1;
  for (const g of sc.grants) {
    const v = library.find((l) => l.dataset === g.dataset);
    const row = await one<{ vault_table: string; grade: number; state: string }>(s.domain.control, "SELECT vault_table, grade, state FROM datasets WHERE id = ? AND version = ?", [g.dataset, v?.version ?? -1]);
    if (!row || row.state === "purged") throw new ShuyuError("invalid", "SOURCE_PURGED", `the dataset version job read (${g.dataset} v${v?.version}) was purged; re-run the job`);
    grade = Math.max(grade, row.grade);
    const tags = await columnTags(s, g.dataset);
    for (const c of g.columns) {
      const t = tags.get(c)?.tags ?? [];
      refs.push({ table: row.vault_table, column: c, tags: t });
      byName.set(c, [...new Set([...(byName.get(c) ?? []), ...t])]);
    }
  }
  return { refs, grade: grade as Grade, byName };
}


/** Vault names of a job's ledger for query q, as the ledger names them. */
export function ledgerNames(job: string, q: number): { table: string; subjects: string } {
  return { table: ledgerTable(job, q), subjects: ledgerSubjectsTable(job, q) };
}

/** The gate's view of a staged table's mark: the ledger tables and the query's column metadata, read from the vault. */
async function markFor(s: Pick<Session, "domain">, job: string, mark: StagedMark | undefined): Promise<TableMark> {
  if (!mark || mark.kind === "computed" || mark.query === undefined) return { kind: "computed" };
  const meta = await one<{ meta: string }>(s.domain.vault, "SELECT CAST(meta AS VARCHAR) AS meta FROM led_queries WHERE job = ? AND q = ?", [job, mark.query]).catch(() => undefined);
  if (!meta) return { kind: "computed" };
  const columns = ((JSON.parse(meta.meta) as { columns?: LedgerColumn[] }).columns ?? []);
  return { ...mark, ledger: { ...ledgerNames(job, mark.query), columns } };
}

/**
 * Copies staged table `p` to vault table `into` for the gate: each row keeps its staged row
 * number (`__out_row`, the ledger map's out_row) and, for a row selection, its subject id from
 * the ledger (`__sid`; one join here, every record rule reads it). Returns the resolved mark.
 */
export async function gateCopy(s: Pick<Session, "domain">, job: string, p: StagedPart, into: string): Promise<{ mark: TableMark; withSid: boolean }> {
  const mark = await markFor(s, job, p.mark);
  const withSid = Boolean(mark.kind === "accounted-rows" && mark.map && mark.ledger);
  await s.domain.vault.run(withSid
    ? `CREATE TABLE ${ident(into)} AS SELECT s.*, s.rowid AS __out_row, l.__sid AS __sid FROM ${ident(p.table!)} s
         LEFT JOIN ${ident(mark.map!)} m ON m.out_row = s.rowid LEFT JOIN ${ident(mark.ledger!.table)} l ON l.__row = m.__row`
    : `CREATE TABLE ${ident(into)} AS SELECT *, rowid AS __out_row FROM ${ident(p.table!)}`);
  return { mark, withSid };
}

/** Reads a staged JSON part. */
function readStagedJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * A developer asks for a job's output to leave (R6): the gate desensitizes it (policy by
 * tags and grade, compiled to SQL) and runs every disclosure rule; a block finding
 * makes the request `blocked` for good.
 */
export async function requestEgress(s: Session, raw: unknown): Promise<EgressRequest> {
  const input = parseInput(EgressRequestInput, raw, "egress");
  const job = await loadJob(s, input.job);
  authorize(s.principal, "egress.request", { ownerOrg: job.org });
  await checkNow(s, { step: "egress.request", scenario: job.scenario, accounts: [s.principal.accountId, job.submitted_by] });
  if (job.mode !== "raw") throw new ShuyuError("invalid", "DEV_JOB", `job '${job.id}' ran on sample data; only raw runs go through the gate`);
  if (job.state !== "succeeded") throw new ShuyuError("invalid", "JOB_NOT_SUCCEEDED", `job '${job.id}' is ${job.state}; only a succeeded job's output can be requested`);
  const sc = await loadScenario(s, job.scenario);
  if (sc.state !== "approved") throw new ShuyuError("denied", "SCENARIO_NOT_APPROVED", `scenario '${sc.id}' is ${sc.state}`);
  const parts = await stagedParts(s, job.id);
  const want = { dataset: "table", report: "report", model: "model", index: "index" } as const;
  if (!parts.some((p) => p.kind === want[input.form])) {
    throw new ShuyuError("invalid", "FORM_MISMATCH", `job '${job.id}' staged no ${want[input.form]} output`);
  }
  // Verify on read: what the gate checks is what the job staged.
  await verifyStaged(s.domain.vault, parts);
  const library = JSON.parse((await one<{ library_digests: string }>(s.domain.control, "SELECT library_digests FROM jobs WHERE id = ?", [job.id]))!.library_digests) as { dataset: string; version: number }[];
  const { refs, grade, byName } = await rawColumns(s, sc.id, library);
  const id = `egr-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;

  return s.domain.mutate(async () => {
    const desensitization: EgressRequest["desensitization"] = [];
    const outputTables: OutputTable[] = [];
    const pseudonymized: { table: string; column: string }[] = [];
    const secret = Buffer.from(readFileSync(`${s.domain.paths.keys}/pseudonym.key`, "utf8").trim(), "hex");
    for (const p of parts.filter((x) => x.kind === "table" && input.form === "dataset")) {
      const detected = await detectPii(s.domain.vault, p.table!);
      const cols: Record<string, { tags: string[]; type: string }> = {};
      for (const d of detected) cols[d.column] = { tags: [...new Set([...(byName.get(d.column) ?? []), ...d.tags])], type: d.type };
      // The scenario's approved policy wins for the columns it names; the grade's defaults cover the rest.
      const defaults = defaultPolicyFor(cols, grade);
      const chosen = Object.fromEntries(Object.entries(sc.policy?.columns ?? {}).filter(([c]) => c in cols));
      const policy: DesensitizePolicy = { columns: { ...defaults.columns, ...chosen } };
      // Vault names come from the part's alias: the model's name is data (and two CJK names would collide).
      const out = egressTable(id, p.alias ?? p.name);
      // Each output row keeps its staged row number (the ledger map's out_row) through desensitization.
      const src = `${out}__src`;
      const { mark, withSid } = await gateCopy(s, job.id, p, src);
      const applied = await applyPolicy(s.domain.vault, src, out, policy, { secret }).finally(() => s.domain.vault.run(`DROP TABLE IF EXISTS ${ident(src)}`));
      desensitization.push({ table: p.name, output: out, applied: applied.applied.filter((a) => a.method !== "keep"), mark: mark.kind });
      for (const a of applied.applied) if (a.method === "pseudonym") pseudonymized.push({ table: out, column: a.column });
      const described = await all<{ column_name: string; column_type: string }>(s.domain.vault, `DESCRIBE SELECT * FROM ${ident(out)}`);
      outputTables.push({ name: out, label: p.name, mark, rowColumn: "__out_row", ...(withSid ? { sidColumn: "__sid" } : {}), columns: described.map((c) => ({ name: c.column_name, type: c.column_type, tags: cols[c.column_name]?.tags ?? [] })) });
    }
    const partFile = (k: string) => parts.find((x) => x.kind === k)?.file;
    await ensureReleasedStore(s.domain.vault);
    const base: CheckInput = { conn: s.domain.vault, form: input.form, outputTables, raw: refs, pseudonymized, grade, released: RELEASED_STORE };
    // Remedies the developer chose run first (compiled to SQL over the ledger's counts); the checks then judge the result.
    const remedies = await applyRemedies(base, input.remedies ?? []);
    for (const d of desensitization) {
      const mine = remedies.filter((r) => r.table === d.table);
      if (mine.length) d.remedies = mine;
      // Taken once the remedies have run: the release checks the tables are still what was checked.
      d.digest = await tableDigest(s.domain.vault, d.output);
    }
    const findings = await runChecks({
      ...base,
      model: input.form === "model" && partFile("model") ? readStagedJson(partFile("model")!) : undefined,
      report: input.form === "report" && partFile("report") ? String(readStagedJson(partFile("report")!)) : undefined,
      index: input.form === "index" && partFile("index") ? (readStagedJson(partFile("index")!) as number[]) : undefined,
      logs: partFile("logs") ? (readStagedJson(partFile("logs")!) as string[]) : undefined,
      // Content checks: the ledger of this job, and its code and parameters (constants a report may quote).
      job: job.id,
      code: readJobCode(s.domain.paths.jobStaging(job.id), job.code_sm3),
      params: JSON.parse((await one<{ params: string }>(s.domain.control, "SELECT params FROM jobs WHERE id = ?", [job.id]))!.params),
    });
    const state = findings.some((f) => f.severity === "block") ? "blocked" : "checked";
    faultPoint("egress.after-checks");
    await s.domain.control.run("INSERT INTO egress VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?::TIMESTAMP, ?::TIMESTAMP, NULL)", [
      id, job.id, sc.id, job.org, input.form, state, JSON.stringify(findings), JSON.stringify({ grade, tables: desensitization, check: outputTables, ...(input.recipient ? { recipient: input.recipient } : {}) }),
      s.principal.accountId, now().toISOString(), state === "blocked" ? now().toISOString() : null,
    ]);
    await s.domain.audit({
      actor: s.principal.accountId, action: "egress.request", object: `egress:${id}`,
      // Table names inside `desensitization` are model-chosen: the chain keeps their SM3 only.
      details: { job: job.id, form: input.form, state, grade, desensitizationSm3: createHash("sm3").update(JSON.stringify(desensitization)).digest("hex"), findings: findings.filter((f) => f.severity !== "pass").map((f) => ({ rule: f.rule, severity: f.severity })) },
    });
    return loadEgress(s, id);
  });
}

/**
 * What each viewer may see of a request, blocks first, then reviews. Developers get rule,
 * severity, table and remedy (details can carry small counts), and the full text of a
 * computed-table block, which says only how to release the statistic.
 */
export async function showEgress(s: Session, id: string): Promise<EgressRequest> {
  const r = await loadEgress(s, id);
  authorize(s.principal, "egress.read", { ownerOrg: r.org });
  await s.domain.exclusive(() => s.domain.audit({ actor: s.principal.accountId, action: "egress.show", object: `egress:${id}`, details: {} }));
  const findings = sortFindings(r.findings);
  // The supervision view sees every decision and rule, not the cells a finding quotes.
  if (s.principal.orgKind === "regulator") return { ...r, findings: findings.map(({ cells: _cells, ...f }) => f) };
  if (s.principal.roles.includes("reviewer") || seesAllOrgs(s.principal)) {
    if (s.principal.orgKind === "developer") return { ...r, findings };
    // The ledger's mark of each table the request covers (owner-side only, never a developer organisation).
    const marks = (await stagedParts(s, r.job)).filter((p) => p.kind === "table").map((p) => ({ ...(p.alias ? { part: p.alias } : {}), table: p.name, mark: p.mark ?? { kind: "computed" as const } }));
    return { ...r, findings, marks };
  }
  return {
    ...r,
    findings: findings.map((f) => {
      if (f.severity === "pass" || f.rule === "computed-table") return f;
      const shown: Finding = { rule: f.rule, severity: f.severity, detail: "see the reviewer's decision", zh: "详见审核意见" };
      return { ...shown, ...(f.table ? { table: f.table } : {}), ...(f.remedy ? { remedy: f.remedy } : {}) };
    }),
  };
}

/** The explanation a developer gets for a computed table (also for dev mode, before submitting). */
export { computedExplanation };

/** Lists requests the principal may see (reviewers: the queue). */
export async function listEgress(s: Session): Promise<EgressRequest[]> {
  authorize(s.principal, "egress.read");
  const rows = await all<EgressRow>(s.domain.control, "SELECT * FROM egress ORDER BY requested_at DESC");
  const visible = rows.filter((r) => seesAllOrgs(s.principal) || s.principal.roles.includes("reviewer") || r.org === s.principal.orgId);
  return Promise.all(visible.map((r) => toRequest(s, r)));
}

/** Reviewers needed: two for grade-4 data, one otherwise. */
export function reviewersNeeded(grade: number): number {
  return grade >= 4 ? 2 : 1;
}

/**
 * A reviewer of another organisation approves or rejects (R6, separation of duties).
 * A block finding can never be approved (exit 4). The final approval seals the package.
 */
export async function reviewEgress(s: Session, id: string, decision: Review["decision"], reason: string | undefined): Promise<EgressRequest & { product?: { id: string; package: string } }> {
  if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", "a review states its reason: --reason TEXT");
  return s.domain.mutate(async () => {
    const r = await loadEgress(s, id);
    const submitter = await one<{ org: string }>(s.domain.control, "SELECT org FROM accounts WHERE id = ?", [r.requestedBy]);
    authorize(s.principal, "egress.review", { submitterOrg: submitter?.org ?? r.org, ownerOrg: r.org });
    await assertStanding(s, { step: "egress.review", scenario: r.scenario, accounts: [s.principal.accountId, r.requestedBy] });
    if (r.state === "blocked") {
      const blocks = r.findings.filter((f) => f.severity === "block");
      throw new ShuyuError("blocked", "EGRESS_BLOCKED", `request '${id}' is blocked by ${blocks.map((b) => b.rule).join(", ")}; no one can approve it: ${blocks[0]?.detail ?? ""}`, {
        details: { rules: blocks.map((b) => b.rule) },
      });
    }
    if (r.state !== "checked" && r.state !== "submitted") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `request '${id}' is ${r.state}; it can no longer be reviewed`);
    if (r.reviews.some((x) => x.by === s.principal.accountId)) throw new ShuyuError("invalid", "ALREADY_REVIEWED", `${s.principal.accountId} already reviewed '${id}'; a second reviewer must be another person`);
    const review: Review = {
      by: s.principal.accountId, org: s.principal.orgId, decision, reason, at: now().toISOString(),
      findingsSm3: createHash("sm3").update(JSON.stringify(r.findings)).digest("hex"),
    };
    const reviews = [...r.reviews, review];
    const approvals = reviews.filter((x) => x.decision === "approve").length;
    let state: EgressRequest["state"] = decision === "reject" ? "rejected" : decision === "return" ? "returned" : approvals >= reviewersNeeded(r.grade) ? "approved" : "checked";
    let product: { id: string; package: string } | undefined;
    faultPoint("review.before-release");
    if (state === "approved") {
      // Cells released since this request was checked: difference against them again before anything leaves.
      const late = await lateChecks(s, id);
      if (late.length > 0) {
        const findings = sortFindings([...r.findings, ...late]);
        await s.domain.control.run("UPDATE egress SET state = 'blocked', findings = ?, reviews = ?, decided_at = ?::TIMESTAMP WHERE id = ?", [JSON.stringify(findings), JSON.stringify(reviews), now().toISOString(), id]);
        await s.domain.audit({ actor: "system", action: "egress.block", object: `egress:${id}`, details: { at: "release", findings: late.map((f) => ({ rule: f.rule, severity: f.severity })) } });
        const blocked = await loadEgress(s, id);
        throw new ShuyuError("blocked", "EGRESS_BLOCKED", `request '${id}' is blocked at release by ${late.map((b) => b.rule).join(", ")}: ${late[0].detail}`, { details: { rules: late.map((b) => b.rule), state: blocked.state } });
      }
      product = await release(s, r, reviews);
      state = "released";
    }
    await s.domain.control.run("UPDATE egress SET state = ?, reviews = ?, decided_at = ?::TIMESTAMP, package = ? WHERE id = ?", [
      state, JSON.stringify(reviews), now().toISOString(), product?.package ?? null, id,
    ]);
    await s.domain.audit({
      actor: s.principal.accountId, action: `egress.${decision}`, object: `egress:${id}`,
      details: { reason, state, findingsSm3: review.findingsSm3, findings: r.findings.filter((f) => f.severity !== "pass").map((f) => ({ rule: f.rule, severity: f.severity })), ...(product ? { product: product.id } : {}) },
    });
    return { ...(await loadEgress(s, id)), ...(product ? { product } : {}) };
  });
}

/** The output tables as the checks saw them (stored with the request). */
async function checkedTables(s: Pick<Session, "domain">, id: string): Promise<OutputTable[]> {
  const row = await one<{ desensitization: string }>(s.domain.control, "SELECT desensitization FROM egress WHERE id = ?", [id]);
  return (JSON.parse(row!.desensitization) as { check?: OutputTable[] }).check ?? [];
}

/** Release-time rules (differencing against cells released meanwhile); their block findings. */
async function lateChecks(s: Pick<Session, "domain">, id: string): Promise<Finding[]> {
  const outputTables = await checkedTables(s, id);
  if (!outputTables.some((t) => t.mark?.kind === "accounted-aggregate")) return [];
  await ensureReleasedStore(s.domain.vault);
  const f = await runChecks({ conn: s.domain.vault, form: "dataset", outputTables, raw: [], released: RELEASED_STORE }, RELEASE_TIME_RULES);
  return f.filter((x) => x.severity === "block");
}

/** Seals the approved output into outbox/ and registers the product (HB 26 存证). */
async function release(s: Session, r: EgressRequest & { recipient?: string }, reviews: Review[]): Promise<{ id: string; package: string }> {
  await assertStanding(s, { step: "egress.release", scenario: r.scenario, accounts: [r.requestedBy, ...reviews.map((x) => x.by)] });
  const sc = await loadScenario(s, r.scenario);
  const job = await loadJob(s, r.job);
  const parts = await stagedParts(s, r.job);
  // Verify on read: the staged files and the checked tables are still what was staged and checked.
  await verifyStaged(s.domain.vault, parts);
  await verifyTables(s.domain.vault, r.desensitization);
  const productId = `prd-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  const input: PackageInput = {
    product: productId,
    form: r.form,
    scenario: { id: sc.id, purpose: sc.purpose, agreement: sc.agreement, org: sc.org },
    datasets: sc.grants,
    job: { id: job.id, codeSm3: job.code_sm3 },
    desensitization: r.desensitization,
    findings: r.findings.map((f) => ({ rule: f.rule, severity: f.severity })),
    reviewers: reviews.map((x) => ({ by: x.by, org: x.org, at: x.at })),
    requestedBy: r.requestedBy,
    tables: (await checkedTables(s, r.id)).map((t) => ({ name: t.label ?? t.name, vaultTable: t.name, columns: t.columns })),
    precision: sc.policy?.precision ?? DEFAULT_PRECISION,
    model: r.form === "model" ? readStagedJson(parts.find((p) => p.kind === "model")!.file) : undefined,
    report: r.form === "report" ? String(readStagedJson(parts.find((p) => p.kind === "report")!.file)) : undefined,
    index: r.form === "index" ? (readStagedJson(parts.find((p) => p.kind === "index")!.file) as number[]) : undefined,
    recipientPem: r.recipient,
  };
  const sealed = await sealPackage(s.domain, input);
  faultPoint("release.after-package");
  // Every released cell's subject set, so later requests of any organisation are differenced against it.
  const outputTables = await checkedTables(s, r.id);
  if (outputTables.some((t) => t.mark?.kind === "accounted-aggregate")) {
    await recordReleasedCells({ conn: s.domain.vault, form: "dataset", outputTables, raw: [] }, { egress: r.id, org: r.org, scenario: r.scenario, at: now().toISOString() });
  }
  await s.domain.control.run("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, 'listed', ?::TIMESTAMP)", [
    productId, r.id, sc.id, sc.org, r.form, sealed.path, sealed.sm3, now().toISOString(),
  ]);
  await s.domain.audit({ actor: "system", action: "product.register", object: `product:${productId}`, details: { egress: r.id, package: sealed.path, sm3: sealed.sm3 } });
  return { id: productId, package: sealed.path };
}

/** Registered products (HB 26) the principal may see. */
export async function listProducts(s: Session): Promise<{ id: string; egress: string; scenario: string; org: string; form: string; package: string; sm3: string; state: string; releasedAt: string }[]> {
  authorize(s.principal, "product.read");
  const rows = await all<{ id: string; egress: string; scenario: string; org: string; form: string; package: string; package_sm3: string; state: string; released_at: Date }>(
    s.domain.control, "SELECT * FROM products ORDER BY released_at DESC",
  );
  return rows
    .filter((r) => seesAllOrgs(s.principal) || s.principal.roles.includes("reviewer") || r.org === s.principal.orgId)
    .map((r) => ({ id: r.id, egress: r.egress, scenario: r.scenario, org: r.org, form: r.form, package: r.package, sm3: r.package_sm3, state: r.state, releasedAt: r.released_at.toISOString() }));
}

import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { seesAllOrgs } from "../../policies/authz/object-rules.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput } from "../../policies/schemas/common.js";
import { type JobError, type JobLimits, type JobOutcome, type JobOutputs, type JobSpec, type LoggedQuery } from "../../sandbox/index.js";
import { now } from "../clock.js";
import { all, one } from "../domain/db.js";
import { wholeSeconds } from "../jobs/coarse.js";
import { checkRawJobQuota, effectiveLimits, ensureJobPolicyTables, maximaFor, releases, storeRelease, type JobMaxima } from "../jobs/job-policy.js";
import { recordInternalError } from "../jobs/internal-errors.js";
import { sharedPool } from "../jobs/shared-pool.js";
import { formatDiagnostics, typecheckModel } from "../jobs/typecheck.js";
import { discardStaged, stageFailure, stageOutputs, type StagedPart } from "../jobs/staging.js";
import { isPreDataReason, releaseAt } from "../jobs/status-channel.js";
import { accountingSpec, dedupeQueries, markTable, purgeLedger, writeLedger, type JobOrigin, type LedgerEntry, type TableMark } from "../ledger/index.js";
import type { Principal } from "../../policies/authz/principal.js";
import { jobCodeFile, keepJobCode, readJobCode } from "../../policies/disclosure/content/job-code.js";
import type { Domain } from "../domain/domain.js";
import type { LibraryManifest } from "../library/materialise.js";
import { checkNow, gateCompletion } from "../lifecycle/gate.js";
import { expireLapsed } from "./agreements.js";
import { loadScenario, readLibraryManifest, type Scenario } from "./scenarios.js";
import { libraryMismatches, libraryTampered, recordedLibraryManifest } from "../library/verify.js";
import { selfIdentity, isAlive } from "../domain/process-identity.js";
import { checkJsonInput, checkValueDepth } from "../../policies/limits.js";
import { faultPoint } from "../domain/faults.js";
import { withTableDigests } from "../jobs/staged-digest.js";
import { fsyncTree } from "../domain/durable-file.js";
import type { Session } from "./session.js";
import { awaitRemoteOutcome, enqueueInTransaction, publishRun, scaleOutOf, workerHostOf } from "../scale/remote-run.js";
import { cancelRemoteRun } from "../scale/remote-cancel.js";

const LimitsSchema = z
  .object({
    memoryMiB: z.number().int().min(16).max(1024),
    cpuMs: z.number().int().min(100).max(3_600_000),
    wallMs: z.number().int().min(100).max(3_600_000),
    outputBytes: z.number().int().min(1024).max(1024 ** 3),
    rowsPerQuery: z.number().int().min(1).max(100_000_000),
    queries: z.number().int().min(1).max(100_000),
    logLines: z.number().int().min(0).max(1_000_000),
    parts: z.number().int().min(1).max(100_000),
  })
  .partial();

export const SubmitJobInput = z
  .object({
    scenario: IdSchema,
    model: z.string().optional(),
    sql: z.string().optional(),
    params: z.string().optional(),
    limits: LimitsSchema.optional(),
  })
  .refine((v) => (v.model === undefined) !== (v.sql === undefined), { message: "give exactly one of --model FILE or --sql TEXT" });

interface PreparedJob {
  scenario: Scenario;
  kind: "model" | "sql";
  code: string;
  language?: "js" | "ts";
  params: unknown;
  limits: JobLimits;
  maxima: JobMaxima;
}

/** Reads and checks everything a job needs before anything is recorded. */
async function prepare(s: Session, raw: unknown, action: "job.submit" | "job.dev"): Promise<PreparedJob> {
  const input = parseInput(SubmitJobInput, raw, "job");
  await s.domain.mutate(() => expireLapsed(s));
  const scenario = await loadScenario(s, input.scenario);
  authorize(s.principal, action, { ownerOrg: scenario.org });
  if (scenario.state !== "approved") {
    throw new ShuyuError("denied", "SCENARIO_NOT_APPROVED", `scenario '${scenario.id}' is ${scenario.state}; jobs run only under an approved, unexpired scenario`, { details: { state: scenario.state } });
  }
  const agreement = await one<{ state: string }>(s.domain.control, "SELECT state FROM agreements WHERE id = ?", [scenario.agreement]);
  if (agreement?.state !== "active") {
    throw new ShuyuError("denied", "AGREEMENT_INACTIVE", `agreement '${scenario.agreement}' is ${agreement?.state ?? "missing"}`);
  }
  await checkNow(s, { step: action, scenario: scenario.id, accounts: [s.principal.accountId] });
  // SQL jobs bind an array to $1, $2, …; models get an object as ctx.params.
  let params: unknown = input.sql !== undefined ? [] : {};
  if (input.params !== undefined) {
    // Checked before parsing: a deeply nested value would overflow the parser or the IPC serializer.
    checkJsonInput(input.params, "--params", { maxBytes: 1024 * 1024 });
    try {
      params = JSON.parse(input.params);
    } catch (err) {
      throw new ShuyuError("invalid", "INVALID_PARAMS", `--params is not valid JSON: ${(err as Error).message}`);
    }
  }
  checkValueDepth(params, "--params");
  if (input.sql !== undefined && !Array.isArray(params)) {
    throw new ShuyuError("invalid", "INVALID_PARAMS", "--params of a SQL job is a JSON array bound to $1, $2, …");
  }
  // The operator's maxima for this scenario bound what a developer may ask for.
  const maxima = await maximaFor(s.domain, scenario.id);
  const limits = effectiveLimits(input.limits ?? {}, maxima);
  if (input.sql !== undefined) {
    if (!input.sql.trim()) throw new ShuyuError("invalid", "EMPTY_SQL", "--sql is empty");
    return { scenario, kind: "sql", code: input.sql, params, limits, maxima };
  }
  const file = input.model!;
  if (!existsSync(file) || !statSync(file).isFile()) throw new ShuyuError("invalid", "MODEL_NOT_FOUND", `model file ${file} does not exist`, { details: { file } });
  const ext = extname(file).toLowerCase();
  if (![".js", ".mjs", ".ts", ".mts"].includes(ext)) throw new ShuyuError("invalid", "UNSUPPORTED_MODEL", `models are .js/.mjs or .ts/.mts files (got ${ext || "no extension"})`);
  const code = readFileSync(file, "utf8");
  if (statSync(file).size > 4 * 1024 * 1024) throw new ShuyuError("invalid", "MODEL_TOO_LARGE", "model files are limited to 4 MiB");
  return { scenario, kind: "model", code, language: ext.includes("ts") ? "ts" : "js", params, limits, maxima };
}

/** The job spec for a library: one view per dataset with its granted columns, their roles and the sid column's name. */
export function specFor(jobId: string, dir: string, manifest: LibraryManifest, p: Omit<PreparedJob, "maxima">): JobSpec {
  return {
    jobId,
    libraryDir: dir,
    // Libraries written before subject ids existed have neither roles nor a sid column.
    views: manifest.datasets.map((d) => ({ name: d.view, file: join(dir, d.file), columns: d.columns, dataset: d.dataset, ...(d.roles ? { roles: d.roles } : {}), ...(d.sid ? { sidColumn: d.sid } : {}), ...(d.subject ? { subject: d.subject } : {}) })),
    kind: p.kind,
    code: p.code,
    language: p.language,
    params: p.params,
    limits: p.limits,
    tenant: p.scenario.org,
  };
}

/**
 * A job as its viewer may see it. For a raw job seen by its developer this is exactly the
 * declared status channel (runtime/jobs/status-channel.ts): state, a time bucket, and a
 * reason only when the code alone decided it; no outputs. Operators and reviewers of
 * other organisations see the staged parts with their real names and figures.
 */
export interface JobView {
  id: string;
  scenario: string;
  org: string;
  submittedBy: string;
  kind: string;
  mode: "raw" | "dev";
  /** `developer`: the bounded channel; `operator`: the owner-side record. */
  view: "developer" | "operator";
  state: "queued" | "running" | "succeeded" | "failed" | "killed" | "cancelled";
  reason: string | null;
  error: { type: string; code: string; line?: number; column?: number } | null;
  /** Developer view of a raw job: the time bucket's edge (s); otherwise whole seconds. */
  seconds: number | null;
  outputs: { part: string; kind: string; name?: string; rows?: number; bytes?: number; table?: string }[];
  codeSm3: string;
  /** When the job was submitted (ISO 8601, UTC). */
  createdAt: string;
  /** When its worker started (ISO 8601); null while queued. */
  startedAt: string | null;
  /**
   * When it ended (ISO 8601). Exact for dev runs and the owner-side record; a raw run's
   * developer sees `startedAt` plus the time bucket's edge (null while the answer is held),
   * because an exact end time would be a timing channel out of the model.
   */
  finishedAt: string | null;
  /** Operator view only, scale-out: the worker host that ran it (absent when the owner ran it). */
  worker?: string;
  /** Operator view only (the owner-side record): each staged table's ledger mark. Never in the developer's view. */
  marks?: { part: string; table: string; mark: TableMark }[];
}

/** Filters and paging of `listJobs`. */
export interface JobFilter {
  state?: string;
  scenario?: string;
  mode?: "raw" | "dev";
  /** At most this many jobs (default 50, at most 1000). */
  limit?: number;
  /** Skip this many of the newest first. */
  offset?: number;
}

type JobRow = {
  id: string; scenario: string; org: string; submitted_by: string; kind: string; mode: "raw" | "dev"; code_sm3: string; state: JobView["state"];
  reason: string | null; error: string | null; outputs: string | null; created_at: Date; started_at: Date | null; finished_at: Date | null;
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** Who sees the owner-side record: the operator, and reviewers or auditors of another organisation. */
function seesOwnerRecord(p: Principal, org: string): boolean {
  if (p.orgKind === "operator") return true;
  return (p.roles.includes("reviewer") || p.roles.includes("auditor")) && p.orgId !== org;
}

type Release = { releaseMs: number; seconds: number } | undefined;

function toView(r: JobRow, viewer: Principal, release: Release): JobView {
  const err = r.error ? (JSON.parse(r.error) as JobError) : null;
  const parts = r.outputs ? (JSON.parse(r.outputs) as StagedPart[]) : [];
  const times = { createdAt: r.created_at.toISOString(), startedAt: iso(r.started_at), finishedAt: iso(r.finished_at) };
  const base = { id: r.id, scenario: r.scenario, org: r.org, submittedBy: r.submitted_by, kind: r.kind, mode: r.mode, codeSm3: r.code_sm3, ...times };
  if (seesOwnerRecord(viewer, r.org)) {
    return {
      ...base, view: "operator", state: r.state, reason: r.reason,
      error: err ? { type: err.type, code: err.code, line: err.line, column: err.column } : null,
      seconds: wholeSeconds(r.started_at, r.finished_at),
      outputs: parts.map((p, i) => ({ part: p.alias ?? `t${i + 1}`, kind: p.kind, name: p.name, ...(p.rows !== undefined ? { rows: p.rows } : {}), bytes: p.bytes, ...(p.table ? { table: p.table } : {}) })),
      marks: parts.flatMap((p, i) => (p.kind === "table" ? [{ part: p.alias ?? `t${i + 1}`, table: p.name, mark: p.mark ?? { kind: "computed" as const } }] : [])),
    };
  }
  if (r.mode === "dev") {
    // Dev runs read the sample library: nothing raw to protect, and the caller saw the outcome already.
    return { ...base, view: "developer", state: r.state, reason: r.reason, error: err ? { type: err.type, code: err.code, line: err.line, column: err.column } : null, seconds: wholeSeconds(r.started_at, r.finished_at), outputs: [] };
  }
  const held = r.state === "running" || r.state === "queued" || (release !== undefined && Date.now() < release.releaseMs);
  if (held) return { ...base, finishedAt: null, view: "developer", state: "running", reason: null, error: null, seconds: null, outputs: [] };
  const preData = isPreDataReason(r.kind, r.reason);
  return {
    ...base, view: "developer", state: r.state,
    finishedAt: r.started_at && release ? new Date(r.started_at.getTime() + release.seconds * 1000).toISOString() : null,
    reason: preData ? r.reason : null,
    error: preData && err ? { type: err.type, code: err.code, line: err.line, column: err.column } : null,
    seconds: release?.seconds ?? null,
    outputs: [],
  };
}

/** Loads a job row or NOT_FOUND. */
export async function loadJob(s: Pick<Session, "domain">, id: string): Promise<JobRow> {
  const r = await one<JobRow>(s.domain.control, "SELECT * FROM jobs WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `job '${id}' does not exist`, { details: { what: "job", id } });
  return s.domain.checkRow("jobs", r);
}

/** Staged parts of a job with exact figures (owner side: the egress gate reads these). */
export async function stagedParts(s: Pick<Session, "domain">, id: string): Promise<StagedPart[]> {
  const r = await loadJob(s, id);
  return r.outputs ? (JSON.parse(r.outputs) as StagedPart[]) : [];
}

function newJobId(): string {
  return `job-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
}

/**
 * Runs a job on the scenario's raw library in the sandbox and stages its outputs
 * (R1, R5): nothing computed on raw data is shown, only the coarse status.
 */
export async function submitJob(s: Session, raw: unknown): Promise<JobView> {
  authorize(s.principal, "job.submit");
  await ensureJobPolicyTables(s.domain);
  const p = await prepare(s, raw, "job.submit");
  const dir = s.domain.paths.library(p.scenario.id);
  // Verify on read: the library's files against the manifest the control store recorded at approval.
  const manifest = (await recordedLibraryManifest(s.domain, p.scenario.id, "raw")) ?? readLibraryManifest(dir);
  const bad = await libraryMismatches(dir, manifest);
  const id = newJobId();
  const codeSm3 = createHash("sm3").update(p.code).digest("hex");
  // The status channel's clock: real time, so a moved domain clock cannot shorten the hold.
  const startedMs = Date.now();
  // The control store keeps only the digest; the gate reads the code's constants from staging.
  keepJobCode(s.domain.paths.jobStaging(id), p.code);
  const me = selfIdentity();
  const spec = specFor(id, dir, manifest, p);
  // Scale-out: the library goes to the bucket by SM3 first; the run is queued with the job row.
  const remote = bad.length ? undefined : scaleOutOf(s.domain);
  const payload = remote ? await publishRun(spec, remote) : undefined;
  await s.domain.mutate(async () => {
    await checkRawJobQuota(s.domain, s.principal.accountId, p.scenario.org, now());
    await s.domain.control.run(
      "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, 'raw', ?, ?, ?, ?, 'running', NULL, NULL, NULL, ?::TIMESTAMP, ?::TIMESTAMP, NULL)",
      [id, p.scenario.id, p.scenario.org, s.principal.accountId, p.kind, codeSm3, JSON.stringify(p.params), JSON.stringify(manifest.datasets.map((d) => ({ dataset: d.dataset, version: d.version, sm3: d.sm3 }))),
        JSON.stringify(p.limits), now().toISOString(), now().toISOString()],
    );
    await s.domain.control.run("INSERT OR REPLACE INTO job_owners VALUES (?, ?, ?, ?)", [id, me.pid, me.start, me.host]);
    await s.domain.audit({
      actor: s.principal.accountId, action: "job.submit", object: `job:${id}`,
      details: { scenario: p.scenario.id, kind: p.kind, codeSm3, paramsSm3: createHash("sm3").update(JSON.stringify(p.params)).digest("hex"), limits: p.limits, library: manifest.datasets.map((d) => d.sm3) },
    });
    if (payload) await enqueueInTransaction(s.domain, payload);
  });
  if (bad.length) {
    const err = libraryTampered(p.scenario.id, "raw", bad);
    await finishJob(s, id, { state: "failed", reason: "LIBRARY_TAMPERED", outputs: { tables: {}, logs: [] }, error: { type: "Error", code: "LIBRARY_TAMPERED", message: err.message }, queries: 0 }, p, startedMs, { queries: [] });
    return toView(await loadJob(s, id), s.principal, undefined);
  }
  faultPoint("job.before-run");
  // `job cancel` from another process signals the owner; the pool kills this job's worker.
  const onCancel = () => void sharedPool().cancel(id);
  process.on("SIGUSR2", onCancel);
  let outcome: JobOutcome;
  let worker: string | undefined;
  try {
    // A CLI owner releases the domain's files while the sandbox runs (the worker needs only the library).
    if (remote) {
      const r = await s.domain.detached(() => awaitRemoteOutcome(remote, id));
      ({ worker, outcome } = r);
    } else outcome = await s.domain.detached(() => sharedPool().run(spec));
  } catch (err) {
    outcome = { state: "failed", reason: "SANDBOX_ERROR", outputs: { tables: {}, logs: [] }, error: { type: "Error", code: "SANDBOX_ERROR", message: String(err) }, queries: 0 };
  } finally {
    process.off("SIGUSR2", onCancel);
  }
  faultPoint("job.after-run");
  // The accounting run is another sandbox job: the files stay released meanwhile. On scale-out
  // it runs here, in the owner, on the owner's copy of the library: the host's word is not the ledger.
  const accounted = await s.domain.detached(() => account(spec, outcome));
  await finishJob(s, id, outcome, p, startedMs, accounted, worker);
  // The answer waits for the time bucket's edge: how long the job really took is not observable.
  const release = (await releases(s.domain, id)).get(id);
  // ...and waits with the domain's files released, so the hold blocks no other command.
  if (release) await s.domain.detached(() => new Promise((r) => setTimeout(r, Math.max(0, release.releaseMs - Date.now()))));
  return toView(await loadJob(s, id), s.principal, release);
}

/**
 * Cancels a queued or running job (its owner's worker is killed, or on scale-out its queue
 * row removed and its worker host told to stop; nothing is staged).
 * The submitter's organisation or an operator admin may cancel.
 */
export async function cancelJob(s: Session, id: string, reason?: string): Promise<JobView> {
  const r = await loadJob(s, id);
  authorize(s.principal, "job.cancel", { ownerOrg: r.org });
  if (r.state !== "running" && r.state !== "queued") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `job '${id}' is ${r.state}; only a queued or running job can be cancelled`, { details: { state: r.state } });
  const owner = await one<{ pid: number; start: string; host: string }>(s.domain.control, "SELECT pid, start, host FROM job_owners WHERE job = ?", [id]);
  await s.domain.mutate(async () => {
    await s.domain.control.run("UPDATE jobs SET state = 'cancelled', reason = 'CANCELLED', finished_at = ?::TIMESTAMP WHERE id = ?", [now().toISOString(), id]);
    await s.domain.audit({ actor: s.principal.accountId, action: "job.cancel", object: `job:${id}`, details: { reason: reason ?? null, from: r.state } });
    // Scale-out: the queue row goes with the state change; the host running it hears the cancel at commit.
    await cancelRemoteRun(s.domain, id);
  });
  if (owner?.pid === process.pid) sharedPool().cancel(id);
  else if (owner && isAlive(owner)) {
    try {
      process.kill(owner.pid, "SIGUSR2");
    } catch {
      // the owner ended meanwhile: nothing runs any more
    }
  }
  return toView(await loadJob(s, id), s.principal, undefined);
}

/**
 * Recomputes the job's ledger in a separate worker (sandbox/README.md, "Query log,
 * accounting job and the ledger"): the model's process only said which queries it
 * ran; the counts come from this run.
 */
async function account(spec: JobSpec, outcome: JobOutcome): Promise<{ queries: LoggedQuery[]; run?: JobOutcome }> {
  const queries = dedupeQueries(outcome.queryLog);
  if (queries.length === 0) return { queries };
  try {
    return { queries, run: await sharedPool().run(accountingSpec(spec, queries)) };
  } catch {
    return { queries };
  }
}

/**
 * Stores the ledger and marks each staged table against it. A failure here leaves the
 * tables unmarked, i.e. `computed` (the strictest), and the job's outcome unchanged.
 */
async function ledgerAndMarks(s: Pick<Session, "domain">, id: string, accounted: { queries: LoggedQuery[]; run?: JobOutcome }, parts: StagedPart[], declared: JobOutputs["declared"], origin: JobOrigin): Promise<LedgerEntry[]> {
  try {
    const ledger = await writeLedger(s.domain.vault, id, accounted.queries, accounted.run, origin);
    for (const part of parts) {
      if (part.kind === "table" && part.table) part.mark = await markTable(s.domain.vault, id, part.alias ?? part.name, part.table, ledger, declared?.[part.name]);
    }
    return ledger;
  } catch (err) {
    recordInternalError(s.domain, err, { job: id, step: "ledger" });
    for (const part of parts) delete part.mark;
    await purgeLedger(s.domain.vault, id).catch(() => undefined);
    return [];
  }
}

/** SM3 of a canonical JSON text: what the audit chain keeps of model-chosen material. */
const sm3Json = (v: unknown) => createHash("sm3").update(JSON.stringify(v)).digest("hex");

/**
 * Stages a raw run's outputs and records its end. A staging error fails the job with the
 * generic STAGING_FAILED (its message staged); any error after that still ends the job
 * (INTERNAL with an error id), so no job stays `running`. The audit entry holds codes and
 * SM3 digests only: names, counts and messages are model-chosen. A job cancelled (or marked
 * INTERRUPTED) meanwhile is left as it is. Staged files are fsync'd before the commit; if it
 * never happens the job stays `running` and recovery marks it INTERRUPTED and removes them.
 */
async function finishJob(s: Pick<Session, "domain">, id: string, outcome: JobOutcome, p: PreparedJob, startedMs: number, accounted: { queries: LoggedQuery[]; run?: JobOutcome }, worker?: string): Promise<void> {
  const dir = s.domain.paths.jobStaging(id);
  let ledger: LedgerEntry[] = [];
  const record = async (o: JobOutcome, parts: StagedPart[]) => {
    const release = releaseAt(new Date(startedMs), new Date(), p.limits.wallMs);
    await s.domain.control.run("UPDATE jobs SET state = ?, reason = ?, error = ?, outputs = ?, finished_at = ?::TIMESTAMP WHERE id = ?", [
      o.state, o.reason ?? null, o.error ? JSON.stringify(o.error) : null, JSON.stringify(parts), now().toISOString(), id,
    ]);
    await storeRelease(s.domain, id, release.at.getTime(), release.seconds);
    await s.domain.audit({
      actor: "system", action: `job.${o.state}`, object: `job:${id}`,
      details: {
        reason: o.reason ?? null, errorCode: o.error?.code ?? null,
        // Scale-out: the worker host that ran it (job status reads it from here).
        ...(worker ? { worker } : {}),
        staged: parts.map((x) => ({ part: x.alias, kind: x.kind, sm3: x.sm3, ...(x.mark ? { mark: x.mark.kind } : {}) })),
        ledger: ledger.map((e) => ({ q: e.q, sqlSm3: e.sqlSm3, kind: e.kind })),
        recordSm3: sm3Json({ names: parts.map((x) => x.name), rows: parts.map((x) => x.rows ?? null), bytes: parts.map((x) => x.bytes), queries: o.queries, error: o.error ?? null }),
      },
    });
  };
  try {
    await s.domain.mutate(async () => {
      // PostgreSQL: the row is locked first, so two processes finishing one job (an owner's late result) end it once.
      await s.domain.pgTransaction()?.native("SELECT id FROM jobs WHERE id = $1 FOR UPDATE", [id]);
      if ((await loadJob(s, id)).state !== "running") return;
      outcome = await gateCompletion(s, id, outcome);
      let parts: StagedPart[];
      let final = outcome;
      try {
        parts = await withTableDigests(s.domain.vault, await stageOutputs(s.domain.vault, dir, id, outcome.outputs, outcome.error, { parts: p.limits.parts, stagedBytes: p.maxima.stagedBytes }));
        faultPoint("job.after-staging");
        ledger = await ledgerAndMarks(s, id, accounted, parts, outcome.outputs.declared, { code: p.code, params: p.params });
      } catch (err) {
        await discardStaged(s.domain.vault, dir, id);
        await purgeLedger(s.domain.vault, id);
        const limit = err instanceof ShuyuError && err.code === "LIMIT_STAGED";
        const message = err instanceof Error ? err.message : String(err);
        final = limit
          ? { state: "killed", reason: "LIMIT_STAGED", outputs: { tables: {}, logs: [] }, queries: outcome.queries, error: { type: "Error", code: "LIMIT_STAGED", message } }
          : { state: "failed", reason: "STAGING_FAILED", outputs: { tables: {}, logs: [] }, queries: outcome.queries, error: { type: "Error", code: "STAGING_FAILED", message } };
        parts = stageFailure(dir, final.error!);
      }
      fsyncTree(dir);
      await record(final, parts);
    });
  } catch (err) {
    // Even the bookkeeping failed: end the job with an error id; the details go to the owner-side store.
    const errorId = recordInternalError(s.domain, err, { job: id });
    try {
      await s.domain.mutate(() => record({ state: "failed", reason: "INTERNAL", outputs: { tables: {}, logs: [] }, queries: 0, error: { type: "Error", code: "INTERNAL", message: `internal error ${errorId}` } }, []));
    } catch {
      throw new ShuyuError("internal", "INTERNAL", `internal error ${errorId}; the operator finds its details in the domain's staging/internal-errors`, { details: { errorId } });
    }
  }
}

/**
 * Scale-out: ends a raw job whose owner process died while a worker host ran it, from the
 * host's outcome, through finishJob (staging, ledger, marks, audit) as the owner would have.
 * Called by the recovery pass of the next writer open. The ledger comes from the owner's own
 * accounting run, on the library and code the job ran with; when either is no longer there
 * its queries stay unaccounted (the strictest marks).
 */
export async function finishLateResult(domain: Domain, id: string, worker: string, outcome: JobOutcome): Promise<void> {
  const s = { domain };
  const row = (await loadJob(s, id)) as JobRow & { params: string; limits: string; library_digests: string };
  if (row.state !== "running" || row.mode !== "raw") return;
  const scenario = await loadScenario(s, row.scenario);
  const code = readJobCode(domain.paths.jobStaging(id), row.code_sm3);
  const p: PreparedJob = { scenario, kind: row.kind as PreparedJob["kind"], code: code ?? "", params: JSON.parse(row.params), limits: JSON.parse(row.limits) as JobLimits, maxima: await maximaFor(domain, scenario.id) };
  const dir = domain.paths.library(scenario.id);
  const manifest = await recordedLibraryManifest(domain, scenario.id, "raw");
  const ran = (JSON.parse(row.library_digests) as { sm3: string }[]).map((d) => d.sm3).join();
  const same = code !== undefined && !!manifest && manifest.datasets.map((d) => d.sm3).join() === ran && (await libraryMismatches(dir, manifest)).length === 0;
  const accounted = same ? await account(specFor(id, dir, manifest, p), outcome) : { queries: dedupeQueries(outcome.queryLog) };
  await finishJob(s, id, outcome, p, row.started_at?.getTime() ?? Date.now(), accounted, worker);
}

/** Dev mode: the same worker, guard and limits over the scenario's sample library; everything is shown. */
export async function devJob(s: Session, raw: unknown): Promise<{ job: string; outcome: JobOutcome; view: JobView }> {
  authorize(s.principal, "job.dev");
  await ensureJobPolicyTables(s.domain);
  const p = await prepare(s, raw, "job.dev");
  if (p.language === "ts") await refuseTypeErrors(p.code, (raw as { model?: string }).model ?? "model.ts");
  const dir = s.domain.paths.sampleLibrary(p.scenario.id);
  const manifest = (await recordedLibraryManifest(s.domain, p.scenario.id, "sample")) ?? readLibraryManifest(dir);
  const id = newJobId();
  // Dev output is shown: a sample file replaced by raw rows must never run.
  const bad = await libraryMismatches(dir, manifest);
  if (bad.length) {
    await s.domain.audit({ actor: s.principal.accountId, action: "job.dev.refused", object: `job:${id}`, details: { scenario: p.scenario.id, reason: "LIBRARY_TAMPERED", files: bad.map((b) => b.file) } });
    throw libraryTampered(p.scenario.id, "sample", bad);
  }
  const started = now().toISOString();
  const spec = specFor(id, dir, manifest, p);
  const outcome = await s.domain.detached(() => sharedPool().run(spec));
  const accounted = await s.domain.detached(() => account(spec, outcome));
  // Sample-data logs are visible by definition; kept beside the job so `job logs` can show them later.
  const logDir = s.domain.paths.jobStaging(id);
  await s.domain.mutate(async () => {
    mkdirSync(logDir, { recursive: true });
    writeFileSync(s.domain.pendingPath(join(logDir, DEV_LOGS)), JSON.stringify(outcome.outputs.logs));
    // The dry run credits the code's constants as an egress request does (report numbers, bands).
    writeFileSync(s.domain.pendingPath(jobCodeFile(logDir)), p.code, { mode: 0o600 });
    await writeLedger(s.domain.vault, id, accounted.queries, accounted.run, { code: p.code, params: p.params });
    await s.domain.control.run(
      "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, 'dev', ?, ?, ?, ?, ?, ?, ?, NULL, ?::TIMESTAMP, ?::TIMESTAMP, ?::TIMESTAMP)",
      [id, p.scenario.id, p.scenario.org, s.principal.accountId, p.kind, createHash("sm3").update(p.code).digest("hex"), JSON.stringify(p.params),
        JSON.stringify(manifest.datasets.map((d) => ({ dataset: d.dataset, sm3: d.sm3 }))), JSON.stringify(p.limits), outcome.state, outcome.reason ?? null,
        outcome.error ? JSON.stringify(outcome.error) : null, started, started, now().toISOString()],
    );
    await s.domain.audit({ actor: s.principal.accountId, action: "job.dev", object: `job:${id}`, details: { scenario: p.scenario.id, kind: p.kind, state: outcome.state, reason: outcome.reason ?? null } });
  });
  return { job: id, outcome, view: toView(await loadJob(s, id), s.principal, undefined) };
}

/** Dev mode refuses a TypeScript model that does not type-check against `shuyu/model`, with compiler-style lines. */
async function refuseTypeErrors(code: string, file: string): Promise<void> {
  const diags = await typecheckModel(code);
  if (diags.length === 0) return;
  throw new ShuyuError("invalid", "MODEL_TYPE_ERROR", `${file} does not type-check against shuyu/model (${diags.length} error${diags.length > 1 ? "s" : ""}):\n${formatDiagnostics(file, diags)}`, {
    details: { file, diagnostics: diags },
  });
}

const DEV_LOGS = "dev-logs.json";

/** A job's logs as the gate allows them: a dev run's lines (sample data), none of a raw run's before egress. */
export async function jobLogs(s: Session, id: string): Promise<{ id: string; mode: "raw" | "dev"; logs: string[] | null; note?: string }> {
  const r = await loadJob(s, id);
  authorize(s.principal, "job.read", { ownerOrg: r.org });
  if (r.mode === "raw") {
    return { id, mode: "raw", logs: null, note: "a raw run's logs are computed on raw data: they are staged with its outputs and leave only through the egress gate" };
  }
  const file = join(s.domain.paths.jobStaging(id), DEV_LOGS);
  return { id, mode: "dev", logs: existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as string[]) : [] };
}

/** The coarse status of a job for those allowed to see it. */
export async function jobStatus(s: Session, id: string): Promise<JobView> {
  await ensureJobPolicyTables(s.domain);
  const r = await loadJob(s, id);
  authorize(s.principal, "job.read", { ownerOrg: r.org });
  const view = toView(r, s.principal, (await releases(s.domain, id)).get(id));
  if (view.view !== "operator") return view;
  const worker = await workerHostOf(s.domain, id);
  return worker ? { ...view, worker } : view;
}

/** Query of `job list` and `GET /api/jobs`. */
export const JobFilterSchema = z.object({
  state: z.enum(["queued", "running", "succeeded", "failed", "killed", "cancelled"], { message: "--state is queued|running|succeeded|failed|killed|cancelled" }).optional(),
  scenario: IdSchema.optional(),
  mode: z.enum(["raw", "dev"], { message: "--mode is raw or dev" }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * Jobs the principal may see, newest first, filtered and paged. The state filter applies to
 * the state the viewer sees (a held raw job is `running` to its developer), else filtering
 * would read the real state through the channel before its time.
 */
export async function listJobs(s: Session, filter: JobFilter = {}): Promise<JobView[]> {
  authorize(s.principal, "job.read");
  await ensureJobPolicyTables(s.domain);
  const f = parseInput(JobFilterSchema, filter, "job list");
  const where: string[] = [];
  const args: string[] = [];
  for (const [col, v] of [["scenario", f.scenario], ["mode", f.mode]] as const) {
    if (v === undefined) continue;
    where.push(`${col} = ?`);
    args.push(v);
  }
  const rows = await all<JobRow>(s.domain.control, `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id`, args);
  const held = await releases(s.domain);
  return rows
    .filter((r) => seesAllOrgs(s.principal) || s.principal.roles.includes("reviewer") || r.org === s.principal.orgId)
    .map((r) => toView(r, s.principal, held.get(r.id)))
    .filter((v) => f.state === undefined || v.state === f.state)
    .slice(f.offset, f.offset + f.limit);
}

/** Everything a dev-mode run produced, for printing. */
export function describeOutputs(o: JobOutputs): string[] {
  const lines: string[] = [];
  for (const [name, t] of Object.entries(o.tables)) {
    lines.push(`table ${name} (${t.rowCount} rows): ${t.columns.map((c) => `${c.name}:${c.type}`).join(", ")}`);
    const show = Math.min(t.rowCount, 20);
    for (let r = 0; r < show; r++) lines.push("  " + t.columns.map((c) => String((c.values as ArrayLike<unknown>)[r])).join(" | "));
    if (t.rowCount > show) lines.push(`  … ${t.rowCount - show} more rows`);
  }
  if (o.model !== undefined) lines.push(`model: ${JSON.stringify(o.model).slice(0, 2000)}`);
  if (o.report !== undefined) lines.push(`report:\n${o.report}`);
  if (o.index !== undefined) lines.push(`index: ${JSON.stringify(o.index.slice(0, 100))}`);
  for (const l of o.logs) lines.push(`log: ${l}`);
  return lines;
}

import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput } from "../../policies/schemas/common.js";
import { DEFAULT_LIMITS, type JobError, type JobLimits, type JobOutcome, type JobOutputs, type JobSpec } from "../../sandbox/index.js";
import { now } from "../clock.js";
import { all, one } from "../domain/db.js";
import { twoSignificant, wholeSeconds } from "../jobs/coarse.js";
import { sharedPool } from "../jobs/shared-pool.js";
import { stageOutputs, type StagedPart } from "../jobs/staging.js";
import type { LibraryManifest } from "../library/materialise.js";
import { expireLapsed } from "./agreements.js";
import { loadScenario, readLibraryManifest, type Scenario } from "./scenarios.js";
import type { Session } from "./session.js";

const LimitsSchema = z
  .object({
    memoryMiB: z.number().int().min(16).max(1024),
    cpuMs: z.number().int().min(100).max(3_600_000),
    wallMs: z.number().int().min(100).max(3_600_000),
    outputBytes: z.number().int().min(1024).max(1024 ** 3),
    rowsPerQuery: z.number().int().min(1).max(100_000_000),
    queries: z.number().int().min(1).max(100_000),
    logLines: z.number().int().min(0).max(1_000_000),
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
  // SQL jobs bind an array to $1, $2, …; models get an object as ctx.params.
  let params: unknown = input.sql !== undefined ? [] : {};
  if (input.params !== undefined) {
    try {
      params = JSON.parse(input.params);
    } catch (err) {
      throw new ShuyuError("invalid", "INVALID_PARAMS", `--params is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (input.sql !== undefined && !Array.isArray(params)) {
    throw new ShuyuError("invalid", "INVALID_PARAMS", "--params of a SQL job is a JSON array bound to $1, $2, …");
  }
  const limits = { ...DEFAULT_LIMITS, ...(input.limits ?? {}) };
  if (input.sql !== undefined) {
    if (!input.sql.trim()) throw new ShuyuError("invalid", "EMPTY_SQL", "--sql is empty");
    return { scenario, kind: "sql", code: input.sql, params, limits };
  }
  const file = input.model!;
  if (!existsSync(file) || !statSync(file).isFile()) throw new ShuyuError("invalid", "MODEL_NOT_FOUND", `model file ${file} does not exist`, { details: { file } });
  const ext = extname(file).toLowerCase();
  if (![".js", ".mjs", ".ts", ".mts"].includes(ext)) throw new ShuyuError("invalid", "UNSUPPORTED_MODEL", `models are .js/.mjs or .ts/.mts files (got ${ext || "no extension"})`);
  const code = readFileSync(file, "utf8");
  if (statSync(file).size > 4 * 1024 * 1024) throw new ShuyuError("invalid", "MODEL_TOO_LARGE", "model files are limited to 4 MiB");
  return { scenario, kind: "model", code, language: ext.includes("ts") ? "ts" : "js", params, limits };
}

/** The job spec for a library: one view per dataset with its granted columns, their roles and the sid column's name. */
export function specFor(jobId: string, dir: string, manifest: LibraryManifest, p: PreparedJob): JobSpec {
  return {
    jobId,
    libraryDir: dir,
    // Libraries written before subject ids existed have neither roles nor a sid column.
    views: manifest.datasets.map((d) => ({ name: d.view, file: join(dir, d.file), columns: d.columns, ...(d.roles ? { roles: d.roles } : {}), ...(d.sid ? { sidColumn: d.sid } : {}), ...(d.subject ? { subject: d.subject } : {}) })),
    kind: p.kind,
    code: p.code,
    language: p.language,
    params: p.params,
    limits: p.limits,
  };
}

/** A job as its submitter may see it: state, coarse timings and sizes, the error's type and place. */
export interface JobView {
  id: string;
  scenario: string;
  org: string;
  submittedBy: string;
  kind: string;
  mode: "raw" | "dev";
  state: "queued" | "running" | "succeeded" | "failed" | "killed";
  reason: string | null;
  error: { type: string; code: string; line?: number; column?: number } | null;
  seconds: number | null;
  outputs: { kind: string; name: string; rows?: number; bytes: number }[];
  codeSm3: string;
}

type JobRow = {
  id: string; scenario: string; org: string; submitted_by: string; kind: string; mode: "raw" | "dev"; code_sm3: string; state: JobView["state"];
  reason: string | null; error: string | null; outputs: string | null; started_at: Date | null; finished_at: Date | null;
};

function toView(r: JobRow): JobView {
  const err = r.error ? (JSON.parse(r.error) as JobError) : null;
  const parts = r.outputs ? (JSON.parse(r.outputs) as StagedPart[]) : [];
  return {
    id: r.id, scenario: r.scenario, org: r.org, submittedBy: r.submitted_by, kind: r.kind, mode: r.mode, state: r.state, reason: r.reason,
    error: err ? { type: err.type, code: err.code, line: err.line, column: err.column } : null,
    seconds: wholeSeconds(r.started_at, r.finished_at),
    outputs: parts.map((p) => ({ kind: p.kind, name: p.name, ...(p.rows !== undefined ? { rows: twoSignificant(p.rows) } : {}), bytes: twoSignificant(p.bytes) })),
    codeSm3: r.code_sm3,
  };
}

/** Loads a job row or NOT_FOUND. */
export async function loadJob(s: Pick<Session, "domain">, id: string): Promise<JobRow> {
  const r = await one<JobRow>(s.domain.control, "SELECT * FROM jobs WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `job '${id}' does not exist`, { details: { what: "job", id } });
  return r;
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
  const p = await prepare(s, raw, "job.submit");
  const dir = s.domain.paths.library(p.scenario.id);
  const manifest = readLibraryManifest(dir);
  const id = newJobId();
  const codeSm3 = createHash("sm3").update(p.code).digest("hex");
  await s.domain.mutate(async () => {
    await s.domain.control.run(
      "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, 'raw', ?, ?, ?, ?, 'running', NULL, NULL, NULL, ?::TIMESTAMP, ?::TIMESTAMP, NULL)",
      [id, p.scenario.id, p.scenario.org, s.principal.accountId, p.kind, codeSm3, JSON.stringify(p.params), JSON.stringify(manifest.datasets.map((d) => ({ dataset: d.dataset, version: d.version, sm3: d.sm3 }))),
        JSON.stringify(p.limits), now().toISOString(), now().toISOString()],
    );
    await s.domain.audit({
      actor: s.principal.accountId, action: "job.submit", object: `job:${id}`,
      details: { scenario: p.scenario.id, kind: p.kind, codeSm3, paramsSm3: createHash("sm3").update(JSON.stringify(p.params)).digest("hex"), limits: p.limits, library: manifest.datasets.map((d) => d.sm3) },
    });
  });
  let outcome: JobOutcome;
  try {
    outcome = await sharedPool().run(specFor(id, dir, manifest, p));
  } catch (err) {
    outcome = { state: "failed", reason: "SANDBOX_ERROR", outputs: { tables: {}, logs: [] }, error: { type: "Error", code: "SANDBOX_ERROR", message: String(err) }, queries: 0 };
  }
  return finishJob(s, id, outcome);
}

async function finishJob(s: Session, id: string, outcome: JobOutcome): Promise<JobView> {
  return s.domain.mutate(async () => {
    const parts = await stageOutputs(s.domain.vault, s.domain.paths.jobStaging(id), id, outcome.outputs, outcome.error);
    await s.domain.control.run("UPDATE jobs SET state = ?, reason = ?, error = ?, outputs = ?, finished_at = ?::TIMESTAMP WHERE id = ?", [
      outcome.state, outcome.reason ?? null, outcome.error ? JSON.stringify(outcome.error) : null, JSON.stringify(parts), now().toISOString(), id,
    ]);
    await s.domain.audit({
      actor: "system", action: `job.${outcome.state}`, object: `job:${id}`,
      details: { reason: outcome.reason ?? null, queries: outcome.queries, staged: parts.map((p) => ({ kind: p.kind, name: p.name, sm3: p.sm3 })), errorCode: outcome.error?.code ?? null },
    });
    return toView(await loadJob(s, id));
  });
}

/** Dev mode: the same worker, guard and limits over the scenario's sample library; everything is shown. */
export async function devJob(s: Session, raw: unknown): Promise<{ job: string; outcome: JobOutcome }> {
  authorize(s.principal, "job.dev");
  const p = await prepare(s, raw, "job.dev");
  const dir = s.domain.paths.sampleLibrary(p.scenario.id);
  const manifest = readLibraryManifest(dir);
  const id = newJobId();
  const outcome = await sharedPool().run(specFor(id, dir, manifest, p));
  await s.domain.mutate(async () => {
    await s.domain.control.run(
      "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, 'dev', ?, ?, ?, ?, ?, ?, ?, NULL, ?::TIMESTAMP, NULL, ?::TIMESTAMP)",
      [id, p.scenario.id, p.scenario.org, s.principal.accountId, p.kind, createHash("sm3").update(p.code).digest("hex"), JSON.stringify(p.params),
        JSON.stringify(manifest.datasets.map((d) => ({ dataset: d.dataset, sm3: d.sm3 }))), JSON.stringify(p.limits), outcome.state, outcome.reason ?? null,
        outcome.error ? JSON.stringify(outcome.error) : null, now().toISOString(), now().toISOString()],
    );
    await s.domain.audit({ actor: s.principal.accountId, action: "job.dev", object: `job:${id}`, details: { scenario: p.scenario.id, kind: p.kind, state: outcome.state, reason: outcome.reason ?? null } });
  });
  return { job: id, outcome };
}

/** The coarse status of a job for those allowed to see it. */
export async function jobStatus(s: Session, id: string): Promise<JobView> {
  const r = await loadJob(s, id);
  authorize(s.principal, "job.read", { ownerOrg: r.org });
  return toView(r);
}

/** Jobs the principal may see, newest first. */
export async function listJobs(s: Session): Promise<JobView[]> {
  authorize(s.principal, "job.read");
  const rows = await all<JobRow>(s.domain.control, "SELECT * FROM jobs ORDER BY created_at DESC");
  return rows.filter((r) => s.principal.orgKind === "operator" || s.principal.roles.includes("reviewer") || r.org === s.principal.orgId).map(toView);
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

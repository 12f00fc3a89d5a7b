/**
 * The sandbox's contract with the domain: what a job is, what it may use and
 * what comes back. Everything here crosses the owner ⇄ worker IPC channel, so it
 * is plain data (structured-clone safe).
 */
import type { SubjectKind } from "../policies/subjects/kinds.js";
import type { ColumnRole } from "../policies/subjects/roles.js";

/** What a column is to the privacy rules (DESIGN §8); defined with the subject keys. */
export type { ColumnRole } from "../policies/subjects/roles.js";

/** One granted dataset of a scenario's library, exposed as a DuckDB view named `name`. */
export interface LibraryView {
  name: string;
  /** Absolute path to a Parquet file inside the job's `libraryDir`. */
  file: string;
  /** The columns the view exposes: the granted ones only, never `sidColumn`. */
  columns: string[];
  /** Role of each granted column (`join-only` where the grant says so). */
  roles?: Record<string, ColumnRole | "join-only">;
  /** The file's hidden subject-id column (`__sid`): only the accounting run's views select it. */
  sidColumn?: string;
  /** The dataset's subject key (its columns need not be granted): joins on it share subjects. */
  subject?: { kind: SubjectKind; columns: string[] };
}

/** Per-job budgets; hitting one ends the job as `killed` with `LIMIT_<NAME>`. */
export interface JobLimits {
  /** Isolate heap (MiB); the worker's own caps are derived from it. */
  memoryMiB: number;
  /** CPU time spent inside the isolate (ms). */
  cpuMs: number;
  /** Wall-clock time from job start to outcome (ms). */
  wallMs: number;
  /** Size of the result the guest hands back (bytes of JSON + typed-array bytes). */
  outputBytes: number;
  /** Rows one `ctx.query` (or the SQL job) may return. */
  rowsPerQuery: number;
  /** Number of `ctx.query` calls. */
  queries: number;
  /** Number of `ctx.log` lines. */
  logLines: number;
  /** Output parts a result may hold (tables plus model, report, index). */
  parts: number;
}

/** Defaults sized for a 2-core host running a few jobs at once. */
export const DEFAULT_LIMITS: JobLimits = Object.freeze({
  memoryMiB: 128,
  cpuMs: 10_000,
  wallMs: 30_000,
  outputBytes: 64 * 1024 * 1024,
  rowsPerQuery: 10_000_000,
  queries: 1_000,
  logLines: 10_000,
  parts: 64,
});

/** A job as the owner hands it to the pool. */
export interface JobSpec {
  jobId: string;
  /** The scenario's library (or a sample library in dev mode); the only directory DuckDB may read. */
  libraryDir: string;
  views: LibraryView[];
  kind: "model" | "sql";
  /** JS / TS ES module (`export default async (ctx) => result`) or the SQL text. */
  code: string;
  language?: "js" | "ts";
  /** JSON parameters, visible to the model as `ctx.params` and bound as `$1…` in SQL jobs when an array. */
  params: unknown;
  limits: JobLimits;
  /** Who the job runs for (the organisation): the pool shares its workers fairly between tenants. */
  tenant?: string;
}

export type ColumnType = "int" | "double" | "bigint" | "string" | "bool" | "date" | "timestamp";

/** A result table: one typed array (numbers) or plain array (others) per column. */
export interface ColumnarTable {
  rowCount: number;
  /** `bigint` columns without NULLs come as BigInt64Array (exact); with NULLs as (bigint | null)[]. */
  columns: { name: string; type: ColumnType; values: unknown[] | ArrayLike<number> | BigInt64Array }[];
}

export interface JobOutputs {
  tables: Record<string, ColumnarTable>;
  model?: unknown;
  report?: string;
  index?: number[];
  logs: string[];
}

/**
 * What a failure tells about itself. `line`/`column` come only from the host's own capture
 * (a compile error V8 reported to the host), never from a stack the guest could write;
 * `message` and `trace` (the guest's own stack text) are staged by the domain, never shown on raw runs.
 */
export interface JobError {
  type: string;
  code: string;
  line?: number;
  column?: number;
  message: string;
  trace?: string;
}

export type JobState = "succeeded" | "failed" | "killed";

export interface JobOutcome {
  state: JobState;
  /** LIMIT_MEMORY, LIMIT_CPU, LIMIT_WALL, LIMIT_OUTPUT, LIMIT_ROWS, LIMIT_QUERIES, LIMIT_LOG, WORKER_CRASHED, SQL_DENIED, … */
  reason?: string;
  outputs: JobOutputs;
  error?: JobError;
  /** `ctx.query` calls made (1 for a SQL job). */
  queries: number;
  /** Time the worker spent creating DuckDB, isolate, context and compiling, in ms (benchmarks read it). */
  startMs?: number;
}

/** Test-only switches; the domain never sets them. */
export interface InternalJobOptions {
  /** Runs SQL without the guard so tests can attack the DuckDB lockdown on its own. */
  unguardedSql?: boolean;
}

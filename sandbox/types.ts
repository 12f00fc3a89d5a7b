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
  /** Catalog id of the dataset behind the view (the ledger tags subjects with it). */
  dataset?: string;
  /** Role of each granted column (`join-only` where the grant says so). */
  roles?: Record<string, ColumnRole | "join-only">;
  /** The file's hidden subject-id column (`__sid`): only the accounting run's views select it. */
  sidColumn?: string;
  /** The dataset's subject key (its columns need not be granted): joins on it share subjects. */
  subject?: { kind: SubjectKind; columns: string[] };
}

/** One query a job ran, as the worker logged it (the accounting job re-runs it). */
export interface LoggedQuery {
  sql: string;
  params: unknown[];
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
  /** `account`: re-run `queries` in accounted form (no isolate; views carry `sidColumn`). */
  kind: "model" | "sql" | "account";
  /** The deduplicated queries to account (kind `account` only). */
  queries?: LoggedQuery[];
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
  /** Kinds the model declared for its tables; staging honours one only if it is stricter than the mark. */
  declared?: Record<string, DeclaredKind>;
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

/** What a staged table is, from the least to the most strictly checked. */
export type DeclaredKind = "accounted-aggregate" | "accounted-rows" | "computed";

/** How one result column of an accounted query came about (led_queries.meta.columns). */
export interface LedgerColumnMeta {
  name: string;
  role: "group" | "aggregate" | "plain";
  agg?: "count" | "count_distinct" | "sum" | "avg" | "dispersion" | "single" | "values";
  /** Every aggregate class the column's expression uses (a ratio of sums has two). */
  aggs?: LedgerColumnMeta["agg"][];
  /** Set when the column is a window over the grouped rows. */
  window?: boolean;
  /** True when the ledger has __top1_<i>/__top2_<i>/__total_<i>, __nonzero_<i> and __mag1_<i>/__mag2_<i>, __abs_<i> (Σ|c|), __offmode_<i> and __offtwo_<i> (subjects off the one / two most common values) for this column (i = its result index). */
  additive?: boolean;
  source?: { dataset: string; column: string; role: string };
}

/** One accounted query as the accounting job reports it (tables `q<q>` and `q<q>_subjects` in outputs). */
export interface LedgerQuery {
  q: number;
  kind: "aggregate" | "rows" | "unaccounted";
  reason?: string;
  meta: { columns: LedgerColumnMeta[] };
  rows: number;
}

export interface JobOutcome {
  state: JobState;
  /** LIMIT_MEMORY, LIMIT_CPU, LIMIT_WALL, LIMIT_OUTPUT, LIMIT_ROWS, LIMIT_QUERIES, LIMIT_LOG, WORKER_CRASHED, SQL_DENIED, … */
  reason?: string;
  outputs: JobOutputs;
  error?: JobError;
  /** `ctx.query` calls made (1 for a SQL job). */
  queries: number;
  /** Every query the job ran, in order (model and SQL jobs; at most limits.queries). */
  queryLog?: LoggedQuery[];
  /** Accounting jobs only: one entry per accounted query. */
  ledger?: LedgerQuery[];
  /** Time the worker spent creating DuckDB, isolate, context and compiling, in ms (benchmarks read it). */
  startMs?: number;
}

/** Test-only switches; the domain never sets them. */
export interface InternalJobOptions {
  /** Runs SQL without the guard so tests can attack the DuckDB lockdown on its own. */
  unguardedSql?: boolean;
}

/**
 * Types for shuyu models (DESIGN §7): `import type { Model } from "shuyu/model"`.
 * A model is an ES module whose default export is `async (ctx) => result`; it runs in an
 * isolate with no require, no import, no timers, no network and no file system.
 */

/** One column as a query returns it: numbers in typed arrays, text (and dates, timestamps) as strings, NULL as null (NaN in Float64Array). */
export type QueryColumn = Int32Array | Float64Array | (string | null)[] | (boolean | null)[];

/** What `ctx.query` returns: the row count and one array per column, all of length `rowCount`. */
export interface QueryResult {
  rowCount: number;
  columns: Record<string, QueryColumn>;
}

/** JSON a job's parameters and a model output may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The one argument a model receives. */
export interface ModelContext {
  /**
   * Runs one guarded SELECT over the scenario's views (one view per granted dataset).
   * `params` bind to `$1, $2, …`. Identifier columns may appear only in `count(DISTINCT …)`
   * and equality joins and filters (else SQL_DENIED). Every query is accounted in the ledger.
   */
  query(sql: string, params?: readonly (string | number | boolean | null)[]): Promise<QueryResult>;
  /** The job's `--params` JSON (an object; `{}` when none were given). */
  readonly params: { readonly [key: string]: Json };
  /** Captured and staged like output: shown in dev mode, gated in raw mode. */
  log(...values: unknown[]): void;
}

/** One output table: column name → values, every column of the same length. */
export type OutputTable = Record<string, Int32Array | Float64Array | BigInt64Array | readonly (string | number | boolean | bigint | null)[]>;

/** What a model returns; each present part is staged as one output and gated on egress. */
export interface ModelResult {
  /** Tables by name (egress form `dataset`); returning `ctx.query(...).columns` unchanged keeps a table accounted. */
  tables?: Record<string, OutputTable>;
  /** A trained model's parameters (egress form `model`). */
  model?: Json;
  /** A text report (egress form `report`). */
  report?: string;
  /** An index: a list of numbers (egress form `index`). */
  index?: number[];
}

/** A model's default export. */
export type Model = (ctx: ModelContext) => Promise<ModelResult> | ModelResult;

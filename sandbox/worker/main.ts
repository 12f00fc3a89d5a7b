/**
 * Worker process entry: started by WorkerPool under Node's permission model, runs
 * exactly one job, answers with its outcome over IPC and exits, so nothing of one
 * job (heap, DuckDB instance, a corrupted isolate) survives into the next.
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import { openParserConnection } from "../sqlguard/parser.js";
import { guardSql } from "../sqlguard/guard.js";
import { toGuardViews } from "../sqlguard/guard-views.js";
import type { RunMessage, WorkerMessage } from "../protocol.js";
import { DEFAULT_LIMITS, type ColumnarTable, type JobOutcome, type LoggedQuery } from "../types.js";
import { runAccounting } from "./account.js";
import { readColumns, RowLimitError } from "./columns.js";
import { OutputInvalid, parseGuestError, parseOutputs, PartLimit } from "./guest-output.js";
import { prepareIsolate, runModel, type PreparedIsolate } from "./isolate.js";
import { createJobInstance, lockJobDatabase } from "./lockdown.js";
import { mapTrace, transpileModel } from "../transpile.js";

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

function empty(queries: number, logs: string[] = []): Pick<JobOutcome, "outputs" | "queries"> {
  return { outputs: { tables: {}, logs }, queries };
}

function sqlParams(params: unknown): DuckDBValue[] {
  if (params === undefined || params === null) return [];
  if (!Array.isArray(params)) throw new TypeError("a SQL job's params must be an array bound to $1, $2, …");
  return params.map((v: unknown) => {
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
    throw new TypeError("SQL params must be numbers, strings, booleans or null");
  });
}

async function runSql(msg: RunMessage, conn: DuckDBConnection, parser: DuckDBConnection, startedAt: number): Promise<JobOutcome> {
  const { spec } = msg;
  const startMs = Date.now() - startedAt;
  const queryLog: LoggedQuery[] = [{ sql: spec.code, params: Array.isArray(spec.params) ? (spec.params as unknown[]) : [] }];
  const timer = setTimeout(() => conn.interrupt(), spec.limits.wallMs);
  try {
    const bound = sqlParams(spec.params);
    // The grant's roles and the bound values, exactly as the accounting run re-checks them.
    if (!msg.internal.unguardedSql) await guardSql(spec.code, toGuardViews(spec.views), parser, bound);
    const result = await readColumns(conn, spec.code, bound, spec.limits.rowsPerQuery);
    const table: ColumnarTable = {
      rowCount: result.rowCount,
      columns: result.columns.map((c) => ({
        name: c.name,
        type: c.type,
        values: c.nulls && !Array.isArray(c.values) ? Array.from(c.values as ArrayLike<number | bigint>, (v, i) => (c.nulls![i] ? null : v)) : c.values,
      })),
    };
    return { state: "succeeded", outputs: { tables: { result: table }, logs: [] }, queries: 1, queryLog, startMs };
  } catch (err) {
    if (err instanceof RowLimitError) return { state: "killed", reason: "LIMIT_ROWS", ...empty(1), queryLog, startMs };
    if (Date.now() - startedAt >= spec.limits.wallMs) return { state: "killed", reason: "LIMIT_WALL", ...empty(1), queryLog, startMs };
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (code === "SQL_DENIED") return { state: "failed", reason: "SQL_DENIED", error: { type: "SqlError", code: "SQL_DENIED", message }, ...empty(1), queryLog, startMs };
    return { state: "failed", reason: code === "SQL_SYNTAX" ? "SQL_SYNTAX" : "SQL_ERROR", error: { type: "SqlError", code: typeof code === "string" ? code : "SQL_ERROR", message }, ...empty(1), queryLog, startMs };
  } finally {
    clearTimeout(timer);
  }
}

async function runModelJob(msg: RunMessage, conn: DuckDBConnection, parser: DuckDBConnection, startedAt: number, startedPerf: number, prepared: PreparedIsolate): Promise<JobOutcome> {
  const { spec } = msg;
  const run = await runModel({
    code: msg.code,
    paramsJson: JSON.stringify(spec.params ?? null),
    limits: spec.limits,
    conn,
    parser,
    views: toGuardViews(spec.views),
    unguardedSql: msg.internal.unguardedSql === true,
    startedAt,
    startedPerf,
    prepared,
  });
  const base = { queries: run.queries, queryLog: run.queryLog, startMs: run.startMs };
  const logs = run.logs;
  if (run.killed) return { state: "killed", reason: run.killed, outputs: { tables: {}, logs }, ...base };
  if (run.compileError) {
    const { code, message, line, column } = run.compileError;
    return { state: "failed", reason: code, error: { type: "SyntaxError", code, message, line, column }, outputs: { tables: {}, logs }, ...base };
  }
  let parsed: { ok?: unknown; out?: unknown; error?: unknown };
  try {
    parsed = JSON.parse(run.text ?? "") as typeof parsed;
  } catch {
    return { state: "failed", reason: "OUTPUT_INVALID", error: { type: "Error", code: "OUTPUT_INVALID", message: "the result could not be read" }, outputs: { tables: {}, logs }, ...base };
  }
  if ((run.text ?? "").length + (run.buffer?.byteLength ?? 0) > spec.limits.outputBytes) return { state: "killed", reason: "LIMIT_OUTPUT", outputs: { tables: {}, logs }, ...base };
  if (run.sqlFailure?.code === "SQL_DENIED") {
    // A refused query fails the job even if the model caught it: probing the guard is not a way through.
    return { state: "failed", reason: "SQL_DENIED", error: { type: "SqlError", code: "SQL_DENIED", message: run.sqlFailure.message }, outputs: { tables: {}, logs }, ...base };
  }
  if (parsed.ok !== true) {
    const thrown = parsed.error as { name?: unknown } | undefined;
    const code = thrown?.name === "SqlError" ? (run.sqlFailure?.code ?? "SQL_ERROR") : "MODEL_THREW";
    return { state: "failed", reason: code, error: parseGuestError(parsed.error, code), outputs: { tables: {}, logs }, ...base };
  }
  try {
    return { state: "succeeded", outputs: { ...parseOutputs(parsed.out, run.buffer ?? new ArrayBuffer(0), spec.limits.parts), logs }, ...base };
  } catch (err) {
    if (err instanceof PartLimit) return { state: "killed", reason: "LIMIT_PARTS", outputs: { tables: {}, logs }, ...base };
    if (!(err instanceof OutputInvalid)) throw err;
    return { state: "failed", reason: "OUTPUT_INVALID", error: { type: "TypeError", code: "OUTPUT_INVALID", message: err.message }, outputs: { tables: {}, logs }, ...base };
  }
}

/** A TypeScript model that cannot be transpiled fails before any data is read (the reason depends on the code only). */
function transpileFailure(err: unknown): JobOutcome {
  const code = (err as { code?: unknown }).code;
  if (code === "MODEL_SYNTAX" || code === "MODEL_TOO_LARGE" || code === "MODEL_TOO_DEEP") {
    const { line, column } = ((err as { details?: unknown }).details ?? {}) as { line?: number; column?: number };
    return { state: "failed", reason: code, error: { type: "SyntaxError", code, message: (err as Error).message, ...(line ? { line, column } : {}) }, ...empty(0) };
  }
  throw err;
}

async function handle(msg: RunMessage, parser: DuckDBConnection, conn: DuckDBConnection, prepared: PreparedIsolate): Promise<JobOutcome> {
  const startedAt = Date.now();
  const startedPerf = performance.now();
  const { spec } = msg;
  if (spec.kind === "account") {
    // The accounting run executes no developer code: drop the warm isolate before anything else.
    prepared.isolate.dispose();
    const views = spec.views.map((v) => ({ ...v, columns: v.sidColumn ? [...v.columns, v.sidColumn] : v.columns }));
    await lockJobDatabase(conn, spec.libraryDir, views, spec.limits.memoryMiB);
    return runAccounting(spec, conn, parser, startedAt);
  }
  let lineMap: number[] | undefined;
  if (spec.kind === "model" && spec.language === "ts") {
    try {
      const t = await transpileModel(msg.code);
      msg = { ...msg, code: t.code };
      lineMap = t.lineMap;
    } catch (err) {
      return transpileFailure(err);
    }
  }
  await lockJobDatabase(conn, spec.libraryDir, spec.views, spec.limits.memoryMiB);
  const outcome = spec.kind === "sql" ? await runSql(msg, conn, parser, startedAt) : await runModelJob(msg, conn, parser, startedAt, startedPerf, prepared);
  if (outcome.error && lineMap) {
    // Positions the host captured (compile errors) and the guest's trace, in the TypeScript source's lines.
    const line = outcome.error.line !== undefined ? lineMap[outcome.error.line] : undefined;
    outcome.error = { ...outcome.error, line: line || undefined, column: undefined, ...(outcome.error.trace ? { trace: mapTrace(outcome.error.trace, lineMap) } : {}) };
  }
  return outcome;
}

async function main(): Promise<void> {
  const parser = await openParserConnection();
  const { conn } = await createJobInstance();
  const prepared = await prepareIsolate(DEFAULT_LIMITS.memoryMiB);
  process.once("message", (raw: unknown) => {
    const msg = raw as RunMessage;
    void (async () => {
      let outcome: JobOutcome;
      try {
        outcome = await handle(msg, parser, conn, prepared);
      } catch (err) {
        outcome = { state: "failed", reason: "WORKER_ERROR", error: { type: "Error", code: "WORKER_ERROR", message: err instanceof Error ? err.message : String(err) }, outputs: { tables: {}, logs: [] }, queries: 0 };
      }
      await send({ type: "outcome", outcome });
      // Exit without closing DuckDB: a broken instance (e.g. after enable_logging) aborts on close.
      process.exit(0);
    })();
  });
  await send({ type: "ready" });
}

void main();

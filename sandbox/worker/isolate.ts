import { createRequire } from "node:module";
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type IvmNamespace from "isolated-vm";
import { guardSql } from "../sqlguard/guard.js";
import type { GuardView } from "../sqlguard/roles.js";
import type { JobLimits, LoggedQuery } from "../types.js";
import { readColumns, RowLimitError, type ReadResult } from "./columns.js";
import { GUEST_BOOTSTRAP } from "./guest.js";

const require = createRequire(import.meta.url);
// The pool passes the addon file it resolved (see resolveIvmAddon); outside a pool, load the package.
const addon = process.argv[2];
const ivm = (addon && addon.endsWith(".node") ? (require(addon) as { ivm: typeof IvmNamespace }).ivm : require("isolated-vm")) as typeof IvmNamespace;

/** What the isolate run produced before the worker shapes it into a JobOutcome. */
export interface ModelRun {
  /** The guest's JSON text (result or error description); absent when killed. */
  text?: string;
  /** The numeric result columns the text points into (copied out of the isolate). */
  buffer?: ArrayBuffer;
  killed?: string;
  /** Set when a query was refused by the guard or failed in DuckDB. */
  sqlFailure?: { code: string; message: string };
  compileError?: { code: string; message: string; line?: number; column?: number };
  logs: string[];
  queries: number;
  /** Each query the model asked for, in order, as text and bound values (the owner accounts them). */
  queryLog: LoggedQuery[];
  startMs: number;
}

/** An isolate and empty context made before the job arrives (they cost a few ms). */
export interface PreparedIsolate {
  isolate: IvmNamespace.Isolate;
  context: IvmNamespace.Context;
  memoryMiB: number;
}

/** Creates an isolate + context ahead of time; used only if the job asks for the same memory limit. */
export async function prepareIsolate(memoryMiB: number): Promise<PreparedIsolate> {
  const isolate = new ivm.Isolate({ memoryLimit: Math.max(8, memoryMiB) });
  return { isolate, context: await isolate.createContext(), memoryMiB };
}

export interface ModelJob {
  code: string;
  paramsJson: string;
  limits: JobLimits;
  conn: DuckDBConnection;
  parser: DuckDBConnection;
  /** The scenario's views with the grant's roles (identifiers and join-only columns restricted). */
  views: GuardView[];
  unguardedSql: boolean;
  startedAt: number;
  /** performance.now() at job start, for a sub-millisecond start latency. */
  startedPerf: number;
  prepared?: PreparedIsolate;
}

const DYNAMIC_IMPORT = /\bimport\s*\(/;
const WATCH_MS = 5;

/** True when every value of a BIGINT column fits in an Int32Array without loss. */
function fitsInt32(values: BigInt64Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] > 2147483647n || values[i] < -2147483648n) return false;
  return true;
}

/**
 * Packs a query result for the guest: fixed-width columns in one transferred buffer, the rest as JSON.
 * Integers stay integers (sandbox/README.md, "Types in the isolate"): INTEGER and BIGINT
 * columns without NULLs arrive as Int32Array when every value fits, BIGINT otherwise as
 * BigInt64Array; with NULLs, INTEGER as (number | null)[] and BIGINT as (bigint | null)[].
 */
function packResult(result: ReadResult): { meta: string; buf: ArrayBuffer; text: string } {
  let bytes = 0;
  const columns: { name: string; kind: string; offset?: number; length?: number; index?: number }[] = [];
  const texts: unknown[][] = [];
  const typed: { col: Float64Array | Int32Array | BigInt64Array; offset: number }[] = [];
  for (const c of result.columns) {
    let values: ReadResult["columns"][number]["values"] = c.values;
    let kind = "json";
    if (values instanceof BigInt64Array && c.nulls) {
      const big = values;
      values = Array.from(big, (v, i) => (c.nulls![i] ? null : v.toString()));
      kind = "i64n";
    } else if (values instanceof BigInt64Array && fitsInt32(values)) {
      values = Int32Array.from(values, (v) => Number(v));
    } else if (values instanceof Int32Array && c.nulls) {
      const ints = values;
      values = Array.from(ints, (v, i) => (c.nulls![i] ? null : v));
    }
    if (values instanceof Int32Array || values instanceof Float64Array || values instanceof BigInt64Array) {
      bytes = Math.ceil(bytes / 8) * 8;
      columns.push({ name: c.name, kind: values instanceof Int32Array ? "i32" : values instanceof BigInt64Array ? "i64" : "f64", offset: bytes, length: values.length });
      typed.push({ col: values, offset: bytes });
      bytes += values.byteLength;
    } else {
      columns.push({ name: c.name, kind, index: texts.length });
      texts.push(values);
    }
  }
  const buf = new ArrayBuffer(bytes);
  for (const { col, offset } of typed) new Uint8Array(buf, offset, col.byteLength).set(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
  return { meta: JSON.stringify({ rowCount: result.rowCount, columns }), buf, text: texts.length > 0 ? JSON.stringify(texts) : "" };
}

function toBindValues(paramsText: string): DuckDBValue[] {
  const parsed = JSON.parse(paramsText) as unknown;
  if (!Array.isArray(parsed)) throw new TypeError("params must be an array");
  return parsed.map((v) => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return v;
    throw new TypeError("query params must be numbers, strings, booleans or null");
  });
}

/** Pulls `file:line:column` for the model out of a V8 stack (the first frame in model.js). */
export function locate(stack: string): { line?: number; column?: number } {
  const m = /model\.js:(\d+):(\d+)/.exec(stack);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : {};
}

/**
 * Compiles and runs one model in a fresh isolate with the job's budgets; the host
 * side of `ctx.query` and `ctx.log` lives here.
 */
export async function runModel(job: ModelJob): Promise<ModelRun> {
  const { limits } = job;
  const logs: string[] = [];
  const queryLog: LoggedQuery[] = [];
  let queries = 0;
  let killed: string | undefined;
  let sqlFailure: ModelRun["sqlFailure"];
  let settleKill: (() => void) | undefined;
  const killedPromise = new Promise<void>((resolve) => (settleKill = resolve));
  const reuse = job.prepared && job.prepared.memoryMiB === limits.memoryMiB && !job.prepared.isolate.isDisposed ? job.prepared : undefined;
  const isolate = reuse ? reuse.isolate : new ivm.Isolate({ memoryLimit: Math.max(8, limits.memoryMiB) });

  const kill = (reason: string): void => {
    if (killed) return;
    killed = reason;
    try {
      job.conn.interrupt();
    } catch {
      // nothing running
    }
    // Disposing from inside a callback would pull the isolate from under its own stack.
    setImmediate(() => {
      try {
        if (!isolate.isDisposed) isolate.dispose();
      } catch {
        // already gone
      }
      settleKill?.();
    });
  };

  const watchdog = setInterval(() => {
    if (isolate.isDisposed) return;
    if (Date.now() - job.startedAt > limits.wallMs) kill("LIMIT_WALL");
    else if (Number(isolate.cpuTime) / 1e6 > limits.cpuMs) kill("LIMIT_CPU");
  }, WATCH_MS);

  let nextId = 1;
  let deliver: IvmNamespace.Reference | undefined;

  const startQuery = (sql: unknown, paramsText: unknown): number => {
    if (killed) return -1;
    queries++;
    if (queries > limits.queries) {
      kill("LIMIT_QUERIES");
      return -1;
    }
    const id = nextId++;
    void (async () => {
      let ok = true;
      let payload: unknown;
      try {
        if (typeof sql !== "string" || typeof paramsText !== "string") throw new TypeError("bad query arguments");
        const values = toBindValues(paramsText);
        queryLog.push({ sql, params: values as unknown[] });
        if (!job.unguardedSql) await guardSql(sql, job.views, job.parser, values);
        const result = await readColumns(job.conn, sql, values, limits.rowsPerQuery);
        const packed = packResult(result);
        payload = new ivm.ExternalCopy(packed, { transferList: [packed.buf] }).copyInto({ release: true, transferIn: true });
      } catch (err) {
        if (err instanceof RowLimitError) {
          kill("LIMIT_ROWS");
          return;
        }
        ok = false;
        const code = (err as { code?: unknown }).code === "SQL_DENIED" ? "SQL_DENIED" : (err as { code?: unknown }).code === "SQL_SYNTAX" ? "SQL_SYNTAX" : "SQL_ERROR";
        const message = err instanceof Error ? err.message : String(err);
        sqlFailure ??= { code, message };
        payload = JSON.stringify({ code, message });
      }
      if (killed || !deliver) return;
      try {
        await deliver.apply(undefined, [id, ok, payload], { timeout: Math.max(1, limits.cpuMs) });
      } catch {
        // The isolate was disposed or the guest's continuation threw; the run promise reports it.
      }
    })();
    return id;
  };

  const writeLog = (line: unknown): boolean => {
    if (killed) return false;
    if (logs.length >= limits.logLines) {
      kill("LIMIT_LOG");
      return false;
    }
    logs.push(String(line));
    return true;
  };

  try {
    const context = reuse ? reuse.context : await isolate.createContext();
    const bootstrap = await context.evalClosure(
      `return ${GUEST_BOOTSTRAP.trim()}($0, $1, $2);`,
      [new ivm.Callback(startQuery), new ivm.Callback(writeLog), job.paramsJson],
      { result: { reference: true }, timeout: 1000 },
    );
    deliver = await bootstrap.get("deliver", { reference: true });
    const run = await bootstrap.get("run", { reference: true });
    const take = await bootstrap.get("take", { reference: true });

    if (DYNAMIC_IMPORT.test(job.code)) {
      return { compileError: { code: "MODEL_IMPORT_DENIED", message: "import() is not available in the sandbox" }, logs, queries, queryLog, startMs: Date.now() - job.startedAt };
    }
    let mod: IvmNamespace.Module;
    try {
      mod = await isolate.compileModule(job.code, { filename: "model.js" });
    } catch (err) {
      const e = err as Error;
      return { compileError: { code: "MODEL_SYNTAX", message: e.message, ...locate(String(e.stack)) }, logs, queries, queryLog, startMs: Date.now() - job.startedAt };
    }
    if (mod.dependencySpecifiers.length > 0) {
      return { compileError: { code: "MODEL_IMPORT_DENIED", message: "a model may not import other modules" }, logs, queries, queryLog, startMs: Date.now() - job.startedAt };
    }
    await mod.instantiate(context, () => {
      throw new Error("imports are not available in the sandbox");
    });
    const startMs = performance.now() - job.startedPerf;

    const running = (async () => {
      await mod.evaluate({ timeout: Math.max(1, limits.cpuMs) });
      const fn = await mod.namespace.get("default", { reference: true });
      return (await run.apply(undefined, [fn.derefInto()], { result: { promise: true } })) as unknown;
    })();
    running.catch(() => undefined);
    const text = await Promise.race([running, killedPromise.then(() => undefined)]);
    if (killed) return { killed, logs, queries, queryLog, startMs, sqlFailure };
    if (typeof text !== "string") return { text: JSON.stringify({ ok: false, error: { name: "Error", message: "the model returned nothing", stack: "", code: "" } }), logs, queries, queryLog, startMs, sqlFailure };
    // The bootstrap allocated this buffer itself (plain, non-resizable), so copying it is safe.
    const buffer = (await take.apply(undefined, [], { result: { copy: true }, timeout: 1000 })) as unknown;
    if (killed) return { killed, logs, queries, queryLog, startMs, sqlFailure };
    if (!(buffer instanceof ArrayBuffer)) throw new Error("result buffer missing");
    return { text, buffer, logs, queries, queryLog, startMs, sqlFailure };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (killed) return { killed, logs, queries, queryLog, startMs: Date.now() - job.startedAt };
    if (/memory limit/i.test(message) || isolate.isDisposed) return { killed: "LIMIT_MEMORY", logs, queries, queryLog, startMs: Date.now() - job.startedAt };
    if (/timed out/i.test(message)) return { killed: "LIMIT_CPU", logs, queries, queryLog, startMs: Date.now() - job.startedAt };
    const stack = err instanceof Error ? String(err.stack) : "";
    return {
      text: JSON.stringify({ ok: false, error: { name: err instanceof Error ? err.name : "Error", message, stack, code: "" } }),
      logs,
      queries,
      queryLog,
      startMs: Date.now() - job.startedAt,
      sqlFailure,
    };
  } finally {
    clearInterval(watchdog);
    try {
      if (!isolate.isDisposed) isolate.dispose();
    } catch {
      // already gone
    }
  }
}

import type { ColumnarTable, JobOutcome } from "./types.js";

const STATES = new Set(["succeeded", "failed", "killed"]);
const LEDGER_KINDS = new Set(["aggregate", "rows", "unaccounted"]);
const DECLARED = new Set(["accounted-aggregate", "accounted-rows", "computed"]);
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

function protocolError(what: string): JobOutcome {
  return {
    state: "failed",
    reason: "WORKER_PROTOCOL",
    error: { type: "Error", code: "WORKER_PROTOCOL", message: `the sandbox worker answered with ${what}` },
    outputs: { tables: {}, logs: [] },
    queries: 0,
  };
}

function tableOk(t: unknown): t is ColumnarTable {
  if (t === null || typeof t !== "object") return false;
  const { rowCount, columns } = t as ColumnarTable;
  if (!Number.isInteger(rowCount) || rowCount < 0 || !Array.isArray(columns)) return false;
  return columns.every(
    (c) =>
      c !== null &&
      typeof c === "object" &&
      typeof c.name === "string" &&
      typeof c.type === "string" &&
      (Array.isArray(c.values) || ArrayBuffer.isView(c.values)) &&
      (c.values as ArrayLike<unknown>).length === rowCount,
  );
}

/**
 * Re-checks an outcome that came over IPC: the worker ran hostile code, so the owner
 * treats its answer as input, not as a trusted object.
 */
export function checkOutcome(raw: unknown): JobOutcome {
  if (raw === null || typeof raw !== "object") return protocolError("no outcome");
  const o = raw as JobOutcome;
  if (!STATES.has(o.state)) return protocolError("an unknown state");
  if (o.reason !== undefined && (typeof o.reason !== "string" || !CODE.test(o.reason))) return protocolError("a malformed reason");
  if (!Number.isInteger(o.queries) || o.queries < 0) return protocolError("a malformed query count");
  const out = o.outputs;
  if (out === null || typeof out !== "object" || !Array.isArray(out.logs) || !out.logs.every((l) => typeof l === "string")) return protocolError("malformed logs");
  if (out.tables === null || typeof out.tables !== "object") return protocolError("malformed tables");
  for (const t of Object.values(out.tables)) if (!tableOk(t)) return protocolError("a malformed table");
  if (out.report !== undefined && typeof out.report !== "string") return protocolError("a malformed report");
  if (out.index !== undefined && (!Array.isArray(out.index) || !out.index.every((n) => typeof n === "number"))) return protocolError("a malformed index");
  if (o.error !== undefined) {
    const e = o.error;
    if (e === null || typeof e !== "object" || typeof e.type !== "string" || typeof e.code !== "string" || typeof e.message !== "string") return protocolError("a malformed error");
    if (!CODE.test(e.code) || !/^[A-Za-z]{1,40}$/.test(e.type)) return protocolError("a malformed error");
    if (e.trace !== undefined && typeof e.trace !== "string") return protocolError("a malformed error trace");
    for (const k of ["line", "column"] as const) if (e[k] !== undefined && (!Number.isInteger(e[k]) || (e[k] as number) < 1)) return protocolError("a malformed error position");
  }
  if (o.startMs !== undefined && typeof o.startMs !== "number") return protocolError("a malformed start time");
  if (o.queryLog !== undefined && (!Array.isArray(o.queryLog) || !o.queryLog.every((q) => q !== null && typeof q === "object" && typeof q.sql === "string" && Array.isArray(q.params)))) {
    return protocolError("a malformed query log");
  }
  if (o.ledger !== undefined && (!Array.isArray(o.ledger) || !o.ledger.every((q) => q !== null && typeof q === "object" && Number.isInteger(q.q) && LEDGER_KINDS.has(q.kind) && Number.isInteger(q.rows) && q.meta !== null && typeof q.meta === "object" && Array.isArray(q.meta.columns) && (q.reason === undefined || typeof q.reason === "string")))) {
    return protocolError("a malformed ledger");
  }
  if (o.outputs.declared !== undefined && (o.outputs.declared === null || typeof o.outputs.declared !== "object" || !Object.values(o.outputs.declared).every((k) => DECLARED.has(k)))) {
    return protocolError("malformed declared kinds");
  }
  return o;
}

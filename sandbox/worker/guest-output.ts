import { outputNamesProblem } from "../output-names.js";
import type { ColumnarTable, ColumnType, DeclaredKind, JobError, JobOutputs } from "../types.js";

/** Names a guest error may carry out; anything else is reported as plain "Error". */
const ERROR_TYPES = new Set([
  "Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError",
  "AggregateError", "SqlError", "Throw",
]);
const COLUMN_TYPES = new Set<ColumnType>(["int", "double", "bigint", "string", "bool", "date", "timestamp"]);
// eslint-disable-next-line no-control-regex
const NAME = /^[^\u0000-\u001f]{1,255}$/;

/** A guest result that does not have the promised shape. */
export class OutputInvalid extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Copies a numeric column out of the result buffer after checking its bounds against the buffer. */
function bufferColumn(table: string, name: string, type: string, buf: unknown, rowCount: number, buffer: ArrayBuffer): Int32Array | Float64Array {
  if (!isRecord(buf)) throw new OutputInvalid(`table ${table}: column ${name} is malformed`);
  const { kind, offset, n } = buf;
  const width = kind === "i32" ? 4 : kind === "f64" ? 8 : 0;
  if (width === 0 || (kind === "i32") !== (type === "int") || (kind === "f64") !== (type === "double")) throw new OutputInvalid(`table ${table}: column ${name} has a bad kind`);
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset % 8 !== 0) throw new OutputInvalid(`table ${table}: column ${name} has a bad offset`);
  if (n !== rowCount || offset + rowCount * width > buffer.byteLength) throw new OutputInvalid(`table ${table}: column ${name} lies outside the result buffer`);
  const bytes = buffer.slice(offset, offset + rowCount * width);
  return width === 4 ? new Int32Array(bytes) : new Float64Array(bytes);
}

function column(table: string, raw: unknown, rowCount: number, buffer: ArrayBuffer): ColumnarTable["columns"][number] {
  if (!isRecord(raw)) throw new OutputInvalid(`table ${table}: malformed column`);
  const { name, type, values } = raw;
  if (typeof name !== "string" || !NAME.test(name)) throw new OutputInvalid(`table ${table}: bad column name`);
  if (typeof type !== "string" || !COLUMN_TYPES.has(type as ColumnType)) throw new OutputInvalid(`table ${table}: bad column type`);
  if (raw.buf !== undefined) return { name, type: type as ColumnType, values: bufferColumn(table, name, type, raw.buf, rowCount, buffer) };
  if (!Array.isArray(values) || values.length !== rowCount) throw new OutputInvalid(`table ${table}: column ${name} length differs from rowCount`);
  const t = type as ColumnType;
  if (t === "int" || t === "double") {
    const out = t === "int" ? new Int32Array(rowCount) : new Float64Array(rowCount);
    let nullable = false;
    for (let i = 0; i < rowCount; i++) {
      const v = values[i];
      if (v === null) {
        nullable = true;
        continue;
      }
      if (typeof v !== "number") throw new OutputInvalid(`table ${table}: column ${name} holds a non-number`);
      out[i] = v;
    }
    // JSON cannot carry NaN; nulls stay nulls in a plain array.
    return { name, type: t, values: nullable ? values.map((v) => (v === null ? null : Number(v))) : out };
  }
  if (t === "bigint") {
    return {
      name,
      type: t,
      values: values.map((v) => {
        if (v === null) return null;
        if (typeof v !== "string" || !/^-?\d{1,20}$/.test(v)) throw new OutputInvalid(`table ${table}: column ${name} holds a non-integer`);
        return BigInt(v);
      }),
    };
  }
  const want = t === "bool" ? "boolean" : "string";
  for (const v of values) if (v !== null && typeof v !== want) throw new OutputInvalid(`table ${table}: column ${name} holds a non-${want}`);
  return { name, type: t, values: values.slice() };
}

/** A result with more parts than the job's limit (the worker turns it into LIMIT_PARTS). */
export class PartLimit extends Error {}

/** Checks and converts the guest's `out` object (plus its numeric buffer) into JobOutputs (logs added by the caller). */
export function parseOutputs(out: unknown, buffer: ArrayBuffer, maxParts = Number.MAX_SAFE_INTEGER): Omit<JobOutputs, "logs"> {
  if (!isRecord(out)) throw new OutputInvalid("result is not an object");
  const tables: Record<string, ColumnarTable> = {};
  if (out.tables !== undefined) {
    if (!isRecord(out.tables)) throw new OutputInvalid("tables is not an object");
    const extra = ["model", "report", "index"].filter((k) => out[k] !== undefined).length;
    if (Object.keys(out.tables).length + extra > maxParts) throw new PartLimit(`more than ${maxParts} output parts`);
    for (const [tname, raw] of Object.entries(out.tables)) {
      if (!NAME.test(tname)) throw new OutputInvalid("bad table name");
      if (!isRecord(raw) || !Array.isArray(raw.columns)) throw new OutputInvalid(`table ${tname} is malformed`);
      const rowCount = raw.rowCount;
      if (typeof rowCount !== "number" || !Number.isInteger(rowCount) || rowCount < 0) throw new OutputInvalid(`table ${tname}: bad rowCount`);
      const seen = new Set<string>();
      const columns = raw.columns.map((c) => column(tname, c, rowCount, buffer));
      for (const c of columns) {
        if (seen.has(c.name)) throw new OutputInvalid(`table ${tname}: duplicate column ${c.name}`);
        seen.add(c.name);
      }
      Object.defineProperty(tables, tname, { value: { rowCount, columns }, enumerable: true, writable: true, configurable: true });
    }
  }
  const problem = outputNamesProblem(Object.entries(tables).map(([name, t]) => ({ name, columns: t.columns.map((c) => c.name) })), maxParts);
  if (problem) throw new OutputInvalid(problem);
  const result: Omit<JobOutputs, "logs"> = { tables };
  if (out.model !== undefined) result.model = out.model;
  if (out.declare !== undefined) {
    // A model may only make a table's checks stricter (CONTRACT.md "Marks"); staging enforces that.
    if (!isRecord(out.declare)) throw new OutputInvalid("declare is not an object");
    const declared: Record<string, DeclaredKind> = {};
    for (const [tname, kind] of Object.entries(out.declare)) {
      if (!Object.prototype.hasOwnProperty.call(tables, tname)) throw new OutputInvalid("declare names a table the result does not have");
      if (kind !== "accounted-aggregate" && kind !== "accounted-rows" && kind !== "computed") throw new OutputInvalid("declare: a kind is accounted-aggregate, accounted-rows or computed");
      Object.defineProperty(declared, tname, { value: kind, enumerable: true, writable: true, configurable: true });
    }
    result.declared = declared;
  }
  if (out.report !== undefined) {
    if (typeof out.report !== "string") throw new OutputInvalid("report is not a string");
    result.report = out.report;
  }
  if (out.index !== undefined) {
    if (!Array.isArray(out.index) || !out.index.every((v) => typeof v === "number" && Number.isFinite(v))) throw new OutputInvalid("index is not an array of numbers");
    result.index = out.index as number[];
  }
  return result;
}

/**
 * Turns the guest's error description into a JobError. Everything in it was written by
 * the guest (a thrown `{ stack: "model.js:L:C" }` is as easy as a real error), so no
 * position is taken from it: the stack text travels as `trace`, staged like the message.
 */
export function parseGuestError(raw: unknown, code: string): JobError {
  const e = isRecord(raw) ? raw : {};
  const name = typeof e.name === "string" && ERROR_TYPES.has(e.name) ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message.slice(0, 4096) : "";
  const trace = typeof e.stack === "string" && e.stack !== "" ? e.stack.slice(0, 4096) : undefined;
  return { type: name === "Throw" ? "Error" : name, code, message, ...(trace ? { trace } : {}) };
}

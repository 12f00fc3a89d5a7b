import { DuckDBTypeId, type DuckDBConnection, type DuckDBValue, type DuckDBVector } from "@duckdb/node-api";
import type { ColumnType } from "../types.js";

/** One result column as read from DuckDB: numbers in typed arrays, the rest in plain arrays. */
export interface ReadColumn {
  name: string;
  type: ColumnType;
  /** Int32Array (int), Float64Array (double), BigInt64Array (bigint) or an array of JS values. */
  values: Int32Array | Float64Array | BigInt64Array | unknown[];
  /** 1 where the value is NULL; absent when the column has none. */
  nulls?: Uint8Array;
}

export interface ReadResult {
  rowCount: number;
  columns: ReadColumn[];
}

/** Thrown when a result grows past the row budget; the worker turns it into LIMIT_ROWS. */
export class RowLimitError extends Error {
  constructor(readonly limit: number) {
    super(`query returned more than ${limit} rows`);
  }
}

type Kind = "i32" | "f64" | "i64" | "value";

function classify(typeId: DuckDBTypeId): { kind: Kind; type: ColumnType } {
  switch (typeId) {
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UTINYINT:
      return { kind: "i32", type: "int" };
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DECIMAL:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
      return { kind: "f64", type: "double" };
    case DuckDBTypeId.BIGINT:
      return { kind: "i64", type: "bigint" };
    case DuckDBTypeId.BOOLEAN:
      return { kind: "value", type: "bool" };
    case DuckDBTypeId.DATE:
      return { kind: "value", type: "date" };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
      return { kind: "value", type: "timestamp" };
    default:
      return { kind: "value", type: "string" };
  }
}

/** Growable column builder: chunks are copied out because DuckDB reuses their memory. */
class ColumnBuilder {
  private parts: (Int32Array | Float64Array | BigInt64Array)[] = [];
  private values: unknown[] = [];
  private nullRows: number[] = [];
  private rows = 0;

  constructor(readonly name: string, readonly kind: Kind, readonly type: ColumnType) {}

  add(vector: DuckDBVector, count: number): void {
    const fast = vector as unknown as { items?: Int32Array | Float64Array | BigInt64Array; validity?: { data: BigUint64Array | null } };
    const validity = fast.validity?.data ?? null;
    if (this.kind !== "value" && fast.items && fast.items.length >= count && this.sameKind(fast.items)) {
      this.parts.push(fast.items.slice(0, count));
      if (validity) this.collectNulls(validity, count);
    } else if (this.kind === "value") {
      for (let i = 0; i < count; i++) {
        const v = vector.getItem(i);
        if (v === null) this.nullRows.push(this.rows + i);
        this.values.push(toPlain(v, this.type));
      }
    } else {
      const out = this.kind === "i32" ? new Int32Array(count) : this.kind === "i64" ? new BigInt64Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = vector.getItem(i);
        if (v === null) {
          this.nullRows.push(this.rows + i);
          continue;
        }
        if (out instanceof BigInt64Array) out[i] = BigInt.asIntN(64, typeof v === "bigint" ? v : BigInt(String(v)));
        else out[i] = toNumber(v);
      }
      this.parts.push(out);
    }
    this.rows += count;
  }

  private sameKind(items: ArrayBufferView): boolean {
    if (this.kind === "i32") return items instanceof Int32Array;
    if (this.kind === "f64") return items instanceof Float64Array;
    return items instanceof BigInt64Array;
  }

  private collectNulls(validity: BigUint64Array, count: number): void {
    for (let word = 0; word * 64 < count; word++) {
      const bits = validity[word];
      if (bits === 0xffffffffffffffffn) continue;
      const end = Math.min(64, count - word * 64);
      for (let b = 0; b < end; b++) {
        if ((bits & (1n << BigInt(b))) === 0n) this.nullRows.push(this.rows + word * 64 + b);
      }
    }
  }

  finish(): ReadColumn {
    let nulls: Uint8Array | undefined;
    if (this.nullRows.length > 0) {
      nulls = new Uint8Array(this.rows);
      for (const r of this.nullRows) nulls[r] = 1;
    }
    if (this.kind === "value") return { name: this.name, type: this.type, values: this.values, nulls };
    const out = this.kind === "i32" ? new Int32Array(this.rows) : this.kind === "i64" ? new BigInt64Array(this.rows) : new Float64Array(this.rows);
    let at = 0;
    for (const part of this.parts) {
      (out as { set(a: ArrayLike<number | bigint>, o: number): void }).set(part, at);
      at += part.length;
    }
    if (nulls && out instanceof Float64Array) for (const r of this.nullRows) out[r] = NaN;
    return { name: this.name, type: this.type, values: out, nulls };
  }
}

function toNumber(v: DuckDBValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v !== null && typeof v === "object" && "toDouble" in v && typeof v.toDouble === "function") return v.toDouble() as number;
  return Number(String(v));
}

/** Dates as 'YYYY-MM-DD', timestamps as DuckDB prints them ('YYYY-MM-DD HH:MM:SS[.ffffff]'). */
function toPlain(v: DuckDBValue, type: ColumnType): unknown {
  if (v === null) return null;
  if (type === "bool") return v === true;
  if (typeof v === "string") return v;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return v.toString();
  return String(v);
}

/** Thrown when a result stream ended because something else ran on its connection. */
export class StreamClosedError extends Error {
  constructor() {
    super("the query's result stream was closed before it was read to the end");
  }
}

/**
 * A second statement on a DuckDB connection silently ends an open stream (its next chunk
 * is empty: DESIGN §11), so reads on one connection are queued one after another, and
 * each read checks at its end that no other statement ran on the connection meanwhile.
 */
const tails = new WeakMap<DuckDBConnection, Promise<unknown>>();
const generation = new WeakMap<DuckDBConnection, number>();

/**
 * Runs one prepared statement with bound `params` and reads it column by column,
 * stopping with RowLimitError as soon as more than `maxRows` rows arrive. Calls on the
 * same connection run one at a time; a stream closed early throws StreamClosedError.
 */
export function readColumns(conn: DuckDBConnection, sql: string, params: DuckDBValue[], maxRows: number): Promise<ReadResult> {
  const run = (tails.get(conn) ?? Promise.resolve()).then(
    () => readOnce(conn, sql, params, maxRows),
    () => readOnce(conn, sql, params, maxRows),
  );
  tails.set(conn, run.catch(() => undefined));
  return run;
}

async function readOnce(conn: DuckDBConnection, sql: string, params: DuckDBValue[], maxRows: number): Promise<ReadResult> {
  const mine = (generation.get(conn) ?? 0) + 1;
  generation.set(conn, mine);
  const prepared = await conn.prepare(sql);
  if (params.length > 0) prepared.bind(params);
  const result = await prepared.stream();
  const builders: ColumnBuilder[] = [];
  const names = result.deduplicatedColumnNames();
  for (let i = 0; i < result.columnCount; i++) {
    const { kind, type } = classify(result.columnTypeId(i));
    builders.push(new ColumnBuilder(names[i], kind, type));
  }
  let rowCount = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    rowCount += chunk.rowCount;
    if (rowCount > maxRows) throw new RowLimitError(maxRows);
    for (let i = 0; i < builders.length; i++) builders[i].add(chunk.getColumnVector(i), chunk.rowCount);
  }
  if (generation.get(conn) !== mine) throw new StreamClosedError();
  return { rowCount, columns: builders.map((b) => b.finish()) };
}

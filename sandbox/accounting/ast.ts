/**
 * Small helpers over DuckDB's json_serialize_sql AST: exact parsing (integers beyond
 * 2^53 stay exact, so a rewritten query binds the same constants as the original),
 * node builders and a walker.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

type RawJson = { rawJSON(text: string): unknown; parse(text: string, reviver: (key: string, value: unknown, ctx?: { source?: string }) => unknown): unknown };

/** Parses AST text; integers that a double would round keep their digits (JSON.rawJSON). */
export function parseAst(text: string): JsonObject {
  const J = JSON as unknown as RawJson;
  return J.parse(text, (_k, v, ctx) => (typeof v === "number" && !Number.isSafeInteger(v) && /^-?\d+$/.test(ctx?.source ?? "") ? J.rawJSON(ctx!.source!) : v)) as JsonObject;
}

/** Deep copy (the raw-JSON integers are frozen objects and may be shared). */
export function clone<T extends Json>(node: T): T {
  if (Array.isArray(node)) return node.map((n) => clone(n)) as T;
  if (node === null || typeof node !== "object" || Object.isFrozen(node)) return node;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(node)) out[k] = clone(v);
  return out as T;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) && !Object.isFrozen(v);
}

/** Visits every expression object below `node` (not descending into subqueries when `stopAtQueries`). */
export function visit(node: Json, fn: (n: JsonObject) => void, stopAtQueries = false): void {
  if (Array.isArray(node)) {
    for (const n of node) visit(n, fn, stopAtQueries);
    return;
  }
  if (!isObject(node)) return;
  fn(node);
  for (const [k, v] of Object.entries(node)) {
    if (stopAtQueries && (k === "subquery" || k === "node" || k === "cte_map")) continue;
    visit(v, fn, stopAtQueries);
  }
}

export function columnRef(names: string[]): JsonObject {
  return { class: "COLUMN_REF", type: "COLUMN_REF", alias: "", query_location: 0, column_names: names };
}

/** A typed constant, written as CAST('text' AS type) so no value goes through a JS double. */
export function castConstant(text: string, type: string): JsonObject {
  return {
    class: "CAST", type: "OPERATOR_CAST", alias: "", query_location: 0,
    child: { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "VARCHAR", type_info: null }, is_null: false, value: text } },
    cast_type: { id: type, type_info: null }, try_cast: false,
  };
}

export function nullConstant(): JsonObject {
  return { class: "CONSTANT", type: "VALUE_CONSTANT", alias: "", query_location: 0, value: { type: { id: "NULL", type_info: null }, is_null: true } };
}

/** The constant a bound parameter stood for (JS numbers bind as DOUBLE). */
export function paramConstant(v: unknown): JsonObject {
  if (v === null || v === undefined) return nullConstant();
  if (typeof v === "boolean") return castConstant(v ? "true" : "false", "BOOLEAN");
  if (typeof v === "number") return castConstant(String(v), "DOUBLE");
  if (typeof v === "bigint") return castConstant(v.toString(), "BIGINT");
  return castConstant(String(v), "VARCHAR");
}

/** A statement AST back to text for json_deserialize_sql (query_location must be a uint64). */
export function statementJson(node: JsonObject): string {
  return JSON.stringify({ error: false, statements: [{ node, named_param_map: [] }] });
}

/** An empty SELECT node skeleton. */
export function selectNode(): JsonObject {
  return {
    type: "SELECT_NODE", modifiers: [], cte_map: { map: [] }, select_list: [], from_table: { type: "EMPTY", alias: "", sample: null, query_location: 0 },
    where_clause: null, group_expressions: [], group_sets: [], aggregate_handling: "STANDARD_HANDLING", having: null, sample: null, qualify: null,
  };
}

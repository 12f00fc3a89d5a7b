/**
 * Values a query carries into its result that no data subject stands behind: literals and
 * bound parameters in its select list and GROUP BY (filters, HAVING, QUALIFY and LIMIT only
 * choose rows and are left out). A value the model computed at run time — a person's
 * income read by an earlier row query, bound as `avg(income) - avg(income) + $1` — would
 * ride on an accounted statistic with a thousand subjects. Such a value is accepted only
 * when it is a constant of the model's code or of the job's parameters (both fixed before
 * the job saw any data); otherwise the query is not accounted and its tables are `computed`.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { codeConstants, isConstant } from "../../policies/disclosure/content/numbers.js";
import { isAstObject as isObject, parseAst, type AstJson as Json, type AstObject as JsonObject } from "../../sandbox/index.js";

/** Keys of a query node whose subtrees only choose rows. */
const FILTERS = new Set(["where_clause", "having", "qualify", "modifiers", "condition", "sample"]);

function constantValue(n: JsonObject): number | string | undefined {
  const v = isObject(n.value) ? n.value : undefined;
  if (!v || v.is_null === true) return undefined;
  const type = isObject(v.type) ? String(v.type.id) : "";
  if (type === "BOOLEAN") return undefined; // one bit: no more than the choice of query itself
  if (type === "DECIMAL") {
    const info = isObject(v.type) && isObject(v.type.type_info) ? v.type.type_info : undefined;
    return Number(v.value) / 10 ** Number(info?.scale ?? 0);
  }
  if (typeof v.value === "number") return v.value;
  if (typeof v.value === "bigint") return Number(v.value);
  return typeof v.value === "string" ? v.value : JSON.stringify(v.value);
}

function collect(node: Json, params: unknown[], out: (number | string)[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, params, out);
    return;
  }
  if (!isObject(node)) return;
  if (node.class === "CONSTANT") {
    const v = constantValue(node);
    if (v !== undefined) out.push(v);
  } else if (node.class === "PARAMETER") {
    const i = Number(node.identifier) - 1;
    const v = Number.isInteger(i) && i >= 0 ? params[i] : undefined;
    if (typeof v === "number" || typeof v === "string") out.push(v);
    else if (typeof v === "bigint") out.push(Number(v));
    else if (v !== null && v !== undefined && typeof v !== "boolean") out.push(JSON.stringify(v));
  }
  for (const [k, v] of Object.entries(node)) if (!FILTERS.has(k)) collect(v, params, out);
}

/** The literals and bound values that reach `sql`'s result; undefined when DuckDB cannot parse it. */
export async function resultConstants(conn: DuckDBConnection, sql: string, params: unknown[]): Promise<(number | string)[] | undefined> {
  const r = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  const text = r.getRows()[0]?.[0];
  if (typeof text !== "string") return undefined;
  const ast = parseAst(text);
  if (ast.error === true || !Array.isArray(ast.statements)) return undefined;
  const out: (number | string)[] = [];
  collect(ast.statements, params, out);
  return out;
}

/** What the job fixed before it ran: its code (model source or SQL) and its parameters. */
export interface JobOrigin {
  code: string;
  params: unknown;
}

/** How many of `values` are neither in the job's code nor in its parameters. */
export function untracedCount(values: (number | string)[], origin: JobOrigin): number {
  const numbers = codeConstants(origin.code, origin.params);
  const texts = JSON.stringify(origin.params ?? null);
  return values.filter((v) => (typeof v === "number" ? !isConstant(numbers, v) : !origin.code.includes(v) && !texts.includes(v))).length;
}

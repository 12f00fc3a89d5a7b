import type { DuckDBConnection } from "@duckdb/node-api";
import { ShuyuError } from "../../policies/errors.js";
import { ALLOWED_FUNCTIONS, RESERVED_TABLE_PREFIXES } from "./allowed-functions.js";
import { openParserConnection, serializeSql } from "./parser.js";

const QUERY_NODES = new Set(["SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"]);
const TABLE_REFS = new Set(["BASE_TABLE", "JOIN", "SUBQUERY", "EXPRESSION_LIST", "EMPTY"]);
const EXPRESSION_CLASSES = new Set([
  "CASE", "CAST", "COLUMN_REF", "COMPARISON", "CONJUNCTION", "CONSTANT", "FUNCTION", "OPERATOR",
  "STAR", "SUBQUERY", "WINDOW", "PARAMETER", "COLLATE", "LAMBDA", "LAMBDA_REF", "BETWEEN",
  "POSITIONAL_REFERENCE",
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function refuse(what: string, sql: string): never {
  throw new ShuyuError("denied", "SQL_DENIED", `SQL refused: ${what}. Only one SELECT over the scenario's views with plain functions is allowed`, {
    details: { refused: what, sql: sql.slice(0, 500) },
  });
}

let sharedParser: Promise<DuckDBConnection> | undefined;

/**
 * Throws SQL_DENIED unless `sql` is one SELECT that reads only `allowedViews` and calls
 * only allow-listed functions. `conn` is a parse-only DuckDB (see openParserConnection).
 */
export async function guardSql(sql: string, allowedViews: string[], conn?: DuckDBConnection): Promise<void> {
  if (typeof sql !== "string" || sql.trim() === "") refuse("empty statement", String(sql));
  const parser = conn ?? (await (sharedParser ??= openParserConnection()));
  const ast = (await serializeSql(parser, sql)) as { [key: string]: Json };
  if (ast.error === true) {
    const message = String(ast.error_message ?? "");
    if (/only select statements/i.test(message)) refuse("a statement other than SELECT", sql);
    throw new ShuyuError("invalid", "SQL_SYNTAX", `SQL does not parse: ${message}`, { details: { sql: sql.slice(0, 500) } });
  }
  const statements = ast.statements;
  if (!Array.isArray(statements) || statements.length !== 1) refuse("more than one statement", sql);
  const views = new Set(allowedViews.map((v) => v.toLowerCase()));
  walk(statements[0], new Set(), views, sql);
}

/** Visits every object of the AST; `ctes` holds the CTE names visible at this point. */
function walk(node: Json, ctes: Set<string>, views: Set<string>, sql: string): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, ctes, views, sql);
    return;
  }
  if (node === null || typeof node !== "object") return;

  let scope = ctes;
  if (node.type === "RECURSIVE_CTE_NODE" && typeof node.ctename === "string") {
    checkCteName(node.ctename, views, sql);
    scope = new Set(scope).add(node.ctename.toLowerCase());
  }

  const type = typeof node.type === "string" ? node.type : undefined;
  if (typeof node.class === "string") {
    checkExpression(node, sql);
  } else if (type?.endsWith("_NODE") && !type.endsWith("_MODIFIER")) {
    if (!QUERY_NODES.has(type)) refuse(`query form ${type}`, sql);
  } else if (type !== undefined && "alias" in node) {
    checkTableRef(node, type, scope, views, sql);
  }

  // A WITH list binds in order: each CTE body sees the earlier names and its own
  // (recursive), never a later one — a later name would fall through to the catalog
  // or a replacement scan. The statement's body sees them all.
  const cteMap = node.cte_map;
  const entries = cteMap && typeof cteMap === "object" && !Array.isArray(cteMap) && Array.isArray(cteMap.map) ? cteMap.map : [];
  if (entries.length > 0) {
    const inner = new Set(scope);
    for (const entry of entries) {
      const name = entry && typeof entry === "object" && !Array.isArray(entry) ? entry.key : undefined;
      if (typeof name !== "string") refuse("a malformed WITH clause", sql);
      checkCteName(name, views, sql);
      inner.add(name.toLowerCase());
      walk(entry, new Set(inner), views, sql);
    }
    scope = inner;
  }
  for (const key of Object.keys(node)) if (key !== "cte_map") walk(node[key], scope, views, sql);
}

/** Letters, digits and '_' only: a CTE name that looks like a path could become a replacement scan. */
const CTE_NAME = /^[\p{L}_][\p{L}\p{N}_]{0,127}$/u;

function checkCteName(name: string, views: Set<string>, sql: string): void {
  const lower = name.toLowerCase();
  if (!CTE_NAME.test(name)) refuse(`WITH name '${name}'`, sql);
  if (views.has(lower)) refuse(`WITH name '${name}' shadows a view`, sql);
  if (RESERVED_TABLE_PREFIXES.some((p) => lower.startsWith(p))) refuse(`WITH name '${name}'`, sql);
}

function checkExpression(node: { [key: string]: Json }, sql: string): void {
  const cls = node.class as string;
  if (!EXPRESSION_CLASSES.has(cls)) refuse(`expression ${cls}`, sql);
  if (cls === "FUNCTION" || cls === "WINDOW") {
    const name = typeof node.function_name === "string" ? node.function_name.toLowerCase() : "";
    const schema = typeof node.schema === "string" ? node.schema : "";
    const catalog = typeof node.catalog === "string" ? node.catalog : "";
    if (schema !== "" || catalog !== "") refuse(`function ${[catalog, schema, name].filter(Boolean).join(".")}`, sql);
    if (!ALLOWED_FUNCTIONS.has(name)) refuse(`function ${name}()`, sql);
  }
}

function checkTableRef(node: { [key: string]: Json }, type: string, scope: Set<string>, views: Set<string>, sql: string): void {
  if (type === "TABLE_FUNCTION") {
    const fn = node.function as { [key: string]: Json } | null;
    const name = fn && typeof fn === "object" && typeof fn.function_name === "string" ? fn.function_name : "?";
    refuse(`table function ${name}()`, sql);
  }
  if (!TABLE_REFS.has(type)) refuse(`table reference ${type}`, sql);
  if (type !== "BASE_TABLE") return;
  const table = typeof node.table_name === "string" ? node.table_name : "";
  const schema = typeof node.schema_name === "string" ? node.schema_name : "";
  const catalog = typeof node.catalog_name === "string" ? node.catalog_name : "";
  if (schema !== "" || catalog !== "") refuse(`table ${[catalog, schema, table].filter(Boolean).join(".")}`, sql);
  if (node.at_clause !== null && node.at_clause !== undefined) refuse(`AT clause on ${table}`, sql);
  const lower = table.toLowerCase();
  if (!views.has(lower) && !scope.has(lower)) refuse(`table ${table}`, sql);
}

import type { DuckDBConnection } from "@duckdb/node-api";
import { ShuyuError } from "../../policies/errors.js";
import { refuse, type Json } from "./ast.js";
import { openParserConnection, serializeSql } from "./parser.js";
import { checkRoles, type GuardView } from "./roles.js";
import { checkShape } from "./shape.js";

let sharedParser: Promise<DuckDBConnection> | undefined;

/**
 * Throws SQL_DENIED unless `sql` is one SELECT that reads only the granted views, uses
 * only the allow-listed grammar and functions and, when `views` carries column roles,
 * keeps identifier and join-only columns where they cannot leak (roles.ts).
 * `conn` is a parse-only DuckDB (see openParserConnection); `params`, the values the
 * statement will be run with, let the role check see what a `$n` compares with.
 */
export async function guardSql(
  sql: string,
  views: readonly string[] | readonly GuardView[],
  conn?: DuckDBConnection,
  params?: readonly unknown[],
): Promise<void> {
  if (typeof sql !== "string" || sql.trim() === "") refuse("empty statement", String(sql));
  const parser = conn ?? (await (sharedParser ??= openParserConnection()));
  const ast = await serializeSql(parser, sql);
  if (ast === null || typeof ast !== "object" || Array.isArray(ast)) refuse("an AST the guard cannot read", sql);
  const root = ast as { [key: string]: unknown };
  if (root.error === true) {
    const message = String(root.error_message ?? "");
    if (/only select statements/i.test(message)) refuse("a statement other than SELECT", sql);
    throw new ShuyuError("invalid", "SQL_SYNTAX", `SQL does not parse: ${message}`, { details: { sql: sql.slice(0, 500) } });
  }
  const statements = root.statements;
  if (!Array.isArray(statements) || statements.length !== 1) refuse("more than one statement", sql);
  const guardViews: GuardView[] = views.map((v) => (typeof v === "string" ? { name: v, columns: [] } : v));
  const columns = new Set(guardViews.flatMap((v) => v.columns.map((c) => c.name.toLowerCase())));
  checkShape(statements[0] as Json, { sql, views: new Set(guardViews.map((v) => v.name.toLowerCase())), columns });
  checkRoles(statements[0] as { [key: string]: Json }, guardViews, sql, params);
}

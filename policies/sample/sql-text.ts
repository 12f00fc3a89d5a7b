/** Quoting of identifiers that buildSample splices into SQL (values always go in as parameters). */
import { invalid } from "../errors.js";

/** A DuckDB identifier in double quotes, inner quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes("\u0000")) throw invalid("BAD_IDENTIFIER", "identifiers must be non-empty and free of NUL characters", { name });
  return `"${name.replaceAll('"', '""')}"`;
}

/** A table reference from `name`, `schema.name` or `catalog.schema.name` (unquoted parts). */
export function quoteTable(table: string): string {
  const parts = table.split(".");
  if (parts.length > 3) throw invalid("BAD_TABLE_NAME", `'${table}' has too many dots; pass table, schema.table or catalog.schema.table`, { table });
  return parts.map(quoteIdent).join(".");
}

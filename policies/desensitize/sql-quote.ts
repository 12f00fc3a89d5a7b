import { invalid } from "../errors.js";

/** Quotes one SQL identifier (column or table part) for DuckDB: wraps in double quotes, doubles embedded quotes. */
export function quoteIdent(name: string): string {
  // A NUL byte ends the string inside DuckDB's parser; refuse rather than guess.
  if (name.length === 0 || name.includes("\u0000")) {
    throw invalid("BAD_IDENTIFIER", "identifier must be a non-empty string without NUL bytes; rename the column", {
      identifier: name,
    });
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a dot-separated table path (`schema.table`, `db.schema.table`); each part is quoted on its own. */
export function quoteTable(path: string): string {
  return path.split(".").map(quoteIdent).join(".");
}

/** Quotes a string as a SQL literal: wraps in single quotes, doubles embedded quotes. */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) {
    throw invalid("BAD_LITERAL", "string literal must not contain NUL bytes", {});
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** Renders a finite number as a SQL literal (refuses NaN/Infinity, which would splice as identifiers). */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw invalid("BAD_NUMBER", `expected a finite number, got ${n}`, { value: n });
  return `(${String(n)})::DOUBLE`;
}

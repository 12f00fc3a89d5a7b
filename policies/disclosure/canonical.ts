import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";

/** Significant digits every floating value is rounded to at release, unless the scenario says otherwise. */
export const DEFAULT_PRECISION = 6;

const FLOATING = /^(DOUBLE|FLOAT|REAL|FLOAT4|FLOAT8)$/i;

/** SQL rounding a floating expression to `digits` significant digits (0, NULL, ±inf and NaN unchanged). */
export function roundSignificantSql(expr: string, digits: number): string {
  return `(CASE WHEN ${expr} IS NULL OR ${expr} = 0 OR isinf(${expr}) OR isnan(${expr}) THEN ${expr}
    ELSE round(CAST(${expr} AS DOUBLE), CAST(${digits - 1} - floor(log10(abs(${expr}))) AS INTEGER)) END)`;
}

/**
 * The SELECT that writes a released table: every column but the gate's `__` columns, floating
 * values rounded to `precision` significant digits, rows in canonical order (ORDER BY every
 * column, left to right). Row order and low-order digits then carry nothing the model chose.
 */
export function canonicalReleaseSql(table: string, columns: { name: string; type: string }[], precision = DEFAULT_PRECISION): string {
  // The gate's own columns (row number, subject id) never leave.
  const cols = columns
    .filter((c) => !c.name.startsWith("__"))
    .map((c) => {
      const q = quoteIdent(c.name);
      return FLOATING.test(c.type) ? `CAST(${roundSignificantSql(q, precision)} AS ${c.type}) AS ${q}` : q;
    });
  return `SELECT ${cols.join(", ")} FROM ${quoteTable(table)} ORDER BY ALL`;
}

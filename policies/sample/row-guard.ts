/**
 * Last line of defence: finds sample rows that equal some raw row on every sampled
 * column, so that buildSample can redraw or drop them.
 */
import { listValue, type DuckDBConnection } from "@duckdb/node-api";

export interface GuardColumn {
  /** SQL over the raw table giving the comparable form of the raw value. */
  rawExpr: string;
  /** How the sample's text is compared: as text, or as a number (rounded numerics). */
  compareAs: "VARCHAR" | "DOUBLE";
  /** True for fake identifier columns: their non-null cells never match, so they filter best. */
  selective?: boolean;
}

/** The column whose sample values filter the raw table hardest: a fake column, else the most varied. */
function leadColumn(cols: readonly GuardColumn[], rows: readonly (string | null)[][]): number {
  const fake = cols.findIndex((c) => c.selective === true);
  if (fake >= 0) return fake;
  let best = 0;
  let bestDistinct = -1;
  cols.forEach((_, k) => {
    const d = new Set(rows.map((r) => r[k])).size;
    if (d > bestDistinct) [best, bestDistinct] = [k, d];
  });
  return best;
}

/** Indexes (0-based) of sample rows equal to at least one raw row (NULL equals NULL). */
export async function rowsMatchingRaw(
  conn: DuckDBConnection,
  tableSql: string,
  cols: readonly GuardColumn[],
  rows: readonly (string | null)[][],
): Promise<number[]> {
  if (rows.length === 0 || cols.length === 0) return [];
  const sampleCols = cols.map((c, k) =>
    c.compareAs === "DOUBLE" ? `TRY_CAST(unnest($${k + 1}::VARCHAR[]) AS DOUBLE) AS s${k}` : `unnest($${k + 1}::VARCHAR[]) AS s${k}`,
  );
  const rawCols = cols.map((c, k) => `${c.rawExpr} AS r${k}`);
  const on = cols.map((_, k) => `s.s${k} IS NOT DISTINCT FROM r.r${k}`).join(" AND ");
  // Filter the raw rows on one column before computing the others: the WHERE runs before
  // the casts of the SELECT list, which matters on tables of millions of rows.
  const lead = leadColumn(cols, rows);
  const e = cols[lead].rawExpr;
  const prefilter = `${e} IN (SELECT s${lead} FROM s WHERE s${lead} IS NOT NULL) OR (${e} IS NULL AND EXISTS (SELECT 1 FROM s WHERE s${lead} IS NULL))`;
  const sql =
    `WITH s AS (SELECT ${sampleCols.join(", ")}, unnest(range(${rows.length})) AS i) ` +
    `SELECT DISTINCT s.i FROM s JOIN (SELECT ${rawCols.join(", ")} FROM ${tableSql} WHERE ${prefilter}) AS r ON ${on}`;
  const params = cols.map((_, k) => listValue(rows.map((row) => row[k])));
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowsJS().map((r) => Number(r[0]));
}

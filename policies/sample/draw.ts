/** Independent per-column draws: each column gets its own reservoir sample and its own shuffle. */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { Rng } from "../pii/fake/rng.js";

/** In-place Fisher-Yates shuffle driven by `rng`. */
export function shuffle<T>(xs: T[], rng: Rng): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = xs[i];
    xs[i] = xs[j];
    xs[j] = t;
  }
  return xs;
}

/**
 * `n` values of `expr` (SQL over the raw columns of `tableSql`) from an independent
 * reservoir sample with seed `sqlSeed`, then put in a seed-determined random order: without the shuffle a table
 * smaller than `n` would come back in storage order in every column, re-aligning rows.
 */
export async function drawColumn(
  conn: DuckDBConnection,
  tableSql: string,
  expr: string,
  n: number,
  sqlSeed: number,
  rng: Rng,
): Promise<unknown[]> {
  const reader = await conn.runAndReadAll(
    `SELECT ${expr} AS v FROM ${tableSql} USING SAMPLE reservoir(${n} ROWS) REPEATABLE (${sqlSeed})`,
  );
  // Sort first: with several threads DuckDB may return the same sample in another order,
  // and the seed should fix the result, not the scheduling.
  const values = reader.getRowsJS().map((r) => r[0]);
  const key = (v: unknown): string => (v === null ? "" : "\u0001" + String(v));
  values.sort((x, y) => {
    const a = key(x);
    const b = key(y);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return shuffle(values, rng);
}

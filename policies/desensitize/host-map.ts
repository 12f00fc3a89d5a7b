import { randomBytes } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent } from "./sql-quote.js";

/** Rows per round trip: big enough to amortise the call, small enough to bound host memory. */
const BATCH = 200_000;

/** A fresh temp-table name that cannot collide with user tables (random suffix). */
export function tempName(purpose: string): string {
  return `__shuyu_${purpose}_${randomBytes(6).toString("hex")}`;
}

/**
 * Materialises TEMP table `target(v VARCHAR, p VARCHAR)` mapping every distinct non-NULL value
 * of `valuesSql` (a query yielding one column) to `compute(v)`. The per-value work runs in Node
 * (for HMAC-SM3 / SM3, which DuckDB lacks) but once per distinct value, in batches; the caller
 * joins the result back in SQL.
 */
export async function materializeHostMapping(
  conn: DuckDBConnection,
  valuesSql: string,
  target: string,
  compute: (v: string) => string,
): Promise<number> {
  const src = tempName("src");
  const out = tempName("out");
  await conn.run(
    `CREATE TEMP TABLE ${quoteIdent(src)} AS SELECT DISTINCT CAST(x AS VARCHAR) AS v FROM (${valuesSql}) AS t(x) WHERE x IS NOT NULL`,
  );
  try {
    await conn.run(`CREATE TEMP TABLE ${quoteIdent(out)} (p VARCHAR)`);
    const total = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(src)}`)).getColumnsJS()[0][0]);
    const appender = await conn.createAppender(out, "main", "temp");
    try {
      for (let lo = 0; lo < total; lo += BATCH) {
        // rowid order of a freshly created table is insertion order, so POSITIONAL JOIN lines up.
        const reader = await conn.runAndReadAll(
          `SELECT v FROM ${quoteIdent(src)} WHERE rowid >= ${lo} AND rowid < ${lo + BATCH} ORDER BY rowid`,
        );
        for (const v of reader.getColumnsJS()[0] ?? []) {
          appender.appendVarchar(compute(String(v)));
          appender.endRow();
        }
        appender.flushSync();
      }
    } finally {
      appender.closeSync();
    }
    await conn.run(
      `CREATE TEMP TABLE ${quoteIdent(target)} AS SELECT s.v, o.p FROM ${quoteIdent(src)} s POSITIONAL JOIN ${quoteIdent(out)} o`,
    );
    return total;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(src)}`);
    await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(out)}`);
  }
}

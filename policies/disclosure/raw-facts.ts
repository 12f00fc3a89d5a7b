import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext } from "./context.js";

/** Vault table caching facts about raw columns; a raw vault table is one dataset version and never changes. */
export const RAW_FACTS_TABLE = "gate_raw_facts";

/** Exact facts of one raw column: rows, shortest and longest text form, distinct and non-NULL values. */
export interface RawColumnFacts {
  rows: number;
  minLen: number;
  maxLen: number;
  distinct: number;
  nonNull: number;
}

/**
 * Facts of raw column `table.column`, computed once per dataset version and kept in the vault
 * (keyed by the version's vault table and its row count, so a rebuilt table is recomputed).
 * Rules use them to skip semi-joins that cannot match (no output value has a length the raw
 * column has), instead of reading a million raw values to find nothing.
 */
export function rawColumnFacts(ctx: CheckContext, table: string, column: string): Promise<RawColumnFacts> {
  return ctx.once(`rawfacts:${table}:${column}`, async () => {
    await ctx.conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(RAW_FACTS_TABLE)} (tbl VARCHAR, col VARCHAR, rows BIGINT, min_len INTEGER, max_len INTEGER, distinct_values BIGINT, non_null BIGINT)`);
    const rows = Number((await ctx.rows(`SELECT count(*) AS n FROM ${quoteTable(table)}`))[0].n);
    const key = `tbl = ${quoteLiteral(table)} AND col = ${quoteLiteral(column)}`;
    const cached = await ctx.rows(`SELECT min_len, max_len, distinct_values, non_null FROM ${quoteIdent(RAW_FACTS_TABLE)} WHERE ${key} AND rows = ${rows}`);
    if (cached.length) {
      const x = cached[0];
      return { rows, minLen: Number(x.min_len ?? 0), maxLen: Number(x.max_len ?? 0), distinct: Number(x.distinct_values), nonNull: Number(x.non_null) };
    }
    const c = `CAST(${quoteIdent(column)} AS VARCHAR)`;
    // Exact counts (no HyperLogLog: these facts feed blocking rules), once per dataset version.
    const r = (await ctx.rows(`SELECT min(length(${c})) AS lo, max(length(${c})) AS hi, count(DISTINCT ${quoteIdent(column)}) AS d, count(${quoteIdent(column)}) AS nn FROM ${quoteTable(table)}`))[0];
    const facts = { rows, minLen: Number(r.lo ?? 0), maxLen: Number(r.hi ?? 0), distinct: Number(r.d), nonNull: Number(r.nn) };
    await ctx.conn.run(`DELETE FROM ${quoteIdent(RAW_FACTS_TABLE)} WHERE ${key}`);
    await ctx.conn.run(`INSERT INTO ${quoteIdent(RAW_FACTS_TABLE)} VALUES (${quoteLiteral(table)}, ${quoteLiteral(column)}, ${rows}, ${facts.minLen}, ${facts.maxLen}, ${facts.distinct}, ${facts.nonNull})`);
    return facts;
  });
}

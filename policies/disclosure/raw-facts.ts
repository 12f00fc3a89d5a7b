import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext } from "./context.js";

/** Vault table caching facts about raw columns; a raw vault table is one dataset version and never changes. */
export const RAW_FACTS_TABLE = "gate_raw_facts";

/** Exact facts of one raw column: rows, shortest and longest text form, distinct and non-NULL values. */
export interface RawColumnFacts {
  rows: number;
  minLen: number;
  maxLen: number;
  /** NaN when not computed (ingest skips it for identifier columns, whose rules need only the lengths). */
  distinct: number;
  nonNull: number;
}

const rowsOf = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];

async function ensureTable(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteIdent(RAW_FACTS_TABLE)} (tbl VARCHAR, col VARCHAR, rows BIGINT, min_len INTEGER, max_len INTEGER, distinct_values BIGINT, non_null BIGINT)`);
}

/**
 * Computes and stores the facts of `columns` of raw table `table` in one scan (exact counts:
 * no HyperLogLog, these facts feed blocking rules), replacing any kept for that table name.
 */
async function computeFacts(conn: DuckDBConnection, table: string, columns: string[], lengthsOnly: ReadonlySet<string> = new Set()): Promise<Map<string, RawColumnFacts>> {
  await ensureTable(conn);
  const out = new Map<string, RawColumnFacts>();
  if (columns.length === 0) return out;
  const parts = columns.flatMap((col, i) => {
    const c = `CAST(${quoteIdent(col)} AS VARCHAR)`;
    const d = lengthsOnly.has(col) ? "NULL::BIGINT" : `count(DISTINCT ${quoteIdent(col)})`;
    return [`min(length(${c})) AS lo${i}`, `max(length(${c})) AS hi${i}`, `${d} AS d${i}`, `count(${quoteIdent(col)}) AS nn${i}`];
  });
  const r = (await rowsOf(conn, `SELECT count(*) AS n, ${parts.join(", ")} FROM ${quoteTable(table)}`))[0];
  const rows = Number(r.n);
  const values: string[] = [];
  columns.forEach((col, i) => {
    const d = r[`d${i}`];
    const f = { rows, minLen: Number(r[`lo${i}`] ?? 0), maxLen: Number(r[`hi${i}`] ?? 0), distinct: d === null || d === undefined ? NaN : Number(d), nonNull: Number(r[`nn${i}`]) };
    out.set(col, f);
    values.push(`(${quoteLiteral(table)}, ${quoteLiteral(col)}, ${rows}, ${f.minLen}, ${f.maxLen}, ${Number.isNaN(f.distinct) ? "NULL" : f.distinct}, ${f.nonNull})`);
  });
  await conn.run(`DELETE FROM ${quoteIdent(RAW_FACTS_TABLE)} WHERE tbl = ${quoteLiteral(table)} AND col IN (${columns.map(quoteLiteral).join(", ")})`);
  await conn.run(`INSERT INTO ${quoteIdent(RAW_FACTS_TABLE)} VALUES ${values.join(", ")}`);
  return out;
}

/**
 * Computes the facts of a dataset version's raw table when the domain has just loaded it
 * (ingest), so no egress request pays for them. Facts an earlier, failed load left under the
 * same table name are replaced: they describe other data. Columns left out are computed on
 * the first check that needs them (rawColumnFacts); `lengthsOnly` columns (proposed identifiers:
 * a million distinct IDs is the costly count, and their rules read only the lengths) get their
 * distinct count then too, if a later tag makes a rule need it.
 */
export async function precomputeRawFacts(conn: DuckDBConnection, table: string, columns: string[], lengthsOnly: string[] = []): Promise<void> {
  await computeFacts(conn, table, columns, new Set(lengthsOnly));
}

/**
 * Facts of raw column `table.column`, computed once per dataset version and kept in the vault
 * (keyed by the version's vault table and its row count, so a rebuilt table is recomputed).
 * Ingest computes them for the likely columns (precomputeRawFacts); the rest are computed here.
 * Rules use them to skip semi-joins that cannot match (no output value has a length the raw
 * column has), instead of reading a million raw values to find nothing.
 */
export function rawColumnFacts(ctx: CheckContext, table: string, column: string, needDistinct = false): Promise<RawColumnFacts> {
  return ctx.once(`rawfacts:${table}:${column}:${needDistinct ? "d" : "l"}`, async () => {
    await ensureTable(ctx.conn);
    const rows = Number((await ctx.rows(`SELECT count(*) AS n FROM ${quoteTable(table)}`))[0].n);
    const key = `tbl = ${quoteLiteral(table)} AND col = ${quoteLiteral(column)}`;
    const cached = await ctx.rows(`SELECT min_len, max_len, distinct_values, non_null FROM ${quoteIdent(RAW_FACTS_TABLE)} WHERE ${key} AND rows = ${rows}`);
    const x = cached[0];
    if (x && (!needDistinct || (x.distinct_values !== null && x.distinct_values !== undefined))) {
      const d = x.distinct_values;
      return { rows, minLen: Number(x.min_len ?? 0), maxLen: Number(x.max_len ?? 0), distinct: d === null || d === undefined ? NaN : Number(d), nonNull: Number(x.non_null) };
    }
    return (await computeFacts(ctx.conn, table, [column])).get(column)!;
  });
}

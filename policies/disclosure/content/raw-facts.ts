/**
 * Raw-side facts the content checks need, computed once per raw column and cached per dataset
 * version (vault tables of a version never change; the cache key also holds the row count, so a
 * replaced table is not mistaken for the old one). Facts: the column's type, string length range,
 * whether its values are all digits (so a number in output can equal one), and — for numeric
 * sensitive columns — a TEMP table of its rare values (held by fewer than k rows: a value many
 * people share singles no one out).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import type { CheckContext } from "../context.js";
import type { RawColumnRef } from "../types.js";

/** What the content checks search a raw column for. */
export type SearchRole = "identifier" | "sensitive-text" | "sensitive-number";

/** One raw column the content checks search, with its cached facts. */
export interface RawFacts {
  ref: RawColumnRef;
  label: string;
  role: SearchRole;
  type: string;
  /** Shortest raw value searched (shorter ones coincide too easily). */
  minLen: number;
  /** Some values are digits only (a JSON number can equal them; IDs ending in X cannot). */
  digits: boolean;
  /** Distinct lengths of the column's values that hold a digit (windows of longer digit runs are probed at these). */
  digitLengths: number[];
  /** Identifiers and identifying text: TEMP table (o VARCHAR lower-cased, p VARCHAR its first 8 characters) of distinct values ≥ minLen. */
  text?: string;
  /** Distinct lengths (characters) of the values in `text`: output forms of other lengths cannot equal one. */
  lengths: number[];
  /** Digits-only identifiers: TEMP table (x DOUBLE) of their distinct values as numbers. */
  num?: string;
  /** Rare values of a numeric sensitive column: TEMP table (x DOUBLE, k VARCHAR = printf %.12g). */
  rare?: string;
  /** Numeric sensitive column: value range, granularity (10^-decimals) and density of rare values in it. */
  numeric?: { min: number; max: number; step: number; density: number };
}

/** Sensitive text columns at least this distinct (distinct/non-null) act as identifiers (free text). */
export const IDENTIFYING_TEXT_RATIO = 0.5;

const cache = new WeakMap<DuckDBConnection, Map<string, Promise<RawFacts | undefined>>>();
let rareSeq = 0;

function isNumericType(t: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL)/i.test(t);
}

/** Prefix length kept beside each raw text value, for the substring search (raw-match.ts SUBSTRING_WINDOW). */
export const PREFIX = 8;

/**
 * The raw column's distinct values, lower-cased, with their prefixes (and, for digit identifiers,
 * as DOUBLE) — kept as TEMP tables for the connection's life, so each check probes them instead
 * of re-reading and re-casting the raw column.
 */
async function valueTables(ctx: CheckContext, c: string, t: string, minLen: number, digits: boolean, rows: number): Promise<{ text: string; num?: string; lengths: number[] }> {
  const name = `content_rawtext_${++rareSeq}_${rows}`;
  const o = `lower(CAST(${c} AS VARCHAR))`;
  await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS SELECT o, substr(o, 1, ${PREFIX}) AS p FROM (SELECT DISTINCT ${o} AS o FROM ${t} WHERE length(${o}) >= ${minLen})`);
  const lens = await ctx.rows(`SELECT DISTINCT length(o) AS l FROM temp.main.${quoteIdent(name)}`);
  const out: { text: string; num?: string; lengths: number[] } = { text: `temp.main.${quoteIdent(name)}`, lengths: lens.map((x) => Number(x.l)) };
  if (digits) {
    const n = `content_rawnum_${++rareSeq}_${rows}`;
    await ctx.conn.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(n)} AS SELECT DISTINCT TRY_CAST(o AS DOUBLE) AS x FROM ${out.text} WHERE regexp_full_match(o, '[0-9]+')`);
    out.num = `temp.main.${quoteIdent(n)}`;
  }
  return out;
}

async function compute(ctx: CheckContext, ref: RawColumnRef, rows: number): Promise<RawFacts | undefined> {
  const desc = await ctx.rows(`DESCRIBE SELECT ${quoteIdent(ref.column)} FROM ${quoteTable(ref.table)}`);
  const type = String(desc[0]?.column_type ?? "VARCHAR");
  const c = quoteIdent(ref.column);
  const t = quoteTable(ref.table);
  const label = `${ref.table}.${ref.column}`;
  const identifier = ref.tags.some((x) => x.startsWith("pii:")) || ref.tags.includes("identifier");
  const sensitive = ref.tags.includes("sensitive");
  if (!identifier && !sensitive) return undefined;
  if (identifier) {
    const r = await ctx.rows(`SELECT bool_or(regexp_full_match(CAST(${c} AS VARCHAR), '[0-9]+')) AS d FROM ${t}`);
    const minLen = ref.tags.includes("pii:person_name") ? 2 : ctx.thresholds.minIdentifierLength;
    const lens = await ctx.rows(
      `SELECT DISTINCT length(CAST(${c} AS VARCHAR)) AS l FROM ${t} WHERE regexp_full_match(CAST(${c} AS VARCHAR), '[0-9]+[xX]?') AND length(CAST(${c} AS VARCHAR)) >= ${minLen} ORDER BY 1`,
    );
    const { text, num, lengths } = await valueTables(ctx, c, t, minLen, r[0].d === true, rows);
    return { ref, label, role: "identifier", type, minLen, digits: r[0].d === true, digitLengths: lens.map((x) => Number(x.l)), text, num, lengths };
  }
  if (isNumericType(type)) {
    // Distinct names per connection: the cache outlives one check run, so it cannot use ctx.tempTable.
    const name = `content_rare_${++rareSeq}_${rows}`;
    await ctx.conn.run(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS SELECT x::DOUBLE AS x, printf('%.12g', x::DOUBLE) AS k FROM
         (SELECT ${c} AS x FROM ${t} WHERE ${c} IS NOT NULL GROUP BY 1 HAVING count(*) < ${ctx.thresholds.k})`,
    );
    const rare = `temp.main.${quoteIdent(name)}`;
    // Granularity: the fewest decimals (up to 6) that every value is written with; beyond that, continuous.
    const g = await ctx.rows(
      `SELECT min(x) AS lo, max(x) AS hi, count(*) AS n, max(CASE ${[0, 1, 2, 3, 4, 5, 6].map((d) => `WHEN abs(x * 1e${d} - round(x * 1e${d})) < 1e-6 THEN ${d}`).join(" ")} ELSE 12 END) AS d FROM ${rare}`,
    );
    const lo = Number(g[0].lo ?? 0);
    const hi = Number(g[0].hi ?? 0);
    const step = 10 ** -Number(g[0].d ?? 0);
    const density = Number(g[0].n) / ((hi - lo) / step + 1);
    return { ref, label, role: "sensitive-number", type, minLen: 0, digits: false, digitLengths: [], lengths: [], rare, numeric: { min: lo, max: hi, step, density } };
  }
  const r = await ctx.rows(`SELECT count(DISTINCT ${c}) AS d, count(${c}) AS n FROM ${t}`);
  const n = Number(r[0].n);
  if (n === 0 || Number(r[0].d) / n < IDENTIFYING_TEXT_RATIO) return undefined;
  const { text, lengths } = await valueTables(ctx, c, t, ctx.thresholds.minIdentifierLength, false, rows);
  return { ref, label, role: "sensitive-text", type, minLen: ctx.thresholds.minIdentifierLength, digits: false, digitLengths: [], text, lengths };
}

/** Facts of every granted raw column the content checks search (identifiers, sensitive columns). */
export function searchedColumns(ctx: CheckContext): Promise<RawFacts[]> {
  return ctx.once("content:raw-facts", async () => {
    let perConn = cache.get(ctx.conn);
    if (!perConn) cache.set(ctx.conn, (perConn = new Map()));
    const out: RawFacts[] = [];
    for (const ref of ctx.input.raw) {
      const rows = await ctx.rawRows(ref.table);
      const key = `${ref.table}\u0000${ref.column}\u0000${ref.tags.join(",")}\u0000${rows}\u0000${ctx.thresholds.k}\u0000${ctx.thresholds.minIdentifierLength}`;
      let p = perConn.get(key);
      if (!p) {
        p = compute(ctx, ref, rows);
        perConn.set(key, p);
        // A failed computation is not cached: the next run tries again.
        p.catch(() => perConn.delete(key));
      }
      const f = await p;
      if (f) out.push(f);
    }
    return out;
  });
}

/**
 * Matching output values against raw values, after output-side normalisation and decoding
 * (decode.ts). Strings: every candidate form of every distinct token goes into one TEMP table,
 * and each raw column is probed with one semi-join (`lower(raw) IN (SELECT v FROM cand)`).
 * Numbers: equal (as DOUBLE) to a digits-only identifier, or equal after `%.12g` to a rare value
 * of a numeric sensitive column — optionally also after scaling by a power of ten.
 */
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import type { CheckContext } from "../context.js";
import { candidateForms } from "./decode.js";
import { searchedColumns, type RawFacts } from "./raw-facts.js";

/** One output token or number found equal to a raw value. */
export interface RawHit {
  /** Where in the output (`report`, `model $.a.b`, `table t.c`, …). */
  where: string;
  /** The output value as written. */
  value: string;
  /** Raw column it matched. */
  src: string;
  role: RawFacts["role"];
  /** How the output value was decoded to reach the raw value. */
  how: string;
  /** Set when the number traces to a single-subject statistic (a quantile, a max) of an accounted query. */
  single?: boolean;
  /** Set when the value was found only as a 2-character window inside Chinese text. */
  weak?: boolean;
}

/** An output string to search, and where it came from. `weak`: a window inside a word (a match is reviewed). */
export interface Probe {
  where: string;
  value: string;
  weak?: boolean;
}

/** Longest digit run searched for identifiers inside it (windows cost run length × raw lengths). */
const MAX_WINDOWED = 48;

/** Powers of ten a "raw column in disguise" may be scaled by (incomes in thousands, rates ×100). */
const SCALES = [-6, -4, -3, -2, -1, 1, 2, 3, 4, 6];

/**
 * Tokens (already split) whose decoded forms equal a raw identifier value or identifying
 * sensitive text. One TEMP table of candidate forms; one semi-join per raw column.
 */
export async function matchStrings(ctx: CheckContext, probes: readonly Probe[]): Promise<RawHit[]> {
  const cols = (await searchedColumns(ctx)).filter((c) => c.role !== "sensitive-number");
  if (cols.length === 0 || probes.length === 0) return [];
  const { name, ref } = ctx.tempTable("content_cand");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (i INTEGER, v VARCHAR, how VARCHAR)`);
  const app = await ctx.conn.createAppender(name, "main", "temp");
  // Decode each distinct token once, whatever number of places it appears in.
  const distinct = [...new Set(probes.map((p) => p.value))];
  // An identifier inside a longer digit run (`+86 138…`, `00138…`, an ID glued to a counter): windows at the raw lengths.
  const windows = [...new Set(cols.flatMap((c) => c.digitLengths))];
  distinct.forEach((tok, i) => {
    const put = (v: string, how: string) => {
      app.appendInteger(i);
      app.appendVarchar(v);
      app.appendVarchar(how);
      app.endRow();
    };
    for (const f of candidateForms(tok)) {
      put(f.v, f.how);
      if (f.v.length > MAX_WINDOWED || !/^[0-9]+x?$/.test(f.v)) continue;
      for (const w of windows) {
        for (let at = 0; at + w <= f.v.length && w < f.v.length; at++) put(f.v.slice(at, at + w), `${f.how}>window`);
      }
    }
  });
  app.closeSync();
  const found: { i: number; src: RawFacts; how: string }[] = [];
  for (const c of cols) {
    const o = `CAST(${quoteIdent(c.ref.column)} AS VARCHAR)`;
    const verbatim = c.role === "sensitive-text" ? `AND how = 'verbatim'` : "";
    const rows = await ctx.rows(
      `SELECT min(i) AS i, arg_min(how, length(how)) AS how FROM ${ref} c
       JOIN (SELECT DISTINCT lower(${o}) AS rv FROM ${quoteTable(c.ref.table)}
             WHERE length(${o}) >= ${c.minLen} AND lower(${o}) IN (SELECT v FROM ${ref})) r ON r.rv = c.v
       WHERE true ${verbatim} GROUP BY c.i`,
    );
    for (const r of rows) found.push({ i: Number(r.i), src: c, how: String(r.how) });
  }
  const byValue = new Map<string, Probe[]>();
  for (const p of probes) byValue.set(p.value, [...(byValue.get(p.value) ?? []), p]);
  return found.flatMap((f) =>
    (byValue.get(distinct[f.i]) ?? []).map((p) => ({ where: p.where, value: p.value, src: f.src.label, role: f.src.role, how: f.how, ...(p.weak ? { weak: true } : {}) })),
  );
}

/** Window length for the substring search: raw values at least this long are found inside any text. */
export const SUBSTRING_WINDOW = 8;

/**
 * Raw values (identifiers, identifying sensitive text) of at least SUBSTRING_WINDOW characters
 * found anywhere inside the texts, verbatim after NFKC and case folding — an address or a free-
 * text note quoted inside a sentence, where no token boundary isolates it. Every window of the
 * texts probes the raw values' prefixes (one semi-join per raw column), and only raw values
 * whose prefix occurs are checked with `contains`.
 */
export async function matchSubstrings(ctx: CheckContext, texts: readonly { where: string; text: string }[]): Promise<RawHit[]> {
  const cols = (await searchedColumns(ctx)).filter((c) => c.role !== "sensitive-number");
  const usable = texts.filter((t) => t.text.length >= SUBSTRING_WINDOW);
  if (cols.length === 0 || usable.length === 0) return [];
  const { name, ref } = ctx.tempTable("content_texts");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (i INTEGER, t VARCHAR)`);
  const app = await ctx.conn.createAppender(name, "main", "temp");
  usable.forEach((t, i) => {
    // As written and NFKC-folded: the vault keeps full-width punctuation (：，) inside Chinese text as it came.
    for (const v of new Set([t.text.toLowerCase(), t.text.normalize("NFKC").toLowerCase()])) {
      app.appendInteger(i);
      app.appendVarchar(v);
      app.endRow();
    }
  });
  app.closeSync();
  const { name: wName, ref: wRef } = ctx.tempTable("content_windows");
  const W = SUBSTRING_WINDOW;
  await ctx.conn.run(
    `CREATE TEMP TABLE ${quoteIdent(wName)} AS SELECT DISTINCT substr(t, k::INTEGER, ${W}) AS w FROM (SELECT t, unnest(range(1, length(t) - ${W} + 2)) AS k FROM ${ref})`,
  );
  const out: RawHit[] = [];
  for (const c of cols) {
    const o = `lower(CAST(${quoteIdent(c.ref.column)} AS VARCHAR))`;
    const rows = await ctx.rows(
      `SELECT DISTINCT t.i, r.o FROM (SELECT DISTINCT ${o} AS o FROM ${quoteTable(c.ref.table)} WHERE length(${o}) >= ${W} AND substr(${o}, 1, ${W}) IN (SELECT w FROM ${wRef})) r
       JOIN ${ref} t ON contains(t.t, r.o)`,
    );
    for (const r of rows) out.push({ where: usable[Number(r.i)].where, value: String(r.o), src: c.label, role: c.role, how: "substring" });
  }
  return out;
}

/** An output number to search. */
export interface NumberProbe {
  where: string;
  x: number;
  /** The number as written (for display and significant digits). */
  text: string;
}

/**
 * Numbers of one scaling that matched one raw column, with how many would match by chance:
 * `expected` = candidates (probes inside the column's range, on its granularity) × the density of
 * rare values in that range. Identifiers: expected 0 (11+ digit values do not coincide).
 */
export interface NumberGroup {
  src: string;
  role: RawFacts["role"];
  how: string;
  hits: RawHit[];
  candidates: number;
  expected: number;
}

function scaledForms(p: NumberProbe, scaled: boolean): { x: number; how: string }[] {
  return [{ x: p.x, how: "number" }, ...(scaled ? SCALES.map((s) => ({ x: p.x * 10 ** s, how: `number×1e${s}` })) : [])];
}

/**
 * Numbers equal to a digits-only raw identifier (exact as DOUBLE: a float keeps a mobile exact
 * and an 18-digit ID to the nearest double, as DuckDB's cast does) or to a rare value of a
 * numeric sensitive column (`%.12g`, the ledger's float tolerance). With `scaled`, also x·10^s.
 * One semi-join per raw column.
 */
export async function matchNumbers(ctx: CheckContext, probes: readonly NumberProbe[], scaled = false): Promise<NumberGroup[]> {
  const cols = (await searchedColumns(ctx)).filter((c) => c.role === "sensitive-number" || (c.role === "identifier" && c.digits));
  const finite = probes.filter((p) => Number.isFinite(p.x));
  if (cols.length === 0 || finite.length === 0) return [];
  const { name, ref } = ctx.tempTable("content_num");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (i INTEGER, x DOUBLE, how VARCHAR)`);
  const app = await ctx.conn.createAppender(name, "main", "temp");
  finite.forEach((p, i) => {
    for (const f of scaledForms(p, scaled)) {
      app.appendInteger(i);
      app.appendDouble(f.x);
      app.appendVarchar(f.how);
      app.endRow();
    }
  });
  app.closeSync();
  const out: NumberGroup[] = [];
  for (const c of cols) {
    let sql: string;
    if (c.role === "identifier") {
      const o = quoteIdent(c.ref.column);
      sql = `SELECT DISTINCT n.i, n.how FROM ${ref} n JOIN (SELECT DISTINCT TRY_CAST(${o} AS DOUBLE) AS x FROM ${quoteTable(c.ref.table)}
               WHERE length(CAST(${o} AS VARCHAR)) >= ${c.minLen}) r
               ON r.x = CASE WHEN abs(n.x) < 1e15 THEN round(n.x) ELSE n.x END`;
    } else {
      // Round numbers (…00) are chosen, not copied: thresholds, bins and rounded figures; a rare raw value that is round reveals nothing exact.
      sql = `SELECT DISTINCT n.i, n.how FROM ${ref} n JOIN ${c.rare} r ON r.k = printf('%.12g', n.x) WHERE NOT (n.x = round(n.x) AND n.x % 100 = 0)`;
    }
    const byHow = new Map<string, RawHit[]>();
    for (const r of await ctx.rows(sql)) {
      const p = finite[Number(r.i)];
      const how = String(r.how);
      byHow.set(how, [...(byHow.get(how) ?? []), { where: p.where, value: p.text, src: c.label, role: c.role, how }]);
    }
    for (const [how, hits] of byHow) {
      let candidates = hits.length;
      let expected = 0;
      if (c.numeric) {
        const { min, max, step, density } = c.numeric;
        candidates = finite.filter((p) => {
          const x = scaledForms(p, true).find((f) => f.how === how)!.x;
          return x >= min && x <= max && Math.abs(x / step - Math.round(x / step)) < 1e-6;
        }).length;
        expected = candidates * density;
      }
      out.push({ src: c.label, role: c.role, how, hits, candidates, expected });
    }
  }
  return out;
}

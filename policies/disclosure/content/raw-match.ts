/**
 * Matching output values against raw values, after output-side normalisation and decoding
 * (decode.ts). Strings: every candidate form of every distinct token goes into one TEMP table,
 * and each raw column is probed with one semi-join (`lower(raw) IN (SELECT v FROM cand)`).
 * Numbers: equal (as DOUBLE) to a digits-only identifier, or equal after `%.12g` to a rare value
 * of a numeric sensitive column — optionally also after scaling by a power of ten.
 */
import { quoteIdent } from "../../desensitize/sql-quote.js";
import type { CheckContext } from "../context.js";
import { DOUBLE, INTEGER, VARCHAR } from "@duckdb/node-api";
import { appendColumns } from "./append.js";
import { baseForms, MAX_ROTATED } from "./decode.js";
import { PREFIX, searchedColumns, type RawFacts } from "./raw-facts.js";

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

/**
 * Adds to TEMP table `cand` (key, v, how) the windows of the digit-only base forms (up to
 * MAX_WINDOWED long) at the raw identifier lengths: an identifier glued inside a longer run.
 */
async function addWindows(ctx: CheckContext, base: string, cand: string, key: string, lengths: readonly number[]): Promise<void> {
  if (lengths.length === 0) return;
  // Windows of the base forms only (not of their rotations): glued *and* rotated is left out, as it multiplies the cost by 19.
  await ctx.conn.run(
    `INSERT INTO ${cand} SELECT ${key}, substr(v, s::INTEGER, w::INTEGER), how || '>window' FROM (
       SELECT ${key}, v, how, w, unnest(range(1, length(v) - w + 2)) AS s FROM (
         SELECT ${key}, v, how, unnest([${lengths.join(", ")}]) AS w FROM ${base} WHERE length(v) <= ${MAX_WINDOWED} AND regexp_full_match(v, '[0-9]+x?'))
       WHERE w < length(v))`,
  );
}

/**
 * SQL expanding a relation of base forms (key, v, how) with every form's reversal and digit
 * rotations (forms up to MAX_ROTATED characters holding a digit) — vectorised, not per value in JS.
 */
export function expandSql(base: string, key: string): string {
  const rot = (e: string, k: number) => `translate(${e}, '0123456789', '${"0123456789".slice(k) + "0123456789".slice(0, k)}')`;
  const digity = `length(v) BETWEEN 2 AND ${MAX_ROTATED} AND regexp_matches(v, '[0-9]')`;
  const parts = [`SELECT ${key}, v, how FROM ${base}`, `SELECT ${key}, reverse(v), how || '>reversed' FROM ${base} WHERE length(v) >= 2`];
  for (let k = 1; k <= 9; k++) {
    parts.push(`SELECT ${key}, ${rot("v", 10 - k)}, how || '>digits+${k}' FROM ${base} WHERE ${digity}`);
    parts.push(`SELECT ${key}, ${rot("reverse(v)", 10 - k)}, how || '>reversed>digits+${k}' FROM ${base} WHERE ${digity}`);
  }
  return parts.join(" UNION ALL ");
}

/**
 * Which base forms can still reach a raw value: those whose length some raw value has
 * (reversal and rotation keep the length), and digit runs long enough to hold one (windows).
 */
function formFilter(cols: readonly RawFacts[]): (v: string) => boolean {
  const lengths = new Set(cols.flatMap((c) => c.lengths));
  const shortestDigits = Math.min(...cols.flatMap((c) => c.digitLengths), Infinity);
  return (v) => {
    const n = [...v].length;
    return lengths.has(n) || (n > shortestDigits && n <= MAX_WINDOWED && /^[0-9]+x?$/.test(v));
  };
}

/** Powers of ten a "raw column in disguise" may be scaled by (incomes in thousands, rates ×100). */
const SCALES = [-6, -4, -3, -2, -1, 1, 2, 3, 4, 6];

/**
 * Tokens (already split) whose decoded forms equal a raw identifier value or identifying
 * sensitive text. One TEMP table of candidate forms; one semi-join per raw column.
 */
export async function matchStrings(ctx: CheckContext, probes: readonly Probe[]): Promise<RawHit[]> {
  const cols = (await searchedColumns(ctx)).filter((c) => c.role !== "sensitive-number");
  if (cols.length === 0 || probes.length === 0) return [];
  // Decode each distinct token once, whatever number of places it appears in; JS produces the
  // decoded forms, SQL adds reversals, digit rotations and windows in bulk.
  const distinct = [...new Set(probes.map((p) => p.value))];
  const is: number[] = [];
  const vs: string[] = [];
  const hows: string[] = [];
  const keep = formFilter(cols);
  distinct.forEach((tok, i) => {
    for (const f of baseForms(tok)) {
      if (!keep(f.v)) continue;
      is.push(i);
      vs.push(f.v);
      hows.push(f.how);
    }
  });
  const { name: bName, ref: base } = ctx.tempTable("content_base");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(bName)} (i INTEGER, v VARCHAR, how VARCHAR)`);
  await appendColumns(ctx, bName, [INTEGER, VARCHAR, VARCHAR], [is, vs, hows]);
  const { name, ref } = ctx.tempTable("content_cand");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} AS ${expandSql(base, "i")}`);
  await addWindows(ctx, base, ref, "i", [...new Set(cols.flatMap((c) => c.digitLengths))]);
  const found: { i: number; src: RawFacts; how: string }[] = [];
  for (const c of cols) {
    const verbatim = c.role === "sensitive-text" ? `AND how = 'verbatim'` : "";
    const rows = await ctx.rows(
      `SELECT min(i) AS i, arg_min(how, length(how)) AS how FROM ${ref} c
       JOIN (SELECT o AS rv FROM ${c.text} WHERE o IN (SELECT v FROM ${ref})) r ON r.rv = c.v
       WHERE true ${verbatim} GROUP BY c.i`,
    );
    for (const r of rows) found.push({ i: Number(r.i), src: c, how: String(r.how) });
  }
  const byValue = new Map<string, Probe[]>();
  for (const p of probes) {
    const list = byValue.get(p.value);
    if (list) list.push(p);
    else byValue.set(p.value, [p]);
  }
  return found.flatMap((f) =>
    (byValue.get(distinct[f.i]) ?? []).map((p) => ({ where: p.where, value: p.value, src: f.src.label, role: f.src.role, how: f.how, ...(p.weak ? { weak: true } : {}) })),
  );
}

/** Window length for the substring search: raw values at least this long are found inside any text. */
export const SUBSTRING_WINDOW = PREFIX;

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
  // Windows are cut in JS: substr() on long UTF-8 text in SQL costs O(offset) per call.
  const W = SUBSTRING_WINDOW;
  const windows = new Set<string>();
  for (const t of usable) {
    for (const v of new Set([t.text.toLowerCase(), t.text.normalize("NFKC").toLowerCase()])) {
      const cps = [...v];
      for (let k = 0; k + W <= cps.length; k++) windows.add(cps.slice(k, k + W).join(""));
    }
  }
  const { name: wName, ref: wRef } = ctx.tempTable("content_windows");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(wName)} (w VARCHAR)`);
  const wApp = await ctx.conn.createAppender(wName, "main", "temp");
  for (const w of windows) {
    wApp.appendVarchar(w);
    wApp.endRow();
  }
  wApp.closeSync();
  const out: RawHit[] = [];
  for (const c of cols) {
    const rows = await ctx.rows(
      `SELECT DISTINCT t.i, r.o FROM (SELECT o FROM ${c.text} WHERE length(o) >= ${W} AND p IN (SELECT w FROM ${wRef})) r JOIN ${ref} t ON contains(t.t, r.o)`,
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
  const is: number[] = [];
  const xs: number[] = [];
  const hows: string[] = [];
  finite.forEach((p, i) => {
    const put = (x: number, how: string) => {
      is.push(i);
      xs.push(x);
      hows.push(how);
    };
    put(p.x, "number");
    if (scaled) for (const s of SCALES) put(p.x * 10 ** s, `number×1e${s}`);
  });
  await appendColumns(ctx, name, [INTEGER, DOUBLE, VARCHAR], [is, xs, hows]);
  const out: NumberGroup[] = [];
  for (const c of cols) {
    let sql: string;
    if (c.role === "identifier") {
      // Identifiers are whole numbers of at least minLen digits, written as they are (not scaled).
      sql = `SELECT DISTINCT n.i, n.how FROM ${ref} n JOIN ${c.num} r ON r.x = CASE WHEN abs(n.x) < 1e15 THEN round(n.x) ELSE n.x END
             WHERE n.how = 'number' AND abs(n.x) >= 1e${Math.max(0, c.minLen - 1)}`;
    } else {
      // Round numbers (…00) are chosen, not copied: thresholds, bins and rounded figures; a rare raw value that is round reveals nothing exact.
      const range = c.numeric ? `n.x BETWEEN ${c.numeric.min} AND ${c.numeric.max} AND ` : "";
      sql = `SELECT DISTINCT n.i, n.how FROM (SELECT * FROM ${ref} n WHERE ${range}NOT (n.x = round(n.x) AND n.x % 100 = 0)) n JOIN ${c.rare} r ON r.k = printf('%.12g', n.x)`;
    }
    const byHow = new Map<string, RawHit[]>();
    for (const r of await ctx.rows(sql)) {
      const p = finite[Number(r.i)];
      const how = String(r.how);
      byHow.set(how, [...(byHow.get(how) ?? []), { where: p.where, value: p.text, src: c.label, role: c.role, how }]);
    }
    if (byHow.size === 0) continue;
    // Candidates per scaling: numbers inside the column's range and on its granularity (what could match by chance).
    const cand = new Map<string, number>();
    if (c.numeric) {
      const { min, max, step } = c.numeric;
      for (const r of await ctx.rows(
        `SELECT how, count(*) AS n FROM ${ref} WHERE x BETWEEN ${min} AND ${max} AND abs(x / ${step} - round(x / ${step})) < 1e-6 GROUP BY how`,
      )) {
        cand.set(String(r.how), Number(r.n));
      }
    }
    for (const [how, hits] of byHow) {
      const candidates = c.numeric ? (cand.get(how) ?? hits.length) : hits.length;
      out.push({ src: c.label, role: c.role, how, hits, candidates, expected: c.numeric ? candidates * c.numeric.density : 0 });
    }
  }
  return out;
}

/** Most distinct shaped values decoded in JS per call; past it the caller is told (and should fail closed). */
export const MAX_DECODED_VALUES = 200_000;

/**
 * SQL predicate: a canonical value whose shape some decoder applies to (letters, %, \, &#,
 * digit groups with separators, non-ASCII digits). Values without it (plain digit strings,
 * Chinese text) need only the SQL-side forms of `matchTableValues`.
 */
export function decodableShapeSql(v: string): string {
  return `(length(${v}) BETWEEN 6 AND 400 AND (regexp_matches(${v}, '[a-z%\\\\&]') OR regexp_matches(${v}, '[0-9][ .\\-_/][0-9]') OR strlen(${v}) <> length(${v}) OR regexp_full_match(${v}, '[01]{16,80}|[0-7]{8,28}')))`;
}

/**
 * Output table values against raw identifiers, for the table rules. `probe` is a relation
 * (tbl, col, v) of distinct values as written (text cast, case kept: base58 and base64 are
 * case-sensitive; this function folds case and width itself). Every value
 * gets its verbatim, reversed and digit-rotated forms in SQL; only values of a decodable shape
 * (`decodableShapeSql`) go through `candidateForms` in JS, deduped, at most MAX_DECODED_VALUES —
 * `truncated` says when more were left undecoded. One semi-join per raw column.
 */
export async function matchTableValues(ctx: CheckContext, probe: string): Promise<{ hits: { tbl: string; col: string; value: string; src: string; how: string }[]; truncated: boolean }> {
  const cols = (await searchedColumns(ctx)).filter((c) => c.role !== "sensitive-number");
  if (cols.length === 0) return { hits: [], truncated: false };
  const shaped = await ctx.rows(`SELECT DISTINCT v FROM (${probe}) WHERE ${decodableShapeSql("lower(v)")} LIMIT ${MAX_DECODED_VALUES + 1}`);
  const truncated = shaped.length > MAX_DECODED_VALUES;
  const vs: string[] = [];
  const cs: string[] = [];
  const hows: string[] = [];
  const keep = formFilter(cols);
  for (const r of shaped.slice(0, MAX_DECODED_VALUES)) {
    const v = String(r.v);
    for (const f of baseForms(v)) {
      if (f.v === v.toLowerCase() || !keep(f.v)) continue;
      vs.push(v);
      cs.push(f.v);
      hows.push(f.how);
    }
  }
  const { name: dName, ref: dRef } = ctx.tempTable("content_tdec");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(dName)} (k VARCHAR, v VARCHAR, how VARCHAR)`);
  await appendColumns(ctx, dName, [VARCHAR, VARCHAR, VARCHAR], [vs, cs, hows]);
  // Base forms of every value: itself, plus the decoded forms of the shaped ones; SQL expands them.
  const { name: bName, ref: base } = ctx.tempTable("content_tbase");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(bName)} AS SELECT DISTINCT v AS k, lower(v) AS v, 'verbatim' AS how FROM (${probe}) UNION ALL SELECT k, v, how FROM ${dRef}`);
  const { name: eName, ref: expanded } = ctx.tempTable("content_texp");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(eName)} AS ${expandSql(base, "k")}`);
  await addWindows(ctx, base, expanded, "k", [...new Set(cols.flatMap((c) => c.digitLengths))]);
  const { name, ref } = ctx.tempTable("content_tcand");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} AS SELECT p.tbl, p.col, p.v, e.v AS c, e.how FROM ${expanded} e JOIN (${probe}) p ON p.v = e.k`);
  const hits: { tbl: string; col: string; value: string; src: string; how: string }[] = [];
  for (const c of cols) {
    const verbatim = c.role === "sensitive-text" ? `WHERE c.how = 'verbatim'` : "";
    const rows = await ctx.rows(
      `SELECT c.tbl, c.col, c.v, min(c.how) AS how FROM ${ref} c
       JOIN (SELECT o AS rv FROM ${c.text} WHERE o IN (SELECT c FROM ${ref})) r ON r.rv = c.c
       ${verbatim} GROUP BY ALL`,
    );
    for (const r of rows) hits.push({ tbl: String(r.tbl), col: String(r.col), value: String(r.v), src: c.label, how: String(r.how) });
  }
  return { hits, truncated };
}

/**
 * Generalisation of quasi-identifiers (documented in README.md):
 * dates → year, numbers → ranges (at least 10 wide, so ages fall in 10-year bands),
 * district codes → city level, gender and booleans kept, other text → values seen
 * fewer than K times in the whole table suppressed to "*".
 */
import { listValue, type DuckDBConnection } from "@duckdb/node-api";
import { allDistricts } from "../pii/fake/districts.js";
import type { TypeFamily } from "./column-kind.js";

/** Minimum frequency for a quasi text value to be shown (k-anonymity of the single column). */
export const RARE_K = 5;

const GENDER_TOKENS = new Set(["男", "女", "男性", "女性", "m", "f", "male", "female", "未知", "其他", "unknown", "u"]);
const DATE_PREFIX = /^(\d{4})(?:[-/年.]\d{1,2})/;

let cityPrefixes: Set<string> | undefined;
function knownCityPrefix(p: string): boolean {
  cityPrefixes ??= new Set(allDistricts().map((d) => d.code.slice(0, 4)));
  return cityPrefixes.has(p);
}

/** True if every non-null value is a 6-digit code inside a known GB/T 2260 city. */
export function looksLikeDistricts(values: readonly (string | null)[]): boolean {
  const present = values.filter((v): v is string => v !== null);
  return present.length > 0 && present.every((v) => /^\d{6}$/.test(v) && knownCityPrefix(v.slice(0, 4)));
}

/** True if every non-null value is a gender token (男/女/M/F …). */
export function looksLikeGender(values: readonly (string | null)[]): boolean {
  const present = values.filter((v): v is string => v !== null);
  return present.length > 0 && present.every((v) => GENDER_TOKENS.has(v.trim().toLowerCase()));
}

/** True if every non-null value starts with a year-month date (1990-05, 1990/5/1, 1990年5月). */
export function looksLikeDates(values: readonly (string | null)[]): boolean {
  const present = values.filter((v): v is string => v !== null);
  return present.length > 0 && present.every((v) => DATE_PREFIX.test(v));
}

/** District code → its city-level code (first 4 digits + "00"). */
export function toCityLevel(code: string | null): string | null {
  return code === null ? null : code.slice(0, 4) + "00";
}

/** Date-like text → its year. */
export function toYear(v: string | null): string | null {
  return v === null ? null : (DATE_PREFIX.exec(v)?.[1] ?? "*");
}

/** Band width for a numeric quasi column spanning [min, max]: a power of ten giving ≤ ~10 bands, never below 10 for integers. */
export function bandWidth(min: number, max: number, family: TypeFamily): number {
  const span = max - min;
  let w = span > 0 ? 10 ** Math.ceil(Math.log10(span / 10)) : 10 ** Math.floor(Math.log10(Math.abs(max) || 1));
  if (family === "integer") w = Math.max(10, Math.round(w));
  return w;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** A number → its band: "30-39" for integers, "[0.5, 0.6)" otherwise. */
export function toBand(v: number | null, width: number, family: TypeFamily): string | null {
  if (v === null || !Number.isFinite(v)) return v === null ? null : String(v);
  const lo = Math.floor(v / width) * width;
  if (family === "integer") return `${fmt(lo)}-${fmt(lo + width - 1)}`;
  return `[${fmt(lo)}, ${fmt(lo + width)})`;
}

/** Replaces values that occur fewer than RARE_K times in the whole column by "*". */
export async function suppressRare(
  conn: DuckDBConnection,
  tableSql: string,
  colSql: string,
  values: readonly (string | null)[],
): Promise<(string | null)[]> {
  const distinct = [...new Set(values.filter((v): v is string => v !== null))];
  if (distinct.length === 0) return [...values];
  const reader = await conn.runAndReadAll(
    `SELECT v, count(*) AS c FROM (SELECT CAST(${colSql} AS VARCHAR) AS v FROM ${tableSql})
     WHERE v IN (SELECT unnest($1::VARCHAR[])) GROUP BY v`,
    [listValue(distinct)],
  );
  const frequent = new Set(
    reader
      .getRowsJS()
      .filter((r) => Number(r[1]) >= RARE_K)
      .map((r) => String(r[0])),
  );
  return values.map((v) => (v === null ? null : frequent.has(v) ? v : "*"));
}

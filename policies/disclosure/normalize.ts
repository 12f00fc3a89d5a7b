/**
 * One canonical form for comparing output values with raw values: full-width ASCII letters and
 * digits folded to half-width, then lower case. Applying it on both sides makes upper/lower-case
 * and full-/half-width variants of an encoding compare equal without enumerating them.
 */
const HALF = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const FULL = [...HALF].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");

/** SQL for the canonical form of a VARCHAR expression. */
export function normalizeSql(expr: string): string {
  // translate() costs ~5 µs a row; pure-ASCII text (byte length = character length) cannot hold full-width forms.
  return `(CASE WHEN strlen(${expr}) = length(${expr}) THEN lower(${expr}) ELSE lower(translate(${expr}, '${FULL}', '${HALF}')) END)`;
}

/** SQL for the canonical text of any column: numbers lose a trailing `.0` so 13812345678.0 matches 13812345678. */
export function canonicalTextSql(expr: string, type: string): string {
  const t = type.toUpperCase();
  const s = `CAST(${expr} AS VARCHAR)`;
  if (t === "DOUBLE" || t === "FLOAT" || t === "REAL" || t.startsWith("DECIMAL")) {
    return normalizeSql(`regexp_replace(${s}, '\\.0+$', '')`);
  }
  return normalizeSql(s);
}

/** SQL adding `k` (mod 10) to every digit of a VARCHAR expression. */
export function digitShiftSql(expr: string, k: number): string {
  const digits = "0123456789";
  const shifted = digits.slice(k) + digits.slice(0, k);
  return `translate(${expr}, '${digits}', '${shifted}')`;
}

/** Full-width form of ASCII letters and digits (exported for tests and corpora). */
export function toFullWidth(s: string): string {
  return s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

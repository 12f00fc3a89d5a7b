/**
 * The dev-mode library must have the raw library's column types, or a model written on the
 * sample breaks on raw data. Generalised sample cells (a year for a date, "20-29" for an age)
 * are mapped back into the raw type at the start of their range.
 */

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/i;
const TEMPORAL = /^(DATE|TIMESTAMP.*)$/i;

/** A sample cell as text in the raw column's type (still text; the insert casts it). */
export function asRawType(value: string | null, rawType: string): string | null {
  if (value === null) return null;
  const v = value.trim();
  if (TEMPORAL.test(rawType)) {
    if (/^\d{4}$/.test(v)) return `${v}-01-01`;
    if (/^\d{4}-\d{2}$/.test(v)) return `${v}-01`;
    if (/^\d{4}-Q[1-4]$/.test(v)) return `${v.slice(0, 4)}-${String((Number(v[6]) - 1) * 3 + 1).padStart(2, "0")}-01`;
    return v;
  }
  if (NUMERIC.test(rawType)) {
    const range = /^(-?\d+(?:\.\d+)?)\s*(?:-|–|~|to)\s*-?\d+(?:\.\d+)?$/.exec(v) ?? /^(-?\d+(?:\.\d+)?)\s*\+$/.exec(v) ?? /^[[(](-?\d+(?:\.\d+)?),/.exec(v);
    if (range) return range[1];
    return v;
  }
  return v;
}

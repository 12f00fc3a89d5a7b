/**
 * The dev-mode library must have the raw library's column types, or a model written on the
 * sample breaks on raw data. Generalised sample cells (a year for a date, "20-29" for an age)
 * are mapped back into the raw type at the start of their range.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { buildSample, type SampleColumn } from "../../policies/sample/index.js";
import type { ColumnTag } from "../../policies/pii/types.js";
import { exec, ident } from "../domain/db.js";

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

/** Names of the sample twin's key-text columns: never granted, never written to the library file. */
export function sampleKeyColumn(i: number): string {
  return `__key${i}`;
}

/**
 * Builds the desensitized sample of a dataset's granted columns into TEMP table `temp`:
 * granted columns in their raw types, plus the subject key's sample (fake) values as text
 * in `__key0…`, so the twin's `__sid` is a hash of the fake rows' keys, never of raw subjects.
 */
export async function buildSampleTwin(
  conn: DuckDBConnection,
  vaultTable: string,
  temp: string,
  columns: { name: string; type: string }[],
  granted: string[],
  keyColumns: string[],
  tags: Map<string, ColumnTag[]>,
  opts: { rows: number; seed: number },
): Promise<{ keyFrom: string[] }> {
  const typeOf = (c: string) => columns.find((dc) => dc.name === c)!.type;
  // Key columns not granted are sampled too (appended: the granted columns' draws do not change).
  const sampled = [...granted, ...keyColumns.filter((c) => !granted.includes(c))];
  const sample = await buildSample(conn, vaultTable, sampled.map((c): SampleColumn => ({ name: c, type: typeOf(c), tags: tags.get(c) ?? [] })), opts);
  const rawTypes = granted.map(typeOf);
  const keyFrom = keyColumns.map((_, i) => sampleKeyColumn(i));
  const defs = [...granted.map((c, i) => `${ident(c)} ${rawTypes[i]}`), ...keyFrom.map((k) => `${ident(k)} VARCHAR`)];
  await exec(conn, `CREATE OR REPLACE TEMP TABLE ${ident(temp)} (${defs.join(", ")})`);
  const insert = `INSERT INTO ${ident(temp)} VALUES (${[...rawTypes.map((t) => `TRY_CAST(? AS ${t})`), ...keyFrom.map(() => "?")].join(", ")})`;
  const text = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));
  const keyAt = keyColumns.map((c) => sampled.indexOf(c));
  for (const row of sample.rows) {
    await conn.run(insert, [...granted.map((_, i) => asRawType(text(row[i]), rawTypes[i])), ...keyAt.map((j) => text(row[j]))]);
  }
  return { keyFrom };
}

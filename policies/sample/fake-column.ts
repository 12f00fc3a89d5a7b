/**
 * Fake identifier columns for the sample, checked against the raw data: a candidate
 * that equals (after normalisation) any raw identifier of the table is never used.
 * All columns' candidates are checked in one query, since the cost is the scan of the
 * raw identifiers, not the number of candidates.
 */
import { listValue, type DuckDBConnection } from "@duckdb/node-api";
import { ShuyuError } from "../errors.js";
import { fakeFor } from "../pii/fake/by-type.js";
import { fakeRareName } from "../pii/fake/names.js";
import type { Rng } from "../pii/fake/rng.js";
import type { PiiType } from "../pii/types.js";

const MAX_ROUNDS = 8;
// Common-looking names are a small space a big raw table can nearly cover; from this
// round on, draw from a larger one rather than fail.
const ESCALATE_FROM = 2;

/**
 * SQL normalising an identifier for comparison: lower case, only letters, digits and
 * Han characters, a leading 86 country code dropped from mobiles. It over-matches on
 * purpose (a false match only costs a candidate).
 */
export function normaliseSql(x: string): string {
  return `regexp_replace(regexp_replace(lower(${x}), '[^0-9a-z\\p{Han}]', '', 'g'), '^86(1[3-9][0-9]{9})$', '\\1')`;
}

/** SQL yielding the normalised non-null values of every raw identifier column. */
export function rawIdentifierSql(tableSql: string, colSqls: readonly string[]): string {
  return colSqls
    .map((c) => `SELECT ${normaliseSql(`CAST(${c} AS VARCHAR)`)} AS r FROM ${tableSql} WHERE ${c} IS NOT NULL`)
    .join(" UNION ALL ");
}

export interface FakeRequest {
  type: PiiType;
  /** One entry per sample row; true keeps the cell NULL. */
  isNull: readonly boolean[];
  /** Share of IPv6 among fakes of type "ip". */
  ipv6Share: number;
  rng: Rng;
}

/** Values that clash with a raw identifier, among `candidates`. */
async function clashing(conn: DuckDBConnection, rawSql: string, candidates: readonly string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  const reader = await conn.runAndReadAll(
    `SELECT DISTINCT v FROM unnest($1::VARCHAR[]) AS u(v) WHERE ${normaliseSql("v")} IN (${rawSql})`,
    [listValue([...new Set(candidates)])],
  );
  return new Set(reader.getRowsJS().map((r) => String(r[0])));
}

/** For each request, a column of fakes (NULL where asked) none of which equals a raw identifier selected by `rawSql`. */
export async function fakeColumns(conn: DuckDBConnection, rawSql: string, requests: readonly FakeRequest[]): Promise<(string | null)[][]> {
  const out = requests.map((q) => q.isNull.map((): string | null => null));
  // Rows still waiting for a fake, per request.
  const open = requests.map((q) => q.isNull.flatMap((n, i) => (n ? [] : [i])));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (open.every((o) => o.length === 0)) return out;
    // Over-generate so that the usual case (few or no clashes) needs a single scan.
    const pools = requests.map((q, k) => {
      const want = open[k].length === 0 ? 0 : open[k].length * (round + 2) + 8;
      const rare = q.type === "person_name" && round >= ESCALATE_FROM;
      return Array.from({ length: want }, () => (rare ? fakeRareName(q.rng) : fakeFor(q.type, q.rng, q.ipv6Share)));
    });
    const bad = await clashing(conn, rawSql, pools.flat());
    pools.forEach((pool, k) => {
      const good = pool.filter((v) => !bad.has(v));
      const rows = open[k];
      const filled = Math.min(good.length, rows.length);
      for (let j = 0; j < filled; j++) out[k][rows[j]] = good[j];
      open[k] = rows.slice(filled);
    });
  }
  if (open.every((o) => o.length === 0)) return out;
  throw new ShuyuError("internal", "SAMPLE_FAKE_COLLISIONS", `could not generate fakes distinct from the raw values after ${MAX_ROUNDS} rounds`, {
    details: { types: requests.filter((_, k) => open[k].length > 0).map((q) => q.type) },
  });
}

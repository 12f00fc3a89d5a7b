/**
 * Safe sample data for the catalog (R2: "sampled, desensitized" — HB 24(2), GZ 13, HB 19).
 * Every column is drawn independently, identifiers are replaced by fakes checked against
 * the raw data, quasi-identifiers are generalised, sensitive numbers are rounded, and a
 * final SQL anti-join removes any sample row that still equals a raw row. See README.md.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { invalid, notFound, ShuyuError } from "../errors.js";
import { createRng, deriveSeed, type Rng } from "../pii/fake/rng.js";
import { isColumnTag, type PiiType } from "../pii/types.js";
import { typeFamily, type TypeFamily } from "./column-kind.js";
import { drawColumn } from "./draw.js";
import { fakeColumns, rawIdentifierSql, type FakeRequest } from "./fake-column.js";
import {
  bandWidth,
  looksLikeDates,
  looksLikeDistricts,
  looksLikeGender,
  RARE_K,
  suppressRare,
  toBand,
  toCityLevel,
  toYear,
} from "./generalise.js";
import { rowsMatchingRaw, type GuardColumn } from "./row-guard.js";
import { quoteIdent, quoteTable } from "./sql-text.js";

export interface SampleColumn {
  name: string;
  /** DuckDB type (informational: the table's own type, from DESCRIBE, decides the rules). */
  type: string;
  /** ColumnTag: "pii:<type>" | "quasi" | "sensitive". */
  tags: string[];
}

export interface SampleResult {
  /** `method` says how the column was made: "fake:resident_id", "generalised:year", "independent-draw", … */
  columns: { name: string; type: string; method: string }[];
  /** Cells as text (DuckDB's rendering of the value) or null. */
  rows: unknown[][];
}

/** Largest sample buildSample makes; catalog samples are for looking at, not for analysis. */
export const MAX_SAMPLE_ROWS = 10_000;
const GUARD_ROUNDS = 10;

interface BuiltColumn {
  name: string;
  type: string;
  method: string;
  values: (string | null)[];
  guard: GuardColumn;
  /** Identifier columns are filled in afterwards, all checked against the raw data at once. */
  fakes?: FakeRequest;
}

type Role = { kind: "pii"; pii: PiiType } | { kind: "quasi" } | { kind: "sensitive" } | { kind: "plain" };

function roleOf(col: SampleColumn): Role {
  for (const t of col.tags) {
    if (!isColumnTag(t)) {
      throw invalid("UNKNOWN_TAG", `column '${col.name}' has unknown tag '${t}'; use pii:<type>, quasi or sensitive`, { column: col.name, tag: t });
    }
  }
  // An identifier tag wins over the others: the strongest treatment applies.
  const pii = col.tags.find((t) => t.startsWith("pii:"));
  if (pii) return { kind: "pii", pii: pii.slice(4) as PiiType };
  if (col.tags.includes("quasi")) return { kind: "quasi" };
  if (col.tags.includes("sensitive")) return { kind: "sensitive" };
  return { kind: "plain" };
}

function asText(values: unknown[]): (string | null)[] {
  return values.map((v) => (v === null || v === undefined ? null : String(v)));
}

/** Rounds to 2 significant figures, rendered as an integer for integer columns. */
function round2(v: number, family: TypeFamily): string {
  const r = Number(v.toPrecision(2));
  return family === "integer" && Math.abs(r) < 1e21 ? r.toFixed(0) : String(r);
}

interface Ctx {
  conn: DuckDBConnection;
  tableSql: string;
  n: number;
}

async function buildColumn(ctx: Ctx, col: SampleColumn, duckType: string, rng: Rng, sqlSeed: number): Promise<BuiltColumn> {
  const { conn, tableSql, n } = ctx;
  const c = quoteIdent(col.name);
  const family = typeFamily(duckType);
  const role = roleOf(col);
  const text = (method: string, values: (string | null)[], type = "VARCHAR"): BuiltColumn => ({
    name: col.name,
    type,
    method,
    values,
    guard: { rawExpr: `CAST(${c} AS VARCHAR)`, compareAs: "VARCHAR" },
  });

  if (role.kind === "pii") {
    // Only null-ness and the IPv4/IPv6 mix of the raw column reach JavaScript.
    const flags = await drawColumn(
      conn,
      tableSql,
      `CASE WHEN ${c} IS NULL THEN 'n' WHEN contains(CAST(${c} AS VARCHAR), ':') THEN '6' ELSE '4' END`,
      n,
      sqlSeed,
      rng,
    );
    const present = flags.filter((f) => f !== "n").length;
    const v6 = present === 0 ? 0 : flags.filter((f) => f === "6").length / present;
    const isNull = flags.map((f) => f === "n");
    const made = text(`fake:${role.pii}`, []);
    return { ...made, guard: { ...made.guard, selective: true }, fakes: { type: role.pii, isNull, ipv6Share: v6, rng } };
  }

  if (role.kind === "quasi") {
    if (family === "temporal") {
      return text("generalised:year", asText(await drawColumn(conn, tableSql, `CAST(year(${c}) AS VARCHAR)`, n, sqlSeed, rng)));
    }
    if (family === "boolean") {
      return text("kept:boolean", asText(await drawColumn(conn, tableSql, `CAST(${c} AS VARCHAR)`, n, sqlSeed, rng)), duckType);
    }
    const raw = asText(await drawColumn(conn, tableSql, `CAST(${c} AS VARCHAR)`, n, sqlSeed, rng));
    if (looksLikeDistricts(raw)) return text("generalised:city", raw.map(toCityLevel));
    if (family === "integer" && /gender|sex|性别/i.test(col.name)) return text("kept:gender", raw, duckType);
    if (family === "integer" || family === "decimal") {
      const mm = (await conn.runAndReadAll(`SELECT min(CAST(${c} AS DOUBLE)), max(CAST(${c} AS DOUBLE)) FROM ${tableSql}`)).getRowsJS()[0];
      const w = bandWidth(Number(mm[0]), Number(mm[1]), family);
      return text(`generalised:range(width=${w})`, raw.map((v) => toBand(v === null ? null : Number(v), w, family)));
    }
    if (looksLikeGender(raw)) return text("kept:gender", raw, duckType);
    if (looksLikeDates(raw)) return text("generalised:year", raw.map(toYear));
    return text(`generalised:suppress-rare(k=${RARE_K})`, await suppressRare(conn, tableSql, c, raw));
  }

  if (role.kind === "sensitive" && (family === "integer" || family === "decimal")) {
    const nums = await drawColumn(conn, tableSql, `CAST(${c} AS DOUBLE)`, n, sqlSeed, rng);
    const values = nums.map((v) => (v === null ? null : round2(Number(v), family)));
    return {
      name: col.name,
      type: family === "integer" ? duckType : "DOUBLE",
      method: "independent-draw+round(2 significant figures)",
      values,
      guard: { rawExpr: `CAST(${c} AS DOUBLE)`, compareAs: "DOUBLE" },
    };
  }

  return text("independent-draw", asText(await drawColumn(conn, tableSql, `CAST(${c} AS VARCHAR)`, n, sqlSeed, rng)), duckType);
}

async function describe(conn: DuckDBConnection, table: string, tableSql: string): Promise<Map<string, string>> {
  try {
    const rows = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${tableSql}`)).getRowsJS();
    return new Map(rows.map((r) => [String(r[0]), String(r[1])]));
  } catch (err) {
    if (err instanceof Error && /does not exist|not found/i.test(err.message)) throw notFound("table", table);
    throw err;
  }
}

/**
 * A desensitized sample of `columns` of `table`: min(opts.rows, table rows) rows, minus
 * any row that could not be made different from every raw row (README.md, "Row count").
 */
export async function buildSample(
  conn: DuckDBConnection,
  table: string,
  columns: SampleColumn[],
  opts: { rows: number; seed: number },
): Promise<SampleResult> {
  if (!Number.isInteger(opts.rows) || opts.rows < 1 || opts.rows > MAX_SAMPLE_ROWS) {
    throw invalid("BAD_SAMPLE_ROWS", `sample rows must be an integer from 1 to ${MAX_SAMPLE_ROWS}`, { rows: opts.rows });
  }
  if (!Number.isSafeInteger(opts.seed)) throw invalid("BAD_SAMPLE_SEED", "sample seed must be an integer", { seed: opts.seed });
  if (columns.length === 0) throw invalid("NO_SAMPLE_COLUMNS", "name at least one column to sample");
  const tableSql = quoteTable(table);
  const types = await describe(conn, table, tableSql);
  const seen = new Set<string>();
  for (const col of columns) {
    if (!types.has(col.name)) throw invalid("UNKNOWN_COLUMN", `table '${table}' has no column '${col.name}'`, { table, column: col.name });
    if (seen.has(col.name)) throw invalid("DUPLICATE_COLUMN", `column '${col.name}' is listed twice`, { column: col.name });
    seen.add(col.name);
    roleOf(col); // validates tags before any data is read
  }

  const count = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${tableSql}`)).getRowsJS()[0][0]);
  const n = Math.min(opts.rows, count);
  const idCols = columns.filter((col) => roleOf(col).kind === "pii").map((col) => quoteIdent(col.name));
  const ctx: Ctx = { conn, tableSql, n };

  const built: BuiltColumn[] = [];
  for (let i = 0; i < columns.length; i++) {
    // Separate streams per column: nothing about one column's draw predicts another's.
    const rng = createRng(deriveSeed(opts.seed, i));
    const sqlSeed = deriveSeed(opts.seed, 0x10000 + i) % 2_147_483_647;
    built.push(await buildColumn(ctx, columns[i], types.get(columns[i].name) ?? columns[i].type, rng, sqlSeed));
  }

  const pending = built.filter((b) => b.fakes !== undefined);
  if (pending.length > 0) {
    const filled = await fakeColumns(conn, rawIdentifierSql(tableSql, idCols), pending.map((b) => b.fakes as FakeRequest));
    pending.forEach((b, k) => (b.values = filled[k]));
  }

  let rows: (string | null)[][] = Array.from({ length: n }, (_, r) => built.map((b) => b.values[r]));
  const guardCols = built.map((b) => b.guard);
  const guardRng = createRng(deriveSeed(opts.seed, 0xfeed));
  for (let round = 0; ; round++) {
    const hits = await rowsMatchingRaw(conn, tableSql, guardCols, rows);
    if (hits.length === 0) break;
    if (round === GUARD_ROUNDS) {
      // Dropping can only remove matches, but the loop re-checks so the invariant never rests on reasoning alone.
      const drop = new Set(hits);
      rows = rows.filter((_, r) => !drop.has(r));
      continue;
    }
    if (round > GUARD_ROUNDS) {
      throw new ShuyuError("internal", "SAMPLE_GUARD_FAILED", "sample still matches raw rows after the guard; report this as a bug", {
        details: { table },
      });
    }
    // Redraw every cell of a matching row from its own column's sample values.
    for (const r of hits) rows[r] = built.map((b) => guardRng.pick(b.values));
  }

  return { columns: built.map((b) => ({ name: b.name, type: b.type, method: b.method })), rows };
}

/**
 * Hand-built ledgers in the real ledger's shape (runtime/ledger/README.md), for unit tests of
 * single rules where a real job would add nothing (end-to-end tests use the real ledger): an
 * accounted query's `led_<J>_q<q>` and `led_<J>_q<q>_subjects`, computed honestly in DuckDB
 * from raw tables that carry `__sid`, and the staging mark computed by the contract's rule
 * (every output column maps to a ledger column, every output row to a distinct ledger row by
 * value after `printf('%.12g')` normalisation; otherwise `computed`).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LedgerColumn, LedgerRef, OutputTable, TableMark } from "../../policies/disclosure/index.js";

const q = (s: string) => `"${s.replaceAll('"', '""')}"`;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** A group (or plain) column of an accounted query. */
export interface GroupSpec {
  name: string;
  expr: string;
  source?: LedgerColumn["source"];
}

/** An aggregate column: its SQL, its class, and (for additive ones) the per-row value it adds up. */
export interface AggSpec {
  name: string;
  sql: string;
  agg: NonNullable<LedgerColumn["agg"]>;
  value?: string;
  source?: LedgerColumn["source"];
}

export interface AggregateQuery {
  from: string;
  where?: string;
  groups: GroupSpec[];
  aggs: AggSpec[];
  dataset?: string;
  /** e.g. "ROLLUP" to add totals: `GROUP BY ROLLUP (…)`. */
  groupBy?: "ROLLUP";
}

const ADDITIVE = new Set(["sum", "avg", "count"]);

/** Builds the ledger of an aggregate query over `from` (which has `__sid`). */
export async function ledgerAggregate(conn: DuckDBConnection, id: string, spec: AggregateQuery): Promise<LedgerRef> {
  const table = `led_${id}_q0`;
  const subjects = `${table}_subjects`;
  const where = spec.where ? `WHERE ${spec.where}` : "";
  const g = spec.groups.map((x) => `${x.expr} AS ${q(x.name)}`);
  const gNames = spec.groups.map((x) => q(x.name));
  const groupBy = spec.groups.length
    ? spec.groupBy === "ROLLUP" ? `GROUP BY ROLLUP (${gNames.join(", ")})` : `GROUP BY ${gNames.join(", ")}`
    : "";
  const columns: LedgerColumn[] = [
    ...spec.groups.map((x) => ({ name: x.name, role: "group" as const, ...(x.source ? { source: x.source } : {}) })),
    ...spec.aggs.map((a) => ({ name: a.name, role: "aggregate" as const, agg: a.agg, ...(ADDITIVE.has(a.agg) ? { additive: true } : {}), ...(a.source ? { source: a.source } : {}) })),
  ];
  // Per-subject contributions of every additive column, per group (ROLLUP: per grouping set).
  const contrib = spec.aggs
    .map((a, j) => ({ a, i: spec.groups.length + j }))
    .filter(({ a }) => ADDITIVE.has(a.agg));
  const base = `SELECT *, ${g.length ? g.join(", ") + "," : ""} 1 AS __one FROM ${spec.from} ${where}`;
  await conn.run(`CREATE OR REPLACE TEMP VIEW __lf_base AS ${base}`);
  const perSubject = `SELECT ${gNames.length ? gNames.join(", ") + "," : ""} __sid${contrib.map(({ a, i }) => `, sum(abs(CAST(${a.value ?? "1"} AS DOUBLE))) AS c${i}`).join("")}
     FROM __lf_base ${spec.groups.length ? (spec.groupBy === "ROLLUP" ? `GROUP BY ROLLUP (${gNames.join(", ")}), __sid` : `GROUP BY ${gNames.join(", ")}, __sid`) : "GROUP BY __sid"}`;
  const gsel = spec.groups.map((x) => `${q(x.name)}`);
  const keyOf = (alias: string) => (spec.groups.length ? `to_json(struct_pack(${spec.groups.map((x) => `${q(x.name)} := ${alias}.${q(x.name)}`).join(", ")}))` : "'{}'");
  await conn.run(`CREATE OR REPLACE TABLE ${q(table)} AS
    WITH agg AS (SELECT ${gsel.length ? gsel.join(", ") + "," : ""} ${spec.aggs.map((a) => `${a.sql} AS ${q(a.name)}`).join(", ")}, count(DISTINCT __sid) AS __subjects
                 FROM __lf_base ${groupBy}),
         ps AS (${perSubject}),
         tops AS (SELECT ${keyOf("ps")} AS k${contrib.map(({ i }) => `, max(c${i}) AS __top1_${i}, (list(c${i} ORDER BY c${i} DESC))[2] AS __top2_${i}, sum(c${i}) AS __total_${i}`).join("")} FROM ps GROUP BY 1)
    SELECT agg.*, ${contrib.map(({ i }) => `tops.__top1_${i}, coalesce(tops.__top2_${i}, 0) AS __top2_${i}, tops.__total_${i}`).join(", ")}${contrib.length ? "," : ""}
           row_number() OVER (ORDER BY ${gsel.length ? gsel.map((x) => `agg.${x}`).join(", ") : "1"}) AS __row
    FROM agg LEFT JOIN tops ON tops.k = ${keyOf("agg")}`);
  // Subject sets: every subject of every row (ROLLUP totals include all their parts' subjects).
  const match = spec.groups.map((x) => `(l.${q(x.name)} IS NOT DISTINCT FROM b.${q(x.name)} OR (l.${q(x.name)} IS NULL AND ${spec.groupBy === "ROLLUP" ? "TRUE" : "FALSE"}))`).join(" AND ");
  await conn.run(`CREATE OR REPLACE TABLE ${q(subjects)} AS SELECT DISTINCT l.__row, ${lit(spec.dataset ?? "people")} AS dataset, b.__sid
    FROM ${q(table)} l JOIN __lf_base b ON ${match || "TRUE"}`);
  return { table, subjects, columns };
}

/** Builds the ledger of a row selection over `from` (which has `__sid`). */
export async function ledgerRows(conn: DuckDBConnection, id: string, spec: { from: string; where?: string; columns: GroupSpec[]; dataset?: string; sid?: string }): Promise<LedgerRef> {
  const table = `led_${id}_q0`;
  const subjects = `${table}_subjects`;
  await conn.run(`CREATE OR REPLACE TABLE ${q(table)} AS SELECT ${spec.columns.map((c) => `${c.expr} AS ${q(c.name)}`).join(", ")}, ${spec.sid ?? "__sid"} AS __sid, row_number() OVER () AS __row
    FROM ${spec.from} ${spec.where ? `WHERE ${spec.where}` : ""}`);
  await conn.run(`CREATE OR REPLACE TABLE ${q(subjects)} AS SELECT __row, ${lit(spec.dataset ?? "people")} AS dataset, __sid FROM ${q(table)}`);
  return { table, subjects, columns: spec.columns.map((c) => ({ name: c.name, role: "plain" as const, ...(c.source ? { source: c.source } : {}) })) };
}

async function describe(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${q(table)}`);
  return r.getRowObjectsJS().map((x) => ({ name: String(x.column_name), type: String(x.column_type) }));
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|DOUBLE|FLOAT|REAL|DECIMAL.*)$/i;
const norm = (alias: string, c: { name: string; type: string }) =>
  NUMERIC.test(c.type) ? `printf('%.12g', CAST(${alias}.${q(c.name)} AS DOUBLE))` : `CAST(${alias}.${q(c.name)} AS VARCHAR)`;

/**
 * Marks table `table` (rows identified by `rowExpr`, e.g. `rowid` or `__out_row`) by the
 * contract's rule against `ledger`: writes map `mapName(out_row, __row)` and returns the mark,
 * or `computed` when a column or a row has no match.
 */
export async function markTable(
  conn: DuckDBConnection,
  table: string,
  rowExpr: string,
  ledger: LedgerRef,
  kind: "accounted-aggregate" | "accounted-rows",
  mapName: string,
): Promise<TableMark> {
  const cols = (await describe(conn, table)).filter((c) => !c.name.startsWith("__"));
  const ledCols = new Set(ledger.columns.map((c) => c.name));
  const ledTypes = new Map((await describe(conn, ledger.table)).map((c) => [c.name, c]));
  if (!cols.every((c) => ledCols.has(c.name))) return { kind: "computed" };
  const keyO = `concat_ws(chr(1), ${cols.map((c) => `coalesce(${norm("o", c)}, chr(2))`).join(", ")})`;
  const keyL = `concat_ws(chr(1), ${cols.map((c) => `coalesce(${norm("l", ledTypes.get(c.name)!)}, chr(2))`).join(", ")})`;
  await conn.run(`CREATE OR REPLACE TABLE ${q(mapName)} AS
    WITH o AS (SELECT ${rowExpr} AS out_row, ${keyO} AS k FROM ${q(table)} o),
         l AS (SELECT __row, ${keyL} AS k FROM ${q(ledger.table)} l),
         o2 AS (SELECT *, row_number() OVER (PARTITION BY k ORDER BY out_row) AS rn FROM o),
         l2 AS (SELECT *, row_number() OVER (PARTITION BY k ORDER BY __row) AS rn FROM l)
    SELECT o2.out_row, l2.__row FROM o2 JOIN l2 USING (k, rn)`);
  const r = await conn.runAndReadAll(`SELECT (SELECT count(*) FROM ${q(mapName)}) = (SELECT count(*) FROM ${q(table)}) AS ok`);
  if (r.getRowObjectsJS()[0].ok !== true) return { kind: "computed" };
  return { kind, query: 0, columns: Object.fromEntries(cols.map((c) => [c.name, c.name])), map: mapName, ledger };
}

/**
 * Stages `sql` as output table `name` (with `__out_row`) and marks it by the contract's rule
 * against `ledger` (`kind` says which accounted kind a full match earns). No ledger → computed.
 */
export async function stage(
  conn: DuckDBConnection,
  name: string,
  sql: string,
  ledger?: LedgerRef,
  kind: "accounted-aggregate" | "accounted-rows" = "accounted-aggregate",
): Promise<OutputTable> {
  await conn.run(`CREATE OR REPLACE TABLE ${q(name + "__staged")} AS ${sql}`);
  await conn.run(`CREATE OR REPLACE TABLE ${q(name)} AS SELECT *, rowid AS __out_row FROM ${q(name + "__staged")}`);
  const cols = await describe(conn, name + "__staged");
  const table: OutputTable = { name, columns: [...cols, { name: "__out_row", type: "BIGINT" }], label: name };
  const mark: TableMark = ledger ? await markTable(conn, name, "__out_row", ledger, kind, `lmap_${name}`) : { kind: "computed" };
  return { ...table, mark };
}

/**
 * A job's ledger built by hand in the test vault, in the shape CONTRACT.md gives the ledger's
 * vault tables (`led_queries`, `led_<J>_q<q>`, `led_<J>_q<q>_subjects`), until the ledger's own
 * accounting run lands. Subjects are raw_people.id (`__sid` = a 60-bit hash of it).
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { ledgerSubjectsTable, ledgerTable } from "../../policies/disclosure/content/index.js";

const SID = (col: string) => `(hash('subject-secret' || ${col}) >> 4)::BIGINT`;

async function ensureQueries(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE TABLE IF NOT EXISTS led_queries (job VARCHAR, q INTEGER, sql_sm3 VARCHAR, kind VARCHAR, reason VARCHAR, meta JSON, rows BIGINT)`);
}

/** One aggregate column: output name, SQL expression over the source rows, and its ledger agg. */
export interface AggColumn {
  name: string;
  expr: string;
  agg: "count" | "count_distinct" | "sum" | "avg" | "dispersion" | "single";
}

/**
 * Accounts an aggregate query: `SELECT groups…, aggs… FROM from [WHERE] GROUP BY groups`, with
 * `__row`, `__subjects` (distinct subjects per row) and the per-row subject table.
 * `from` must expose the subject column `sidOf` (default `id`).
 */
export async function accountAggregate(
  conn: DuckDBConnection,
  job: string,
  q: number,
  opts: { from?: string; where?: string; groups: { name: string; expr: string }[]; aggs: AggColumn[]; sidOf?: string },
): Promise<string> {
  await ensureQueries(conn);
  const from = opts.from ?? "raw_people";
  const sid = SID(opts.sidOf ?? "id");
  const where = opts.where ? `WHERE ${opts.where}` : "";
  const t = ledgerTable(job, q);
  const g = opts.groups.map((x) => `${x.expr} AS "${x.name}"`);
  const groupBy = opts.groups.length ? `GROUP BY ${opts.groups.map((x) => x.expr).join(", ")}` : "";
  await conn.run(`CREATE OR REPLACE TABLE "${t}" AS SELECT *, (row_number() OVER (ORDER BY ${opts.groups.length ? opts.groups.map((x) => `"${x.name}"`).join(", ") : "1"}) - 1)::BIGINT AS __row FROM (
    SELECT ${[...g, ...opts.aggs.map((a) => `${a.expr} AS "${a.name}"`), `count(DISTINCT ${sid}) AS __subjects`].join(", ")} FROM ${from} ${where} ${groupBy})`);
  const on = opts.groups.map((x, i) => `l."${x.name}" IS NOT DISTINCT FROM s.__g${i}`).join(" AND ") || "true";
  const sel = [...opts.groups.map((x, i) => `${x.expr} AS __g${i}`), `${sid} AS __sid`].join(", ");
  await conn.run(`CREATE OR REPLACE TABLE "${ledgerSubjectsTable(job, q)}" AS
    WITH s AS (SELECT ${sel} FROM ${from} ${where}) SELECT DISTINCT l.__row, 'people' AS dataset, s.__sid FROM s JOIN "${t}" l ON ${on}`);
  const meta = { columns: [...opts.groups.map((x) => ({ name: x.name, role: "group" })), ...opts.aggs.map((a) => ({ name: a.name, role: "aggregate", agg: a.agg }))] };
  await conn.run(`DELETE FROM led_queries WHERE job = '${job}' AND q = ${q}`);
  await conn.run(`INSERT INTO led_queries SELECT '${job}', ${q}, 'sm3', 'aggregate', NULL, '${JSON.stringify(meta)}', (SELECT count(*) FROM "${t}")`);
  return t;
}

/** Accounts a row query: `SELECT cols FROM from [WHERE]` with `__row` and `__sid` per row. */
export async function accountRows(conn: DuckDBConnection, job: string, q: number, opts: { from?: string; where?: string; columns: string[]; sidOf?: string }): Promise<string> {
  await ensureQueries(conn);
  const t = ledgerTable(job, q);
  const where = opts.where ? `WHERE ${opts.where}` : "";
  await conn.run(`CREATE OR REPLACE TABLE "${t}" AS SELECT ${opts.columns.join(", ")}, (row_number() OVER () - 1)::BIGINT AS __row, ${SID(opts.sidOf ?? "id")} AS __sid FROM ${opts.from ?? "raw_people"} ${where}`);
  const meta = { columns: opts.columns.map((c) => ({ name: c, role: "plain" })) };
  await conn.run(`DELETE FROM led_queries WHERE job = '${job}' AND q = ${q}`);
  await conn.run(`INSERT INTO led_queries SELECT '${job}', ${q}, 'sm3', 'rows', NULL, '${JSON.stringify(meta)}', (SELECT count(*) FROM "${t}")`);
  return t;
}

/** Rows of a ledger table as JS objects (to write reports that quote accounted values). */
export async function ledgerRows(conn: DuckDBConnection, table: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(`SELECT * EXCLUDE (__row) FROM "${table}" ORDER BY __row`)).getRowObjectsJS() as Record<string, unknown>[];
}

/**
 * Runs one query in accounted form on a DuckDB whose views expose the hidden sid,
 * returning its ledger: the result columns with __row and the subject figures, and
 * the subject set of every row.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { ColumnarTable, LedgerColumnMeta, LedgerQuery } from "../types.js";
import { readColumns, type ReadResult } from "../worker/columns.js";
import { parseAst, statementJson, type JsonObject } from "./ast.js";
import { planAccounting, type AccountingView, type AggregatePlan, type ItemMeta, type RowsPlan } from "./classify.js";

export interface AccountedQuery {
  entry: Omit<LedgerQuery, "q">;
  table?: ColumnarTable;
  subjects?: ColumnarTable;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A read result as a ColumnarTable (NULLs in numeric columns become null entries, as SQL jobs return them). */
export function toColumnar(r: ReadResult): ColumnarTable {
  return {
    rowCount: r.rowCount,
    columns: r.columns.map((c) => ({
      name: c.name,
      type: c.type,
      values: c.nulls && !Array.isArray(c.values) ? Array.from(c.values as ArrayLike<number | bigint>, (v, i) => (c.nulls![i] ? null : v)) : c.values,
    })),
  };
}

async function deserialize(parser: DuckDBConnection, node: JsonObject): Promise<string> {
  const r = await parser.runAndReadAll("SELECT json_deserialize_sql($1::JSON)", [statementJson(node)]);
  const sql = r.getRows()[0]?.[0];
  if (typeof sql !== "string") throw new Error("json_deserialize_sql returned no text");
  return sql;
}

/** Parses `sql` exactly (see parseAst); undefined when it is not one statement. */
export async function parseStatement(parser: DuckDBConnection, sql: string): Promise<JsonObject | undefined> {
  const r = await parser.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  const text = r.getRows()[0]?.[0];
  if (typeof text !== "string") return undefined;
  const ast = parseAst(text);
  if (ast.error === true || !Array.isArray(ast.statements) || ast.statements.length !== 1) return undefined;
  const st = ast.statements[0] as JsonObject;
  return st.node as JsonObject;
}

function columnMeta(items: ItemMeta[], names: string[], sources: RowsPlan["sources"] | undefined): LedgerColumnMeta[] {
  if (items.some((i) => i.star)) return names.map((name) => ({ name, role: "plain" as const, ...(sources?.[name.toLowerCase()] ? { source: sources[name.toLowerCase()] } : {}) }));
  return names.map((name, i) => ({ name, ...(items[i]?.meta ?? { role: "plain" as const }) }));
}

/**
 * Accounts one query: classifies it, runs the accounted statements on `conn` and reads
 * the ledger back. A query whose accounted form cannot be built or run is `unaccounted`.
 */
export async function accountQuery(conn: DuckDBConnection, parser: DuckDBConnection, sql: string, params: unknown[], views: AccountingView[], maxRows: number): Promise<AccountedQuery> {
  const node = await parseStatement(parser, sql);
  if (!node) return { entry: { kind: "unaccounted", reason: "not one statement", meta: { columns: [] }, rows: 0 } };
  const plan = planAccounting(node, views, params);
  if (plan.kind === "unaccounted") return { entry: { kind: "unaccounted", reason: plan.reason, meta: { columns: [] }, rows: 0 } };
  try {
    return plan.kind === "rows" ? await accountRows(conn, parser, plan, maxRows) : await accountAggregate(conn, parser, plan, maxRows);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/interrupt/i.test(message)) throw err;
    return { entry: { kind: "unaccounted", reason: `the accounted form failed: ${message.slice(0, 200)}`, meta: { columns: [] }, rows: 0 } };
  } finally {
    await conn.run("DROP TABLE IF EXISTS __r").catch(() => undefined);
    if (plan.kind === "aggregate") {
      for (let g = 0; g < plan.groups.length; g++) await conn.run(`DROP TABLE IF EXISTS __c${g}; DROP TABLE IF EXISTS __s${g}`).catch(() => undefined);
    }
  }
}

async function accountRows(conn: DuckDBConnection, parser: DuckDBConnection, plan: RowsPlan, maxRows: number): Promise<AccountedQuery> {
  const sql = await deserialize(parser, plan.main);
  const r = await readColumns(conn, sql, [], maxRows);
  const sidCol = r.columns[r.columns.length - 1];
  const n = r.rowCount;
  const rowIds = new BigInt64Array(n);
  for (let i = 0; i < n; i++) rowIds[i] = BigInt(i);
  const sids = sidCol.values instanceof BigInt64Array ? sidCol.values : BigInt64Array.from(sidCol.values as ArrayLike<number>, (v) => BigInt(v));
  const data = toColumnar({ rowCount: n, columns: r.columns.slice(0, -1) });
  const names = data.columns.map((c) => c.name);
  const table: ColumnarTable = {
    rowCount: n,
    columns: [...data.columns, { name: "__row", type: "bigint", values: rowIds }, { name: "__sid", type: "bigint", values: sidCol.nulls ? Array.from(sids, (v, i) => (sidCol.nulls![i] ? null : v)) : sids }],
  };
  // Subject sets: one row per (result row, dataset); NULL sids (no subject) are left out.
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!sidCol.nulls?.[i]) keep.push(i);
  const m = keep.length * plan.datasets.length;
  const sRow = new BigInt64Array(m);
  const sSid = new BigInt64Array(m);
  const sDs: string[] = new Array(m);
  let k = 0;
  for (const ds of plan.datasets) {
    for (const i of keep) {
      sRow[k] = rowIds[i];
      sSid[k] = sids[i];
      sDs[k] = ds;
      k++;
    }
  }
  const subjects: ColumnarTable = { rowCount: m, columns: [{ name: "__row", type: "bigint", values: sRow }, { name: "dataset", type: "string", values: sDs }, { name: "__sid", type: "bigint", values: sSid }] };
  return { entry: { kind: "rows", meta: { columns: columnMeta(plan.items, names, plan.sources) }, rows: n }, table, subjects };
}

async function accountAggregate(conn: DuckDBConnection, parser: DuckDBConnection, plan: AggregatePlan, maxRows: number): Promise<AccountedQuery> {
  const k = plan.groupKeys;
  const keys = Array.from({ length: k }, (_, i) => `__g${i}`);
  const on = (a: string, b: string) => (k === 0 ? "true" : keys.map((g) => `${a}.${g} IS NOT DISTINCT FROM ${b}.${g}`).join(" AND "));
  const mainSql = await deserialize(parser, plan.main);
  await conn.run(`CREATE OR REPLACE TEMP TABLE __r AS SELECT row_number() OVER () - 1 AS __row, * FROM (${mainSql}) __q`);
  const stats: string[] = [];
  for (let g = 0; g < plan.groups.length; g++) {
    const contribSql = await deserialize(parser, plan.contrib[g]);
    await conn.run(`CREATE OR REPLACE TEMP TABLE __c${g} AS ${contribSql}`);
    const figures = Array.from({ length: plan.contributions }, (_, i) => `max(__c${i}, 2) AS __m${i}, sum(__c${i}) AS __t${i}`);
    // __c<g> holds one row per (keys, sid): counting its non-NULL sids counts distinct subjects.
    await conn.run(`CREATE OR REPLACE TEMP TABLE __s${g} AS SELECT ${[...keys, "count(__sid) AS __n", ...figures].join(", ")} FROM __c${g}${k > 0 ? ` GROUP BY ${keys.join(", ")}` : ""}`);
    stats.push(`s${g}`);
  }
  const pick = (fn: "least" | "greatest", expr: (s: string) => string) => (stats.length === 1 ? expr(stats[0]) : `${fn}(${stats.map(expr).join(", ")})`);
  const described = await readColumns(conn, "SELECT * EXCLUDE (__row" + keys.map((g) => `, ${g}`).join("") + ") FROM __r LIMIT 0", [], 1);
  const names = described.columns.map((c) => c.name);
  const extra: string[] = [`${pick("least", (s) => `coalesce(${s}.__n, 0)`)}::BIGINT AS __subjects`];
  plan.items.forEach((item, i) => {
    if (item.contribution === undefined) return;
    const j = item.contribution;
    extra.push(`${pick("greatest", (s) => `coalesce(${s}.__m${j}[1], 0)`)}::DOUBLE AS __top1_${i}`);
    extra.push(`${pick("greatest", (s) => `coalesce(${s}.__m${j}[2], 0)`)}::DOUBLE AS __top2_${i}`);
    extra.push(`coalesce(s0.__t${j}, 0)::DOUBLE AS __total_${i}`);
  });
  const joins = stats.map((s, g) => `LEFT JOIN __s${g} ${s} ON ${on("r", s)}`).join(" ");
  const ledgerSql = `SELECT ${[...names.map((n) => `r.${quote(n)}`), "r.__row", ...extra].join(", ")} FROM __r r ${joins} ORDER BY r.__row`;
  const table = toColumnar(await readColumns(conn, ledgerSql, [], maxRows));
  // Subject sets: (__row, __sid) read as typed columns per sid group, the dataset tag filled in here
  // (a VARCHAR column read row by row from DuckDB would cost more than the accounting itself).
  const rowParts: BigInt64Array[] = [];
  const sidParts: BigInt64Array[] = [];
  const dsParts: string[] = [];
  for (let g = 0; g < plan.groups.length; g++) {
    // __c<g> is grouped by (keys, sid): each pair occurs once, no DISTINCT needed.
    const pairs = await readColumns(conn, `SELECT r.__row::BIGINT AS __row, c.__sid::BIGINT AS __sid FROM __r r JOIN __c${g} c ON ${on("r", "c")} WHERE c.__sid IS NOT NULL`, [], Number.MAX_SAFE_INTEGER);
    for (const ds of plan.groups[g].datasets) {
      rowParts.push(pairs.columns[0].values as BigInt64Array);
      sidParts.push(pairs.columns[1].values as BigInt64Array);
      dsParts.push(ds);
    }
  }
  const total = rowParts.reduce((a, p) => a + p.length, 0);
  const sRow = new BigInt64Array(total);
  const sSid = new BigInt64Array(total);
  // One preallocated tag column filled by ranges: flattening per-part arrays cost ~120 ms per million pairs.
  const sDs = new Array<string>(total);
  let at = 0;
  rowParts.forEach((p, i) => {
    sRow.set(p, at);
    sSid.set(sidParts[i], at);
    sDs.fill(dsParts[i], at, at + p.length);
    at += p.length;
  });
  const subjects: ColumnarTable = { rowCount: total, columns: [{ name: "__row", type: "bigint", values: sRow }, { name: "dataset", type: "string", values: sDs }, { name: "__sid", type: "bigint", values: sSid }] };
  return { entry: { kind: "aggregate", meta: { columns: columnMeta(plan.items, names, undefined) }, rows: table.rowCount }, table, subjects };
}

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
  /** (__row, __col, __part, dataset, __sid): the contributors of a conditional column's cell where they are fewer than the row's subjects. */
  columnSubjects?: ColumnarTable;
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

/** One sid group's (group, subject) pairs, kept for the conditional columns' subject sets. */
interface PairData {
  /** Result row of each pair. */
  idx: Int32Array;
  sidNull?: ArrayLike<boolean | number>;
  sids: BigInt64Array;
  /** Per-pair contributions of each additive column. */
  c: { v: Float64Array; nulls?: ArrayLike<boolean | number> }[];
  m: number;
  datasets: string[];
}

/** Per-row figures of one sid group, from its (keys, sid) pairs: what `count(__sid)`, `max(__c, 2)` and `sum(__c)` per group gave. */
interface GroupFigures {
  n: Float64Array;
  top1: Float64Array[];
  top2: Float64Array[];
  total: Float64Array[];
  /** Subjects whose contribution is neither NULL nor 0: a conditional sum or count is a cell of these. */
  nonzero: Float64Array[];
  /** The two contributions largest in magnitude, signed: what is left of the total without them shows weights that single subjects out. */
  mag1: Float64Array[];
  mag2: Float64Array[];
  /** Σ|contribution|: far above |total| when contributions cancel, so that a near-zero rest hides beside one subject's value. */
  absSum: Float64Array[];
  /** Contributing subjects whose contribution is not the row's majority value: 1 … k−1 when all others add one constant (an offset the count undoes). */
  offMode: Float64Array[];
  /** …not one of its two most common values: 1 … k−1 when all others add one of two constants (±c, or c and 0, undone by two counts). */
  offTwo: Float64Array[];
}

/**
 * Accounts an aggregate: the query once (numbered into __r), then per sid group ONE pass grouped by
 * (keys, sid) streamed back as typed columns. Distinct subjects, the top-2 per-subject contributions,
 * the totals, the non-zero contributors, the two largest magnitudes and the subject set all come from that one read: no temp table of the pairs, no second
 * aggregate over it, no join back (each was a full pass over a million pairs).
 */
async function accountAggregate(conn: DuckDBConnection, parser: DuckDBConnection, plan: AggregatePlan, maxRows: number): Promise<AccountedQuery> {
  const k = plan.groupKeys;
  const keys = Array.from({ length: k }, (_, i) => `__g${i}`);
  const on = (a: string, b: string) => (k === 0 ? "true" : keys.map((g) => `${a}.${g} IS NOT DISTINCT FROM ${b}.${g}`).join(" AND "));
  const mainSql = await deserialize(parser, plan.main);
  await conn.run(`CREATE OR REPLACE TEMP TABLE __r AS SELECT row_number() OVER () - 1 AS __row, * FROM (${mainSql}) __q`);
  const described = await readColumns(conn, "SELECT * EXCLUDE (__row" + keys.map((g) => `, ${g}`).join("") + ") FROM __r LIMIT 0", [], 1);
  const names = described.columns.map((c) => c.name);
  const base = toColumnar(await readColumns(conn, `SELECT ${[...names.map((n) => `r.${quote(n)}`), "r.__row"].join(", ")} FROM __r r ORDER BY r.__row`, [], maxRows));
  const rows = base.rowCount;
  const C = plan.contributions;
  const figures: GroupFigures[] = [];
  const pairData: PairData[] = [];
  const rowParts: BigInt64Array[] = [];
  const sidParts: BigInt64Array[] = [];
  const dsParts: string[] = [];
  for (let g = 0; g < plan.groups.length; g++) {
    const contribSql = await deserialize(parser, plan.contrib[g]);
    // The contribution query is grouped by (keys, sid): each pair occurs once, no DISTINCT needed.
    const cols = ["r.__row::INTEGER AS __i", "c.__sid::BIGINT AS __sid", ...Array.from({ length: C }, (_, j) => `c.__c${j}::DOUBLE AS __c${j}`)];
    const pairs = await readColumns(conn, `SELECT ${cols.join(", ")} FROM (${contribSql}) c JOIN __r r ON ${on("r", "c")}`, [], Number.MAX_SAFE_INTEGER);
    const [iCol, sidCol, ...cCols] = pairs.columns;
    const idx = iCol.values as Int32Array;
    const sidNull = sidCol.nulls;
    const f: GroupFigures = {
      n: new Float64Array(rows),
      top1: Array.from({ length: C }, () => new Float64Array(rows).fill(NaN)),
      top2: Array.from({ length: C }, () => new Float64Array(rows).fill(NaN)),
      total: Array.from({ length: C }, () => new Float64Array(rows)),
      nonzero: Array.from({ length: C }, () => new Float64Array(rows)),
      mag1: Array.from({ length: C }, () => new Float64Array(rows)),
      mag2: Array.from({ length: C }, () => new Float64Array(rows)),
      absSum: Array.from({ length: C }, () => new Float64Array(rows)),
      offMode: Array.from({ length: C }, () => new Float64Array(rows)),
      offTwo: Array.from({ length: C }, () => new Float64Array(rows)),
    };
    const m = pairs.rowCount;
    // count(__sid): a pair with a NULL sid (rows without a subject) counts no subject but still contributes.
    for (let x = 0; x < m; x++) if (!sidNull?.[x]) f.n[idx[x]]++;
    for (let j = 0; j < C; j++) {
      const v = cCols[j].values as Float64Array;
      const nulls = cCols[j].nulls;
      const t1 = f.top1[j];
      const t2 = f.top2[j];
      const tot = f.total[j];
      const nz = f.nonzero[j];
      const a1 = f.mag1[j];
      const a2 = f.mag2[j];
      const ab = f.absSum[j];
      for (let x = 0; x < m; x++) {
        if (nulls?.[x]) continue;
        const i = idx[x];
        const y = v[x];
        tot[i] += y;
        ab[i] += Math.abs(y);
        if (y !== 0) {
          // A pair without a subject (NULL sid) adds to the total but is no contributor, as it counts no subject.
          if (!sidNull?.[x]) nz[i]++;
          const ay = Math.abs(y);
          if (ay > Math.abs(a1[i])) {
            a2[i] = a1[i];
            a1[i] = y;
          } else if (ay > Math.abs(a2[i])) {
            a2[i] = y;
          }
        }
        if (Number.isNaN(t1[i]) || y > t1[i]) {
          t2[i] = t1[i];
          t1[i] = y;
        } else if (Number.isNaN(t2[i]) || y > t2[i]) {
          t2[i] = y;
        }
      }
    }
    for (let j = 0; j < C; j++) offCommon(f.offMode[j], f.offTwo[j], idx, sidNull, cCols[j].values as Float64Array, cCols[j].nulls, m, rows);
    figures.push(f);
    pairData.push({ idx, sidNull, sids: sidCol.values as BigInt64Array, c: cCols.map((col) => ({ v: col.values as Float64Array, nulls: col.nulls })), m, datasets: plan.groups[g].datasets });
    // Subject sets: (__row, __sid) as typed columns, the dataset tag filled in below
    // (a VARCHAR column read row by row from DuckDB would cost more than the accounting itself).
    // __row as BigInt from the row index (one BigInt per result row, not per pair): a column less to read.
    const rowIds = Array.from({ length: rows }, (_, i) => BigInt(i));
    let ps = sidCol.values as BigInt64Array;
    let pr: BigInt64Array;
    if (sidNull) {
      const keep: number[] = [];
      for (let x = 0; x < m; x++) if (!sidNull[x]) keep.push(x);
      pr = BigInt64Array.from(keep, (x) => rowIds[idx[x]]);
      ps = BigInt64Array.from(keep, (x) => (sidCol.values as BigInt64Array)[x]);
    } else {
      pr = new BigInt64Array(m);
      for (let x = 0; x < m; x++) pr[x] = rowIds[idx[x]];
    }
    for (const ds of plan.groups[g].datasets) {
      rowParts.push(pr);
      sidParts.push(ps);
      dsParts.push(ds);
    }
  }
  // Across sid groups: the fewest subjects, the largest contributions (a missing figure is 0), group 0's totals.
  const subjectsCol = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) {
    let n = figures[0].n[i];
    for (let g = 1; g < figures.length; g++) n = Math.min(n, figures[g].n[i]);
    subjectsCol[i] = BigInt(n);
  }
  const greatest = (pick: (f: GroupFigures) => Float64Array) => {
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let v = 0;
      for (let g = 0; g < figures.length; g++) {
        const x = pick(figures[g])[i];
        const y = Number.isNaN(x) ? 0 : x;
        v = g === 0 ? y : Math.max(v, y);
      }
      out[i] = v;
    }
    return out;
  };
  const extra: ColumnarTable["columns"] = [{ name: "__subjects", type: "bigint", values: subjectsCol }];
  // Contributors of a conditional item: the fewest over its conditional aggregates and sid groups.
  const contributorsOf = (js: number[]) => {
    const nz = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      let n = Infinity;
      for (const j of js) for (const f of figures) n = Math.min(n, f.nonzero[j][r]);
      nz[r] = BigInt(n);
    }
    return nz;
  };
  plan.items.forEach((item, i) => {
    if (item.contribution === undefined) {
      if (item.presence?.length) extra.push({ name: `__nonzero_${i}`, type: "bigint", values: contributorsOf(item.presence) });
      return;
    }
    const j = item.contribution;
    extra.push({ name: `__top1_${i}`, type: "double", values: greatest((f) => f.top1[j]) });
    extra.push({ name: `__top2_${i}`, type: "double", values: greatest((f) => f.top2[j]) });
    extra.push({ name: `__total_${i}`, type: "double", values: Float64Array.from(figures[0].total[j]) });
    // Across sid groups the fewest contributors (as for __subjects); the magnitudes are group 0's, beside its total.
    extra.push({ name: `__nonzero_${i}`, type: "bigint", values: contributorsOf([j]) });
    extra.push({ name: `__mag1_${i}`, type: "double", values: Float64Array.from(figures[0].mag1[j]) });
    extra.push({ name: `__mag2_${i}`, type: "double", values: Float64Array.from(figures[0].mag2[j]) });
    extra.push({ name: `__abs_${i}`, type: "double", values: Float64Array.from(figures[0].absSum[j]) });
    extra.push({ name: `__offmode_${i}`, type: "bigint", values: BigInt64Array.from(figures[0].offMode[j], (x) => BigInt(x)) });
    extra.push({ name: `__offtwo_${i}`, type: "bigint", values: BigInt64Array.from(figures[0].offTwo[j], (x) => BigInt(x)) });
  });
  const table: ColumnarTable = { rowCount: rows, columns: [...base.columns, ...extra] };
  const columnSubjects = conditionalSets(plan, figures, pairData, rows);
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
  return { entry: { kind: "aggregate", meta: { columns: columnMeta(plan.items, names, undefined) }, rows: table.rowCount }, table, subjects, ...(columnSubjects ? { columnSubjects } : {}) };
}

/**
 * Per result row, the contributing subjects (non-NULL contribution and subject) whose
 * contribution is not the row's most common value (`off1`), and not one of its two most common
 * values (`off2`). Misra–Gries with two counters names every value held by more than a third of
 * the row in one pass, a second pass counts those exactly: `off1` is exact wherever a majority
 * exists (else at least half the row), `off2` wherever both common values hold more than a third
 * (else an over-count, never an under-count: the rules that read 1 … k−1 can only miss, not
 * invent, a finding).
 */
function offCommon(off1: Float64Array, off2: Float64Array, idx: Int32Array, sidNull: ArrayLike<boolean | number> | undefined, v: Float64Array, nulls: ArrayLike<boolean | number> | undefined, m: number, rows: number): void {
  const v1 = new Float64Array(rows);
  const v2 = new Float64Array(rows);
  const n1 = new Int32Array(rows);
  const n2 = new Int32Array(rows);
  for (let x = 0; x < m; x++) {
    if (nulls?.[x] || sidNull?.[x]) continue;
    const i = idx[x];
    const y = v[x];
    if (n1[i] > 0 && v1[i] === y) n1[i]++;
    else if (n2[i] > 0 && v2[i] === y) n2[i]++;
    else if (n1[i] === 0) {
      v1[i] = y;
      n1[i] = 1;
    } else if (n2[i] === 0) {
      v2[i] = y;
      n2[i] = 1;
    } else {
      n1[i]--;
      n2[i]--;
    }
  }
  const all = new Int32Array(rows);
  const e1 = new Int32Array(rows);
  const e2 = new Int32Array(rows);
  for (let x = 0; x < m; x++) {
    if (nulls?.[x] || sidNull?.[x]) continue;
    const i = idx[x];
    all[i]++;
    if (v[x] === v1[i]) e1[i]++;
    else if (v[x] === v2[i]) e2[i]++;
  }
  for (let i = 0; i < rows; i++) {
    off1[i] = all[i] - Math.max(e1[i], e2[i]);
    off2[i] = all[i] - e1[i] - e2[i];
  }
}

/**
 * Subject sets of conditional columns (ItemMeta.presence): for each such column and row whose
 * non-zero contributors are fewer than the row's subjects, those contributors. `sum(x) FILTER
 * (WHERE NOT p)` beside `sum(x)` is the same row with one subject fewer: differencing needs the
 * column's own set to see it. Undefined when no column narrows any row.
 */
function conditionalSets(plan: AggregatePlan, figures: GroupFigures[], pairs: PairData[], rows: number): ColumnarTable | undefined {
  const rowOut: bigint[] = [];
  const colOut: number[] = [];
  const partOut: number[] = [];
  const dsOut: string[] = [];
  const sidOut: bigint[] = [];
  plan.items.forEach((item, i) => (item.presence ?? []).forEach((j, k) => {
    pairs.forEach((p, g) => {
      const f = figures[g];
      const narrowed = new Uint8Array(rows);
      let any = false;
      for (let r = 0; r < rows; r++) {
        if (f.nonzero[j][r] < f.n[r]) {
          narrowed[r] = 1;
          any = true;
        }
      }
      if (!any) return;
      const { v, nulls } = p.c[j];
      for (let x = 0; x < p.m; x++) {
        const r = p.idx[x];
        if (!narrowed[r] || p.sidNull?.[x] || nulls?.[x] || v[x] === 0) continue;
        for (const ds of p.datasets) {
          rowOut.push(BigInt(r));
          colOut.push(i);
          partOut.push(k);
          dsOut.push(ds);
          sidOut.push(p.sids[x]);
        }
      }
    });
  }));
  if (colOut.length === 0) return undefined;
  return { rowCount: colOut.length, columns: [
    { name: "__row", type: "bigint", values: BigInt64Array.from(rowOut) },
    { name: "__col", type: "int", values: Int32Array.from(colOut) },
    { name: "__part", type: "int", values: Int32Array.from(partOut) },
    { name: "dataset", type: "string", values: dsOut },
    { name: "__sid", type: "bigint", values: BigInt64Array.from(sidOut) },
  ] };
}

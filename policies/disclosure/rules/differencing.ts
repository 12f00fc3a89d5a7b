/**
 * Rule `differencing` (block): a released cell whose SUBJECT SET differs from another cell's by
 * 1 … k−1 subjects — an earlier released cell of the same dataset by any organisation
 * (collusion), or another cell of this request (a total against its parts) — lets anyone
 * subtract the two and learn about those few people, whatever the columns are called or
 * grouped by. Subject sets come from the ledger (this request) and `released_cells` (earlier).
 *
 * Method (fast with many released cells): only cells sharing at least one subject can be that
 * close (disjoint cells of ≥ k subjects differ by ≥ 2k), so pairs come from a join on subject
 * ids, restricted first to released cells whose size is within k−1 of some current cell's; the
 * symmetric difference is then exact: |A| + |B| − 2|A ∩ B|.
 *
 * Source: Hundepool et al., Statistical Disclosure Control (2012) §5.5 (disclosure by
 * differencing); ACRO/SACRO differencing guidance; Open Diffix (sticky noise exists because
 * differencing on subject sets works). Threshold k (default 5, as `cell-subjects`).
 */
import type { CheckContext } from "../context.js";
import { finding } from "../findings.js";
import { currentCells, type CurrentCells } from "../released-cells.js";
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import type { Finding, Rule } from "../types.js";

export const DIFFERENCING_DEFAULTS = { differencingMin: 5 };

interface Pair {
  a: string;
  b: string;
  tbl: string;
  dataset: string;
  diff: number;
  na: number;
  nb: number;
  org?: string;
}

/**
 * Prefix filter (exact): if |A \ B| ≤ d then B holds at least one of ANY d+1 members of A —
 * here A's d+1 members with the smallest hash. Candidate pairs are the cells holding one of
 * them, so the join touches (d+1) rows per current cell instead of all its subjects.
 */
async function prefixTable(ctx: CheckContext, cur: CurrentCells, d: number): Promise<string> {
  return ctx.once("diff-prefix", async () => {
    const { name, ref } = ctx.tempTable("prefix");
    await ctx.conn.run(
      `CREATE TEMP TABLE ${quoteIdent(name)} AS SELECT cell, dataset, unnest(min(__sid, ${d + 1})) AS __sid FROM ${cur.subjects} GROUP BY cell, dataset`,
    );
    return ref;
  });
}

function pairs(rows: Record<string, unknown>[]): Pair[] {
  return rows.map((r) => ({
    a: `${String(r.tbl)}#${String(r.out_row)}`,
    b: r.btbl === undefined ? String(r.b) : `${String(r.btbl)}#${String(r.bout)}`,
    tbl: String(r.tbl), dataset: String(r.dataset), diff: Number(r.diff), na: Number(r.na), nb: Number(r.nb),
    ...(r.org !== undefined ? { org: String(r.org) } : {}),
  }));
}

/** Pairs (current cell, released cell) of one dataset whose subject sets differ by 1 … d. */
async function againstReleased(ctx: CheckContext, cur: CurrentCells, d: number): Promise<Pair[]> {
  const store = ctx.input.released;
  if (!store) return [];
  const prefix = await prefixTable(ctx, cur, d);
  return pairs(await ctx.rows(
    `WITH cand AS (
       SELECT DISTINCT p.cell AS a, b.cell AS b, p.dataset FROM ${prefix} p JOIN ${quoteTable(store.subjects)} b ON b.dataset = p.dataset AND b.__sid = p.__sid),
     sized AS (
       SELECT c.a, c.b, c.dataset, ca.n AS na, rb.subjects AS nb, rb.org, rb.egress, rb.tbl AS btbl, rb.out_row AS bout, ca.tbl, ca.out_row
       FROM cand c JOIN ${cur.cells} ca ON ca.cell = c.a AND ca.dataset = c.dataset
       JOIN ${quoteTable(store.cells)} rb ON rb.cell = c.b AND rb.dataset = c.dataset
       WHERE abs(ca.n - rb.subjects) <= ${d}),
     inter AS (
       SELECT s.a, s.b, s.dataset, count(*) AS i FROM sized s
       JOIN ${cur.subjects} sa ON sa.cell = s.a AND sa.dataset = s.dataset
       JOIN ${quoteTable(store.subjects)} sb ON sb.cell = s.b AND sb.dataset = s.dataset AND sb.__sid = sa.__sid
       GROUP BY ALL)
     SELECT s.tbl, s.out_row, s.egress || ':' || s.btbl || '#' || s.bout AS b, s.dataset, s.na + s.nb - 2 * coalesce(x.i, 0) AS diff, s.na, s.nb, s.org
     FROM sized s LEFT JOIN inter x ON x.a = s.a AND x.b = s.b AND x.dataset = s.dataset
     WHERE s.na + s.nb - 2 * coalesce(x.i, 0) BETWEEN 1 AND ${d} ORDER BY diff, s.tbl, s.out_row`,
  ));
}

/** Pairs of cells of this request whose subject sets differ by 1 … d (a total against its parts). */
async function withinRequest(ctx: CheckContext, cur: CurrentCells, d: number): Promise<Pair[]> {
  const prefix = await prefixTable(ctx, cur, d);
  return pairs(await ctx.rows(
    `WITH cand AS (
       SELECT DISTINCT least(p.cell, b.cell) AS a, greatest(p.cell, b.cell) AS b, p.dataset FROM ${prefix} p
       JOIN ${cur.subjects} b ON b.dataset = p.dataset AND b.__sid = p.__sid AND b.cell <> p.cell),
     sized AS (
       SELECT c.a, c.b, c.dataset, ca.n AS na, cb.n AS nb, ca.tbl, ca.out_row, cb.tbl AS btbl, cb.out_row AS bout
       FROM cand c JOIN ${cur.cells} ca ON ca.cell = c.a AND ca.dataset = c.dataset JOIN ${cur.cells} cb ON cb.cell = c.b AND cb.dataset = c.dataset
       WHERE abs(ca.n - cb.n) <= ${d}),
     inter AS (
       SELECT s.a, s.b, s.dataset, count(*) AS i FROM sized s
       JOIN ${cur.subjects} sa ON sa.cell = s.a AND sa.dataset = s.dataset
       JOIN ${cur.subjects} sb ON sb.cell = s.b AND sb.dataset = s.dataset AND sb.__sid = sa.__sid
       GROUP BY ALL)
     SELECT s.tbl, s.out_row, s.btbl, s.bout, s.dataset, s.na + s.nb - 2 * coalesce(x.i, 0) AS diff, s.na, s.nb
     FROM sized s LEFT JOIN inter x ON x.a = s.a AND x.b = s.b AND x.dataset = s.dataset
     WHERE s.na + s.nb - 2 * coalesce(x.i, 0) BETWEEN 1 AND ${d} ORDER BY diff, s.tbl, s.out_row`,
  ));
}


async function run(ctx: CheckContext): Promise<Finding[]> {
  const min = ctx.thresholds.differencingMin;
  if (!ctx.tables.some((t) => t.kind === "accounted-aggregate")) return [];
  const cur = await currentCells(ctx);
  const out: Finding[] = [];
  const earlier = await againstReleased(ctx, cur, min - 1);
  if (earlier.length > 0) {
    const orgs = [...new Set(earlier.map((p) => p.org))];
    out.push(finding("differencing", "block",
      `${earlier.length} cell(s) differ from earlier released cells (organisation(s) ${orgs.join(", ")}) of the same dataset by only ${Math.min(...earlier.map((p) => p.diff))}–${Math.max(...earlier.map((p) => p.diff))} subject(s) (< ${min}): subtracting them isolates those people`,
      `${earlier.length} 个单元格与同一数据集此前已发布的单元格（机构 ${orgs.join("、")}）仅相差 ${Math.min(...earlier.map((p) => p.diff))}–${Math.max(...earlier.map((p) => p.diff))} 个主体（< ${min}），相减即可分离出这些人`,
      {
        table: earlier[0].tbl,
        cells: earlier.slice(0, 5).map((p) => ({ cell: p.a, earlier: p.b, dataset: p.dataset, differ_by: p.diff })),
        subjects: earlier.slice(0, 5).map((p) => p.na),
        remedy: { en: "release the same population as before (same filters), or one that differs by at least k subjects; coarser groups help", zh: "与此前发布保持相同人群（相同筛选条件），或至少相差 k 个主体；也可合并分组" },
      }));
  }
  const within = await withinRequest(ctx, cur, min - 1);
  if (within.length > 0) {
    out.push(finding("differencing", "block",
      `${within.length} pair(s) of cells in this request differ by only ${Math.min(...within.map((p) => p.diff))}–${Math.max(...within.map((p) => p.diff))} subject(s) (< ${min}), e.g. a total and a part: subtracting them isolates those people`,
      `本次申请中 ${within.length} 对单元格仅相差 ${Math.min(...within.map((p) => p.diff))}–${Math.max(...within.map((p) => p.diff))} 个主体（< ${min}），例如合计与其部分，相减即可分离出这些人`,
      {
        table: within[0].tbl,
        cells: within.slice(0, 5).map((p) => ({ cell: p.a, other: p.b, dataset: p.dataset, differ_by: p.diff })),
        subjects: within.slice(0, 5).map((p) => p.na),
        remedy: { en: "drop one of the two tables, or use the suppress-small remedy so totals cannot rebuild small parts", zh: "删除其中一个表，或使用 suppress-small 使合计无法反推小部分" },
      }));
  }
  return out;
}

export const differencingRule: Rule = { name: "differencing", run };

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
import { currentCells } from "../released-cells.js";
import { quoteTable } from "../../desensitize/sql-quote.js";
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

async function againstReleased(ctx: CheckContext, cur: { cells: string; subjects: string }, min: number): Promise<Pair[]> {
  const store = ctx.input.released;
  if (!store) return [];
  const d = min - 1;
  const rows = await ctx.rows(
    `WITH cand AS (
       SELECT r.cell, r.dataset, r.subjects AS n, r.org FROM ${quoteTable(store.cells)} r
       WHERE EXISTS (SELECT 1 FROM ${cur.cells} c WHERE c.dataset = r.dataset AND r.subjects BETWEEN c.n - ${d} AND c.n + ${d})),
     inter AS (
       SELECT a.cell AS a, b.cell AS b, a.dataset, count(*) AS i
       FROM ${cur.subjects} a JOIN ${quoteTable(store.subjects)} b ON b.dataset = a.dataset AND b.__sid = a.__sid
       WHERE b.cell IN (SELECT cell FROM cand) GROUP BY ALL)
     SELECT x.a, x.b, ca.tbl, x.dataset, ca.n + cb.n - 2 * x.i AS diff, ca.n AS na, cb.n AS nb, cb.org
     FROM inter x JOIN ${cur.cells} ca ON ca.cell = x.a AND ca.dataset = x.dataset JOIN cand cb ON cb.cell = x.b AND cb.dataset = x.dataset
     WHERE ca.n + cb.n - 2 * x.i BETWEEN 1 AND ${d} ORDER BY diff, x.a, x.b`,
  );
  return rows.map((r) => ({ a: String(r.a), b: String(r.b), tbl: String(r.tbl), dataset: String(r.dataset), diff: Number(r.diff), na: Number(r.na), nb: Number(r.nb), org: String(r.org) }));
}

async function withinRequest(ctx: CheckContext, cur: { cells: string; subjects: string }, min: number): Promise<Pair[]> {
  const d = min - 1;
  const rows = await ctx.rows(
    `WITH inter AS (
       SELECT a.cell AS a, b.cell AS b, a.dataset, count(*) AS i
       FROM ${cur.subjects} a JOIN ${cur.subjects} b ON b.dataset = a.dataset AND b.__sid = a.__sid AND a.cell < b.cell
       GROUP BY ALL)
     SELECT x.a, x.b, ca.tbl, x.dataset, ca.n + cb.n - 2 * x.i AS diff, ca.n AS na, cb.n AS nb
     FROM inter x JOIN ${cur.cells} ca ON ca.cell = x.a AND ca.dataset = x.dataset JOIN ${cur.cells} cb ON cb.cell = x.b AND cb.dataset = x.dataset
     WHERE abs(ca.n - cb.n) <= ${d} AND ca.n + cb.n - 2 * x.i BETWEEN 1 AND ${d} ORDER BY diff, x.a, x.b`,
  );
  return rows.map((r) => ({ a: String(r.a), b: String(r.b), tbl: String(r.tbl), dataset: String(r.dataset), diff: Number(r.diff), na: Number(r.na), nb: Number(r.nb) }));
}

/** Cell ids name their table and row, never values: `cur:<table>:<row>` or `<egress>:<table>:<row>`. */
const where = (cell: string) => cell.replace(/^cur:/, "");

async function run(ctx: CheckContext): Promise<Finding[]> {
  const min = ctx.thresholds.differencingMin;
  if (!ctx.tables.some((t) => t.kind === "accounted-aggregate")) return [];
  const cur = await currentCells(ctx);
  const out: Finding[] = [];
  const earlier = await againstReleased(ctx, cur, min);
  if (earlier.length > 0) {
    const orgs = [...new Set(earlier.map((p) => p.org))];
    out.push(finding("differencing", "block",
      `${earlier.length} cell(s) differ from earlier released cells (organisation(s) ${orgs.join(", ")}) of the same dataset by only ${Math.min(...earlier.map((p) => p.diff))}–${Math.max(...earlier.map((p) => p.diff))} subject(s) (< ${min}): subtracting them isolates those people`,
      `${earlier.length} 个单元格与同一数据集此前已发布的单元格（机构 ${orgs.join("、")}）仅相差 ${Math.min(...earlier.map((p) => p.diff))}–${Math.max(...earlier.map((p) => p.diff))} 个主体（< ${min}），相减即可分离出这些人`,
      {
        table: earlier[0].tbl,
        cells: earlier.slice(0, 5).map((p) => ({ cell: where(p.a), earlier: p.b, dataset: p.dataset, differ_by: p.diff })),
        subjects: earlier.slice(0, 5).map((p) => p.na),
        remedy: { en: "release the same population as before (same filters), or one that differs by at least k subjects; coarser groups help", zh: "与此前发布保持相同人群（相同筛选条件），或至少相差 k 个主体；也可合并分组" },
      }));
  }
  const within = await withinRequest(ctx, cur, min);
  if (within.length > 0) {
    out.push(finding("differencing", "block",
      `${within.length} pair(s) of cells in this request differ by only ${Math.min(...within.map((p) => p.diff))}–${Math.max(...within.map((p) => p.diff))} subject(s) (< ${min}), e.g. a total and a part: subtracting them isolates those people`,
      `本次申请中 ${within.length} 对单元格仅相差 ${Math.min(...within.map((p) => p.diff))}–${Math.max(...within.map((p) => p.diff))} 个主体（< ${min}），例如合计与其部分，相减即可分离出这些人`,
      {
        table: within[0].tbl,
        cells: within.slice(0, 5).map((p) => ({ cell: where(p.a), other: where(p.b), dataset: p.dataset, differ_by: p.diff })),
        subjects: within.slice(0, 5).map((p) => p.na),
        remedy: { en: "drop one of the two tables, or use the suppress-small remedy so totals cannot rebuild small parts", zh: "删除其中一个表，或使用 suppress-small 使合计无法反推小部分" },
      }));
  }
  return out;
}

export const differencingRule: Rule = { name: "differencing", run };

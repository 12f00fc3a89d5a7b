/**
 * Rule `contributors` (block / review): a conditional aggregate is a cell of the subjects that
 * contribute to it. `count_if(p)`, `sum(CASE WHEN p THEN x ELSE 0 END)`, `sum(x) FILTER (WHERE p)`
 * or `avg(CASE WHEN p THEN x END)` inside a cell of hundreds of subjects still rests on the few
 * for whom `p` holds; the ledger counts them (subjects whose per-subject contribution is neither
 * NULL nor 0) and the same thresholds as `cell-subjects` apply: fewer than k blocks, fewer than
 * the review threshold is reviewed. Weights single subjects out just as well
 * (`sum(x * pow(10, 100 * p::INT))` has every subject contributing, but the released value is
 * the one or two whose weight is huge): when the two contributions largest in magnitude leave
 * less than `contributorRest` of the total, the cell is one or two subjects' value and blocks.
 *
 * Not closed here: contributions that cancel across subjects (+c for some, −c for others) so
 * that a small subject's value stands out of a near-zero total; `p-percent` and `dominance`
 * see some of those, and reviewers see the code.
 *
 * Source: Open Diffix / Aircloak count the distinct anonymization IDs behind each aggregate, not
 * behind the row (a conditional aggregate is its own bucket); AWS Clean Rooms minimum
 * aggregation threshold; OpenSAFELY suppresses any count ≤ 7 whatever it is a count of;
 * Hundepool et al. (2012) §4.2 (a cell whose total is one contributor's value is disclosive).
 * Defaults k = 5, minCellCount = 10 (as cell-subjects), contributorRest = 0.001.
 */
import type { CheckContext } from "../context.js";
import { finding, label, remedy, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const CONTRIBUTORS_DEFAULTS = { contributorRest: 0.001 };

const REMEDY = {
  en: "release the condition as a group of its own (GROUP BY it, or a WHERE of its own query) so the gate counts its subjects and can suppress small cells, or widen the condition",
  zh: "将条件作为单独的分组（GROUP BY 该条件或单独查询的 WHERE）发布，使网关统计其主体并可隐藏小单元格，或放宽条件",
};

async function count(ctx: CheckContext, ref: string, where: string): Promise<number> {
  return Number((await ctx.rows(`SELECT count(*) AS n FROM ${ref} c WHERE ${where}`))[0].n);
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const { k, minCellCount: min, contributorRest: rest } = ctx.thresholds;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    const name = label(t);
    for (const [j, col] of c.contributors.entries()) {
      // Only where the condition narrows the cell: with every subject contributing, cell-subjects already decided.
      const live = `released AND cr_${j} AND nz_${j} < subjects`;
      const few = `${live} AND nz_${j} BETWEEN 1 AND ${k - 1}`;
      const nFew = await count(ctx, c.ref, few);
      if (nFew > 0) {
        out.push(finding("contributors", "block",
          `${name}.${col}: ${nFew} cell(s) whose value rests on fewer than k=${k} contributing subjects (ledger count of non-zero contributions), however many stand behind the row`,
          `${name}.${col}：${nFew} 个单元格的值仅由少于 k=${k} 个有贡献的主体构成（台账按非零贡献计数），无论该行背后有多少主体`,
          { table: name, ...(await sampleCells(ctx, t, c.ref, few)), remedy: remedy(["suppress-small"], REMEDY) }));
      }
      const review = `${live} AND nz_${j} BETWEEN ${k} AND ${min - 1}`;
      const nReview = min > k ? await count(ctx, c.ref, review) : 0;
      if (nReview > 0) {
        out.push(finding("contributors", "review",
          `${name}.${col}: ${nReview} cell(s) whose value rests on ${k}–${min - 1} contributing subjects (review threshold ${min})`,
          `${name}.${col}：${nReview} 个单元格的值由 ${k}–${min - 1} 个有贡献的主体构成（复核阈值 ${min}）`,
          { table: name, ...(await sampleCells(ctx, t, c.ref, review)), remedy: REMEDY }));
      }
      // Weighted out: the largest one or two contributions (by magnitude) are the released value to within `rest`.
      const singled = `released AND cr_${j} AND NOT coalesce(${few}, false) AND subjects >= 2 AND abs(ct_${j}) > 0 AND (abs(ct_${j} - m1_${j}) <= ${rest} * abs(ct_${j}) OR (subjects >= 3 AND abs(ct_${j} - m1_${j} - m2_${j}) <= ${rest} * abs(ct_${j})))`;
      const nSingled = await count(ctx, c.ref, singled);
      if (nSingled > 0) {
        out.push(finding("contributors", "block",
          `${name}.${col}: ${nSingled} cell(s) whose value is one or two subjects' contribution (the others leave less than ${rest * 100}% of the total)`,
          `${name}.${col}：${nSingled} 个单元格的值实为一两个主体的贡献（其余主体合计不足总量的 ${rest * 100}%）`,
          { table: name, ...(await sampleCells(ctx, t, c.ref, singled)), remedy: REMEDY }));
      }
    }
  }
  return out;
}

export const contributorsRule: Rule = { name: "contributors", run };

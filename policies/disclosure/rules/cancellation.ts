/**
 * Rule `cancellation` (block): a sum or mean whose contributions cancel (Σ|c| at least twice
 * |total|) so that the total is one subject's contribution to within `cancellationShare`.
 * `sum(CASE WHEN p THEN income WHEN rn % 2 = 0 THEN 1000 ELSE -1000 END)` has hundreds of
 * contributors, no dominant share of Σ|c| and no small condition, but the ±1000s add to about
 * nothing and the cell is the one person's income. The one or two must stand out (at least twice
 * the others' mean magnitude): a net count of ±1s that comes to 2 reveals counts, not a person.
 * Same-signed contributions never cancel, so
 * sums of counts, incomes and other measures are untouched; `dominance` and `p-percent` review
 * the same-signed near-misses.
 *
 * Not closed here: others' contributions as large as the person's (±20,000 beside an income of
 * 22,000) hide that the total is one value; `dominance` reviews those.
 *
 * Source: Hundepool et al., Statistical Disclosure Control (2012) §4.2 (sensitivity of cells with
 * negative contributions: the p% rule applied to magnitudes, since a signed total can equal one
 * contributor); ACRO/SACRO `safe_pratio_p` = 0.10. Defaults cancellationShare = 0.1 (as p%), and
 * contributions count as cancelling when Σ|c| ≥ 2 |total| (at least half the magnitude is lost).
 */
import type { CheckContext } from "../context.js";
import { finding, label, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const CANCELLATION_DEFAULTS = { cancellationShare: 0.1 };

const REMEDY = {
  en: "release the positive and the negative parts as columns of their own (a sum of gains and a sum of losses), each then checked for its contributors",
  zh: "将正值部分与负值部分分别作为单独的列发布（收益合计与损失合计），各自接受贡献主体检查",
};

async function run(ctx: CheckContext): Promise<Finding[]> {
  const p = ctx.thresholds.cancellationShare;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    const name = label(t);
    for (const [j, col] of c.contributors.entries()) {
      // Sums and means only: a count's contribution is each subject's number of rows (visits, filings), a fact about rows, not a value.
      if (!c.magnitudes.includes(col)) continue;
      // A contribution stands out when it is at least twice the others' mean magnitude: ±1 each (a net count) reveal only counts.
      const m2 = `abs(coalesce(m2_${j}, 0))`;
      const restMean = (taken: string, n: number) => `(ab_${j} - ${taken}) / greatest(subjects - ${n}, 1)`;
      const one = `(abs(ct_${j} - m1_${j}) <= ${p} * abs(m1_${j}) AND abs(m1_${j}) >= 2 * ${restMean(`abs(m1_${j})`, 1)})`;
      const two = `(subjects >= 3 AND abs(ct_${j} - m1_${j} - coalesce(m2_${j}, 0)) <= ${p} * (abs(m1_${j}) + ${m2}) AND ${m2} >= 2 * ${restMean(`abs(m1_${j}) - ${m2}`, 2)})`;
      const where = `released AND cr_${j} AND subjects >= 2 AND abs(m1_${j}) > 0 AND ab_${j} >= 2 * abs(ct_${j}) AND (${one} OR ${two})`;
      const bad = Number((await ctx.rows(`SELECT count(*) AS n FROM ${c.ref} c WHERE ${where}`))[0].n);
      if (bad === 0) continue;
      out.push(finding("cancellation", "block",
        `${name}.${col}: ${bad} cell(s) whose contributions cancel out around one or two subjects: the total is their value to within ${Math.round(p * 100)}%`,
        `${name}.${col}：${bad} 个单元格的贡献正负相抵，合计仅剩一两个主体的值（误差 ${Math.round(p * 100)}% 以内）`,
        { table: name, ...(await sampleCells(ctx, t, c.ref, where)), remedy: REMEDY }));
    }
  }
  return out;
}

export const cancellationRule: Rule = { name: "cancellation", run };

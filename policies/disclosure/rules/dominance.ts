/**
 * Rule `dominance` (review): in a magnitude cell (sum or mean of a column), the n largest
 * per-subject contributions make up more than k of the total — each of those subjects can
 * estimate the others. Contributions are the ledger's `__top1_i`, `__top2_i`, `__total_i`,
 * computed per subject by the domain (never recomputed from names).
 *
 * Source: ACRO/SACRO `safe_nk_n` = 2, `safe_nk_k` = 0.85 (the (n,k) dominance rule); Hundepool
 * et al., Statistical Disclosure Control (2012) §4.2. Defaults n = 2, k = 85 % (n ∈ {1, 2}:
 * the ledger keeps the two largest contributions).
 */
import type { CheckContext } from "../context.js";
import { finding, label, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const DOMINANCE_DEFAULTS = { dominanceN: 2, dominanceK: 0.85 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const { dominanceN: n, dominanceK: k } = ctx.thresholds;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    for (const [j, col] of c.magnitudes.entries()) {
      const top = n >= 2 ? `abs(t1_${j}) + abs(coalesce(t2_${j}, 0))` : `abs(t1_${j})`;
      const where = `released AND subjects > 0 AND abs(tot_${j}) > 0 AND ${top} > ${k} * abs(tot_${j})`;
      const bad = Number((await ctx.rows(`SELECT count(*) AS n FROM ${c.ref} c WHERE ${where}`))[0].n);
      if (bad === 0) continue;
      const name = label(t);
      out.push(finding("dominance", "review",
        `${name}.${col}: ${bad} cell(s) where the ${n} largest subjects contribute more than ${Math.round(k * 100)}% of the total`,
        `${name}.${col}：${bad} 个单元格中最大的 ${n} 个主体贡献超过合计的 ${Math.round(k * 100)}%`,
        { table: name, ...(await sampleCells(ctx, t, c.ref, where)),
          remedy: { en: "merge categories so no one or two subjects dominate, or suppress those cells", zh: "合并类别使单个或两个主体不占主导，或隐藏这些单元格" } }));
    }
  }
  return out;
}

export const dominanceRule: Rule = { name: "dominance", run };

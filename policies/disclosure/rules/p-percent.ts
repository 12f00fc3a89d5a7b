/**
 * Rule `p-percent` (review): in a magnitude cell, the total minus the two largest per-subject
 * contributions is less than p × the largest — the second-largest contributor can then
 * estimate the largest to within p %. Contributions come from the ledger.
 *
 * Source: ACRO/SACRO `safe_pratio_p` = 0.10 (the p% rule); Hundepool et al., Statistical
 * Disclosure Control (2012) §4.2. Default p = 10 %.
 */
import type { CheckContext } from "../context.js";
import { finding, label, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const P_PERCENT_DEFAULTS = { pPercent: 0.1 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const p = ctx.thresholds.pPercent;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    for (const [j, col] of c.magnitudes.entries()) {
      const where = `released AND subjects > 0 AND abs(tot_${j}) > 0 AND abs(tot_${j}) - abs(t1_${j}) - abs(coalesce(t2_${j}, 0)) < ${p} * abs(t1_${j})`;
      const bad = Number((await ctx.rows(`SELECT count(*) AS n FROM ${c.ref} c WHERE ${where}`))[0].n);
      if (bad === 0) continue;
      const name = label(t);
      out.push(finding("p-percent", "review",
        `${name}.${col}: ${bad} cell(s) fail the p% rule (p = ${Math.round(p * 100)}%): the second-largest subject can estimate the largest`,
        `${name}.${col}：${bad} 个单元格不满足 p% 规则（p = ${Math.round(p * 100)}%）：第二大主体可估算最大主体的值`,
        { table: name, ...(await sampleCells(ctx, t, c.ref, where)),
          remedy: { en: "merge categories or suppress those cells", zh: "合并类别或隐藏这些单元格" } }));
    }
  }
  return out;
}

export const pPercentRule: Rule = { name: "p-percent", run };

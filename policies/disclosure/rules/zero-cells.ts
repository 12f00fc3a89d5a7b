/**
 * Rule `zero-cells` (review): an accounted aggregate cell that no subject stands behind
 * (ledger `__subjects` = 0, e.g. a count over an empty filter). A zero can be structural or
 * disclose that nobody in a group has a property (group disclosure); a reviewer decides.
 *
 * Source: ACRO/SACRO `zeros_are_disclosive` (default on); ONS/SDC handbook on structural vs
 * sampling zeros. No threshold.
 */
import type { CheckContext } from "../context.js";
import { finding, label, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    const n = Number((await ctx.rows(`SELECT count(*) AS n FROM ${c.ref} WHERE released AND subjects = 0`))[0].n);
    if (n === 0) continue;
    const name = label(t);
    out.push(finding("zero-cells", "review",
      `${name}: ${n} cell(s) with no subject behind them; confirm they are structural zeros, not group disclosure`,
      `${name}：${n} 个单元格背后没有主体；请确认是结构性零值而非群体披露`,
      { table: name, ...(await sampleCells(ctx, t, c.ref, "released AND subjects = 0")) }));
  }
  return out;
}

export const zeroCellsRule: Rule = { name: "zero-cells", run };

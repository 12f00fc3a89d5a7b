/**
 * Rule `p-percent` (review): in a magnitude table, a cell where the total minus the two largest
 * contributions is less than p × the largest — the second-largest contributor can then estimate
 * the largest to within p %.
 *
 * Source: ACRO/SACRO `safe_pratio_p` = 0.10 (the p% rule); Hundepool et al., Statistical
 * Disclosure Control (2012) §4.2. Default p = 10 %.
 */
import { displayRow } from "../display.js";
import type { CheckContext } from "../context.js";
import { magnitudeCells } from "../magnitude-cells.js";
import type { Finding, Rule } from "../types.js";

export const P_PERCENT_DEFAULTS = { pPercent: 0.1 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const p = ctx.thresholds.pPercent;
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "aggregate")) {
    const { cells } = await magnitudeCells(ctx, t, Math.max(ctx.thresholds.dominanceN, 2));
    const bad = cells.filter((c) => {
      const [x1 = 0, x2 = 0] = c.top;
      return c.total > 0 && c.total - x1 - x2 < p * x1;
    });
    if (bad.length === 0) continue;
    findings.push({
      rule: "p-percent",
      severity: "review",
      detail: `${t.name}: ${bad.length} cell(s) fail the p% rule (p = ${Math.round(p * 100)}%)`,
      cells: bad.slice(0, 5).map((c) => displayRow({ ...c.key, column: c.column })),
    });
  }
  return findings;
}

export const pPercentRule: Rule = { name: "p-percent", run };

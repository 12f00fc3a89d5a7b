/**
 * Rule `dominance` (review): in a magnitude table (sums), a cell where the n largest
 * contributors make up more than k of the total — each of them can estimate the others.
 * Contributions are recomputed from the raw rows (magnitude-cells.ts); when that is not
 * possible the table is reviewed as unverifiable.
 *
 * Source: ACRO/SACRO `safe_nk_n` = 2, `safe_nk_k` = 0.85 (the (n,k) dominance rule); Hundepool
 * et al., Statistical Disclosure Control (2012) §4.2. Defaults n = 2, k = 85 %.
 */
import { displayRow } from "../display.js";
import type { CheckContext } from "../context.js";
import { magnitudeCells } from "../magnitude-cells.js";
import type { Finding, Rule } from "../types.js";

export const DOMINANCE_DEFAULTS = { dominanceN: 2, dominanceK: 0.85 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const { dominanceN: n, dominanceK: k } = ctx.thresholds;
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "aggregate")) {
    const { cells, unverifiable } = await magnitudeCells(ctx, t, Math.max(n, 2));
    if (unverifiable.length > 0) {
      findings.push({
        rule: "dominance",
        severity: "review",
        detail: `${t.name}: magnitude column(s) ${unverifiable.join(", ")} could not be traced to raw contributions; dominance unverified`,
      });
    }
    const bad = cells.filter((c) => c.total > 0 && c.top.slice(0, n).reduce((a, b) => a + b, 0) > k * c.total);
    if (bad.length === 0) continue;
    findings.push({
      rule: "dominance",
      severity: "review",
      detail: `${t.name}: ${bad.length} cell(s) where the ${n} largest contributors exceed ${Math.round(k * 100)}% of the total`,
      cells: bad.slice(0, 5).map((c) => displayRow({ ...c.key, column: c.column })),
    });
  }
  return findings;
}

export const dominanceRule: Rule = { name: "dominance", run };

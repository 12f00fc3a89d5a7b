/**
 * Rule `small-cells` (review): an aggregate cell counting fewer than the threshold (but more
 * than zero) people. Desensitization offers OpenSAFELY-style fixes: `suppress_small`
 * (≤ 7) and `round` to 5.
 *
 * Source: ACRO/SACRO `safe_threshold` = 10 (the default here); OpenSAFELY output checking
 * suppresses counts ≤ 7 and rounds to the nearest 5; DataSHIELD `nfilter.tab` = 3.
 */
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import { displayRow } from "../display.js";
import type { CheckContext } from "../context.js";
import type { Finding, Rule } from "../types.js";

export const SMALL_CELLS_DEFAULTS = { minCellCount: 10 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const min = ctx.thresholds.minCellCount;
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "aggregate" && x.countColumn)) {
    const c = quoteIdent(t.countColumn!);
    const r = await ctx.rows(
      `SELECT count(*) AS cells, list(to_json(__shuyu_row))[1:5] AS sample FROM ${quoteTable(t.name)} __shuyu_row WHERE ${c} > 0 AND ${c} < ${min}`,
    );
    const cells = Number(r[0].cells);
    if (cells === 0) continue;
    findings.push({
      rule: "small-cells",
      severity: "review",
      detail: `${t.name}: ${cells} cell(s) with ${t.countColumn} between 1 and ${min - 1} (threshold ${min})`,
      cells: (r[0].sample as string[]).map((s) => displayRow(JSON.parse(s))),
    });
  }
  return findings;
}

export const smallCellsRule: Rule = { name: "small-cells", run };

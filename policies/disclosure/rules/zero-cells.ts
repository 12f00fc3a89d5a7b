/**
 * Rule `zero-cells` (review): an aggregate cell with count 0. A zero can be structural (no
 * man is pregnant) or disclose that nobody in a group has a property (group disclosure);
 * a reviewer decides which.
 *
 * Source: ACRO/SACRO report zeros (`zeros_are_disclosive`, default on); ONS/SDC handbook on
 * structural vs sampling zeros. No threshold.
 */
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import { displayRow } from "../display.js";
import type { CheckContext } from "../context.js";
import type { Finding, Rule } from "../types.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "aggregate" && x.countColumn)) {
    const c = quoteIdent(t.countColumn!);
    const r = await ctx.rows(
      `SELECT count(*) AS cells, list(to_json(__shuyu_row))[1:5] AS sample FROM ${quoteTable(t.name)} __shuyu_row WHERE ${c} = 0`,
    );
    const cells = Number(r[0].cells);
    if (cells === 0) continue;
    findings.push({
      rule: "zero-cells",
      severity: "review",
      detail: `${t.name}: ${cells} zero cell(s); confirm they are structural zeros and not group disclosure`,
      cells: (r[0].sample as string[]).map((s) => displayRow(JSON.parse(s))),
    });
  }
  return findings;
}

export const zeroCellsRule: Rule = { name: "zero-cells", run };

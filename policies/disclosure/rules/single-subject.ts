/**
 * Rule `single-subject` (review; block on grade-4 data): a statistic that is one subject's own
 * value — min, max, median, mode, quantiles, first/any_value, list/string_agg — on a quasi or
 * sensitive column (the ledger marks such columns `agg: "single"`). However many subjects
 * stand behind the cell, its value belongs to one of them.
 *
 * Source: ACRO/SACRO treat max/min as disclosive unless reviewed; Hundepool et al. (2012) §4.3
 * (extreme values); DataSHIELD returns no order statistics of individuals. Grade 4 per the
 * scenario's data grade (JR/T 0197, GB/T 43697 grading).
 */
import type { CheckContext } from "../context.js";
import { finding, label } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const severity = (ctx.input.grade ?? 1) >= 4 ? "block" : "review";
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    // Measures are released as they are (the admin said so); quasi, sensitive or unknown sources are one person's value.
    const cols = c.singles.filter((s) => {
      const role = t.ledger.get(s)?.column.source?.role;
      return role !== "measure";
    });
    if (cols.length === 0) continue;
    const name = label(t);
    out.push(finding("single-subject", severity,
      `${name}: column(s) ${cols.join(", ")} are single-subject statistics (min/max/median/quantile/mode …) of quasi or sensitive data: each value is one subject's own`,
      `${name}：列 ${cols.join("、")} 是准标识或敏感数据的单主体统计量（最小/最大/中位数/分位数/众数等），每个值都是某一主体自身的值`,
      { table: name, remedy: { en: "release a mean or a count over bands instead, or ask a reviewer to accept it (not possible for grade-4 data)", zh: "改为发布均值或分段计数，或由审核员确认（4 级数据不可）" } }));
  }
  return out;
}

export const singleSubjectRule: Rule = { name: "single-subject", run };

/**
 * Rule `value-lists` (block): an aggregate that returns every subject's value — `list`,
 * `array_agg`, `string_agg`, `group_concat`, `histogram`, `map_agg` — is record-level data packed
 * into one cell: a city's cell of 300 subjects that lists 300 incomes releases 300 raw values,
 * and a histogram's buckets are cells of one subject each. The ledger marks such columns
 * `agg: "values"` from the query's AST, whatever the column is named.
 *
 * Source: issue 10 item 4 (list/array_agg/string_agg/histogram reveal subjects' own values);
 * DataSHIELD returns no vectors of individual-level values from its aggregate functions; AWS Clean
 * Rooms' aggregation analysis rule allows only COUNT/SUM/AVG-style aggregates in the output.
 */
import type { CheckContext } from "../context.js";
import { finding, label } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    if (c.values.length === 0) continue;
    const name = label(t);
    out.push(finding("value-lists", "block",
      `${name}: column(s) ${c.values.join(", ")} list the subjects' own values (list/string_agg/histogram …): record-level data in one cell`,
      `${name}：列 ${c.values.join("、")} 列出了各主体自身的值（list/string_agg/histogram 等），相当于把逐条记录装进一个单元格`,
      { table: name, remedy: { en: "GROUP BY the value (or bands of it) and count, so each bucket's subjects are counted and small ones can be suppressed", zh: "按该值（或其分段）GROUP BY 并计数，使每个分组的主体被统计、小分组可被隐藏" } }));
  }
  return out;
}

export const valueListsRule: Rule = { name: "value-lists", run };

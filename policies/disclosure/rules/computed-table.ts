/**
 * Rule `computed-table` (block): a table the model built itself — its rows are not rows of
 * an accounted query (CONTRACT "Marks": `computed`), so the domain cannot say who stands
 * behind any value. Nothing computed by code leaves unexamined; the way out is to compute the
 * same statistic in SQL through `ctx.query`, where it is accounted.
 *
 * Source: ACRO/SACRO check only outputs whose evidence they recomputed themselves ("recomputed
 * evidence"); AWS Clean Rooms and Google Ads Data Hub release only query results the engine
 * aggregated. No threshold.
 */
import type { CheckContext, ResolvedTable } from "../context.js";
import { finding, label } from "../findings.js";
import type { Finding, Rule } from "../types.js";

/** The explanation a developer gets for a computed table (also shown in dev mode before submitting). */
export function computedExplanation(table: string): { en: string; zh: string } {
  return {
    en: `table ${table} was built by the model's code, not returned by an accounted query, so no one can tell how many people stand behind its values. To release the same statistic, compute it in SQL through ctx.query (for example "SELECT city, count(*) AS n, avg(income) AS mean_income FROM people GROUP BY city") and return that result unchanged; values computed in JavaScript from raw rows cannot leave as a table (a fitted model can leave as form "model"). If the table is a query's result returned unchanged, that query was left unaccounted (e.g. a WHERE subquery on a few people, or a value computed at run time in its select list): 'shuyu job dev --check' names each query's reason on the sample`,
    zh: `表 ${table} 由模型代码构造，而不是经台账核算的查询结果，无法确认其数值背后有多少人。要发布同样的统计量，请通过 ctx.query 用 SQL 计算（例如 "SELECT city, count(*) AS n, avg(income) AS mean_income FROM people GROUP BY city"）并原样返回结果；在 JavaScript 中由原始行计算的数值不能作为表出域（拟合好的模型可按 model 形式申请）。若该表是某个查询结果原样返回，则该查询无法核算（例如 WHERE 子查询只涉及少数人，或选择列表含运行时计算的值）：'shuyu job dev --check' 会在样本上列出每个查询的原因`,
  };
}

function why(t: ResolvedTable): string {
  if (t.mark.kind === "computed") return "";
  if (!t.mark.ledger || !t.mark.map) return " (its mark names no ledger)";
  return ` (column(s) ${t.columns.filter((c) => !t.ledger.has(c.name)).map((c) => c.name).join(", ")} are not in the ledger)`;
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  return ctx.tables
    .filter((t) => t.kind === "computed")
    .map((t) => {
      const e = computedExplanation(label(t));
      return finding("computed-table", "block", e.en + why(t), e.zh, {
        table: label(t),
        remedy: { en: "compute it in SQL through ctx.query and return the query result", zh: "通过 ctx.query 用 SQL 计算并返回查询结果" },
      });
    });
}

export const computedTableRule: Rule = { name: "computed-table", run };

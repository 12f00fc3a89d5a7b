// The same aggregate as income-by-gender.js, typed: `shuyu job dev` type-checks a .ts model
// against shuyu's model types and prints readable errors (file:line:col and the message)
// before anything runs.
// Run it:  shuyu job dev --scenario inc --model examples/income-by-gender.ts
//
// What the gate will say: `accounted-aggregate`; cells of a thousand people and more pass the
// threshold, dominance and p% rules; a reviewer approves it.
import type { Model } from "shuyu/model";

const model: Model = async (ctx) => {
  const minCell = typeof ctx.params.minCell === "number" ? ctx.params.minCell : 10;
  const r = await ctx.query(
    "SELECT gender, count(*)::INTEGER AS n, round(avg(income), -1) AS mean_income FROM people GROUP BY gender HAVING count(*) >= $1 ORDER BY gender",
    [minCell],
  );
  const n = r.columns.n as Int32Array;
  ctx.log(`cells: ${r.rowCount}, smallest: ${Math.min(...n)}`);
  return { tables: { income_by_gender: r.columns } };
};
export default model;

// Mean monthly income by gender: an aggregate over thousands of people per cell.
// Run it:  shuyu job dev --scenario inc --model examples/income-by-gender.js
//
// ctx.query(sql, params?) returns { rowCount, columns }: `columns` maps each column name to a
// typed array (numbers) or a string array (text, dates as ISO strings). Returning
// `r.columns` as a table keeps every output row equal to a row of the accounted query.
//
// What the gate will say (egress request --form dataset): the table is
// `accounted-aggregate`; with the README's 3,000 generated people each cell counts about 1,500 distinct people, so the threshold,
// dominance and p% rules pass; a reviewer approves it.

export default async (ctx) => {
  const r = await ctx.query(
    "SELECT gender, count(*)::INTEGER AS n, round(avg(income), -1) AS mean_income FROM people GROUP BY gender ORDER BY gender",
  );
  ctx.log(`cells: ${r.rowCount}`);
  return { tables: { income_by_gender: r.columns } };
};

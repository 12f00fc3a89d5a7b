import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultConstants, untracedCount } from "../../runtime/ledger/index.js";

let instance: DuckDBInstance;
let conn: DuckDBConnection;
beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  conn = await instance.connect();
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

describe("values a query carries into its result (ledger/constants.ts)", () => {
  it("collects literals and bound values of the select list and GROUP BY, not of filters", async () => {
    const v = await resultConstants(conn, "SELECT city, count(*) * 100.0 / 1200 AS p, 'x' AS s, $1 AS q FROM people WHERE age > 30 AND name = $2 GROUP BY city, 7 HAVING count(*) > 5 LIMIT 9", [14523.25, "王小明"]);
    expect(v).toEqual(expect.arrayContaining([100, 1200, "x", 14523.25, 7]));
    for (const filtered of [30, "王小明", 5, 9]) expect(v).not.toContain(filtered);
  });

  it("a value is traced when the code or the job's parameters fix it; a run-time value is not", async () => {
    const code = "const r = await ctx.query(`SELECT city, count(*) * 100.0 / 1200 AS p, 'x' AS s FROM people GROUP BY city`);";
    expect(untracedCount([100, 1200, "x"], { code, params: null })).toBe(0);
    expect(untracedCount([14523.25], { code, params: null })).toBe(1);
    expect(untracedCount([14523.25, "贵阳市"], { code, params: { bound: 14523.25, city: "贵阳市" } })).toBe(0);
    expect(untracedCount(["13800138000"], { code, params: null })).toBe(1);
  });

  it("decimals keep their scale and negative literals count as their constant", async () => {
    const v = await resultConstants(conn, "SELECT avg(income) + 14523.25 AS z, -3 AS m FROM people", []);
    expect(v).toEqual(expect.arrayContaining([14523.25]));
    expect(untracedCount(v!, { code: "SELECT avg(income) + 14523.25 AS z, -3 AS m FROM people", params: null })).toBe(0);
  });
});

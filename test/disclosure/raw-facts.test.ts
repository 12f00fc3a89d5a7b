/**
 * Raw-side facts of a dataset version (exact lengths and distinct counts the gate uses to skip
 * raw semi-joins): computed in one scan at ingest, and replaced when a table name is reused for
 * other data (a failed ingest's version number taken again) — stale facts would let a rule skip
 * a raw column that does hold the released values.
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckContext } from "../../policies/disclosure/context.js";
import { precomputeRawFacts, RAW_FACTS_TABLE, runChecks } from "../../policies/disclosure/index.js";
import { rawColumnFacts } from "../../policies/disclosure/raw-facts.js";

const facts = async (conn: DuckDBConnection) =>
  (await conn.runAndReadAll(`SELECT col, rows, min_len, max_len, distinct_values, non_null FROM ${RAW_FACTS_TABLE} ORDER BY col`)).getRowObjectsJS().map((r) => Object.values(r).map((v) => (typeof v === "bigint" ? Number(v) : v)));

describe("raw facts", () => {
  let conn: DuckDBConnection;
  beforeAll(async () => {
    conn = await (await DuckDBInstance.create(":memory:")).connect();
  });
  afterAll(() => conn.closeSync());

  it("are exact per column, from one scan", async () => {
    await conn.run(`CREATE TABLE ds_a_v1 AS SELECT * FROM (VALUES ('13800138000', 'x'), ('13900139000', NULL), ('13800138000', 'yy')) t(mobile, note)`);
    await precomputeRawFacts(conn, "ds_a_v1", ["mobile", "note"]);
    expect(await facts(conn)).toEqual([["mobile", 3, 11, 11, 2, 3], ["note", 3, 1, 2, 2, 2]]);
  });

  it("of a reused table name are replaced, and the gate then searches the new data", async () => {
    // Same name, same row count, other values: the cache key (table, rows) alone would keep the old facts.
    await conn.run(`CREATE OR REPLACE TABLE ds_a_v1 AS SELECT * FROM (VALUES ('110105199003071234', 'a'), ('110105199003071235', 'b'), ('110105199003071236', 'c')) t(mobile, note)`);
    await precomputeRawFacts(conn, "ds_a_v1", ["mobile", "note"]);
    expect(await facts(conn)).toEqual([["mobile", 3, 18, 18, 3, 3], ["note", 3, 1, 1, 3, 3]]);
    await conn.run(`CREATE TABLE outv AS SELECT '110105199003071235' AS v, 0::BIGINT AS __out_row`);
    const found = await runChecks({
      conn, form: "dataset", raw: [{ table: "ds_a_v1", column: "mobile", tags: ["pii:resident_id"] }],
      outputTables: [{ name: "outv", rowColumn: "__out_row", columns: [{ name: "v", type: "VARCHAR" }, { name: "__out_row", type: "BIGINT" }], mark: { kind: "computed" } }],
    });
    expect(found.some((f) => f.rule === "raw-values" && f.severity === "block")).toBe(true);
  });

  it("of identifier columns skip the distinct count at ingest; a rule that needs it computes it exactly", async () => {
    await precomputeRawFacts(conn, "ds_a_v1", ["mobile", "note"], ["mobile"]);
    expect(await facts(conn)).toEqual([["mobile", 3, 18, 18, null, 3], ["note", 3, 1, 1, 3, 3]]);
    const ctx = await CheckContext.create({ conn, form: "dataset", outputTables: [], raw: [] });
    try {
      expect((await rawColumnFacts(ctx, "ds_a_v1", "mobile")).maxLen).toBe(18);
      expect((await rawColumnFacts(ctx, "ds_a_v1", "mobile", true)).distinct).toBe(3);
    } finally {
      await ctx.cleanup();
    }
    expect((await facts(conn))[0]).toEqual(["mobile", 3, 18, 18, 3, 3]);
  });
});

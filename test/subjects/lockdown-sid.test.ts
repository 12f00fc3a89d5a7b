import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { openJobDatabase } from "../../sandbox/worker/lockdown.js";
import { tempDir } from "../helpers/fixture.js";

describe("a job's views never expose the library's hidden columns", () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it("a view lists its granted columns; a view without a column list drops every __ name; neither can select __sid", async () => {
    const file = join(t.dir, "people.parquet");
    const maker = await DuckDBInstance.create(":memory:");
    const mc = await maker.connect();
    await mc.run(`COPY (SELECT 'M' AS gender, 10 AS income, 42::BIGINT AS __sid) TO '${file}' (FORMAT parquet)`);
    mc.closeSync();
    maker.closeSync();
    const db = await openJobDatabase(t.dir, [
      { name: "granted", file, columns: ["gender", "income"], roles: { gender: "quasi", income: "measure" }, sidColumn: "__sid" },
      { name: "all", file, columns: [] },
    ], 64);
    try {
      for (const view of ["granted", "all"]) {
        const cols = (await db.conn.runAndReadAll(`DESCRIBE "${view}"`)).getRowObjectsJS().map((r) => r.column_name);
        expect(cols).toEqual(["gender", "income"]);
        await expect(db.conn.run(`SELECT __sid FROM "${view}"`)).rejects.toThrow(/__sid/);
      }
    } finally {
      db.conn.closeSync();
      db.instance.closeSync();
    }
  });
});

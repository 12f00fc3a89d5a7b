import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerPool, type LibraryView } from "../../sandbox/index.js";
import { ensureWorkerBuilt, everything, makeLibrary, modelJob, sqlJob, tempRoot, type Library } from "./fixtures.js";

// The roles the grant gives travel with the job: the model's own ctx.query and a SQL job are
// guarded with them (not only the accounting re-run), so an identifier never reaches the isolate.
let root: string;
let lib: Library;
let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBuilt();
  root = tempRoot("roles-in-jobs");
  const plain = await makeLibrary(root, "lib", {
    people: "SELECT '11010519900101' || lpad(i::VARCHAR, 4, '0') AS id_number, ['北京', '上海'][1 + i % 2] AS city, 1000 + i AS income FROM range(1, 41) t(i)",
  });
  const roles: LibraryView["roles"] = { id_number: "identifier", city: "quasi", income: "measure" };
  lib = { ...plain, views: plain.views.map((v) => ({ ...v, roles })) };
  pool = new WorkerPool({ size: 1 });
});

afterAll(async () => {
  await pool?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("column roles in running jobs (R1)", () => {
  it("a model selecting an identifier gets SQL_DENIED and sees no identifier value", async () => {
    const code = `export default async (ctx) => {
      let seen = "";
      for (const sql of ["SELECT id_number FROM people", "SELECT left(id_number, 6) AS p FROM people", "SELECT id_number || '' AS x FROM people", "SELECT * FROM people"]) {
        try { const r = await ctx.query(sql); seen += JSON.stringify(r.columns); } catch (e) { seen += "|" + e.code; }
      }
      return { report: seen };
    };`;
    const o = await pool.run(modelJob(lib, code));
    // A refused query fails the job even when the model catches it (it cannot probe the guard).
    expect(o.state).toBe("failed");
    expect(o.error?.code).toBe("SQL_DENIED");
    expect(everything(o)).not.toContain("110105199001010001");
  });

  it("a model may count distinct identifiers and filter on one by equality", async () => {
    const code = `export default async (ctx) => {
      const a = await ctx.query("SELECT city, count(DISTINCT id_number) AS n FROM people GROUP BY city ORDER BY city");
      const b = await ctx.query("SELECT income FROM people WHERE id_number = $1", ["110105199001010007"]);
      return { model: { n: Array.from(a.columns.n), income: Array.from(b.columns.income) } };
    };`;
    const o = await pool.run(modelJob(lib, code));
    expect(o.state, everything(o.error)).toBe("succeeded");
    expect(o.outputs.model).toEqual({ n: [20, 20], income: [1007] });
  });

  it("a SQL job is guarded with the roles too", async () => {
    const o = await pool.run(sqlJob(lib, "SELECT id_number, income FROM people"));
    expect(o).toMatchObject({ state: "failed", reason: "SQL_DENIED" });
    const ok = await pool.run(sqlJob(lib, "SELECT city, count(DISTINCT id_number) AS n FROM people GROUP BY city"));
    expect(ok.state).toBe("succeeded");
  });
});

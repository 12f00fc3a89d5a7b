import { rmSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all } from "../../runtime/domain/db.js";
import { stageOutputs } from "../../runtime/jobs/staging.js";
import { accountingSpec, dedupeQueries, ledgerSubjectsTable, ledgerTable, markTable, purgeLedger, readLedger, writeLedger, type TableMark } from "../../runtime/ledger/index.js";
import { WorkerPool, type JobSpec } from "../../sandbox/index.js";
import { ensureWorkerBuilt, everything, modelJob, sqlJob, tempRoot, type Library } from "../sandbox/fixtures.js";
import { makeSubjectLibrary, PEOPLE_PER_CITY } from "./fixtures.js";

let root: string;
let lib: Library;
let pool: WorkerPool;
let instance: DuckDBInstance;
let vault: DuckDBConnection;
let n = 0;

beforeAll(async () => {
  ensureWorkerBuilt();
  root = tempRoot("ledger");
  lib = await makeSubjectLibrary(root);
  pool = new WorkerPool({ size: 2 });
  instance = await DuckDBInstance.create(join(root, "vault.duckdb"));
  vault = await instance.connect();
});

afterAll(async () => {
  await pool?.close();
  vault?.closeSync();
  instance?.closeSync();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** What the owner does after a job (runtime/services/jobs.ts): account, stage, write the ledger, mark. */
async function runAndMark(spec: JobSpec): Promise<{ job: string; marks: Record<string, TableMark>; tables: Record<string, string> }> {
  const job = `job-t-${++n}`;
  const outcome = await pool.run({ ...spec, jobId: job });
  expect(outcome.state, everything(outcome.error)).toBe("succeeded");
  const queries = dedupeQueries(outcome.queryLog);
  const run = queries.length > 0 ? await pool.run(accountingSpec({ ...spec, jobId: job }, queries)) : undefined;
  const parts = await stageOutputs(vault, join(root, "staging", job), job, outcome.outputs);
  const ledger = await writeLedger(vault, job, queries, run);
  const marks: Record<string, TableMark> = {};
  const tables: Record<string, string> = {};
  for (const p of parts) {
    if (p.kind !== "table") continue;
    marks[p.name] = await markTable(vault, job, p.alias ?? p.name, p.table!, ledger, outcome.outputs.declared?.[p.name]);
    tables[p.name] = p.table!;
  }
  return { job, marks, tables };
}

const GROUP_BY = "select city, count(*) as n, avg(income) as mean_income from people group by city";

describe("accounted outputs", () => {
  it("a JS model's group-by returned as a table is accounted-aggregate with the true subject counts", async () => {
    const { job, marks, tables } = await runAndMark(modelJob(lib, `export default async (ctx) => {
      const r = await ctx.query(${JSON.stringify(GROUP_BY)});
      return { tables: { by_city: r.columns } };
    }`));
    expect(marks.by_city).toMatchObject({ kind: "accounted-aggregate", query: 0, columns: { city: "city", n: "n", mean_income: "mean_income" } });
    // n stays an integer all the way into staging.
    const types = await all<{ column_name: string; column_type: string }>(vault, `DESCRIBE SELECT * FROM "${tables.by_city}"`);
    expect(types.find((t) => t.column_name === "n")?.column_type).toMatch(/INT/);
    // The ledger counts people, not rows: 北京 has 4 rows of 2 people.
    const rows = await all<{ city: string; n: bigint; subjects: bigint; top1: number; total: number }>(vault,
      `SELECT l.city, l.n, l.__subjects AS subjects, l.__top1_1 AS top1, l.__total_1 AS total FROM "${ledgerTable(job, 0)}" l JOIN "${marks.by_city.map}" m ON m.__row = l.__row ORDER BY l.city`);
    expect(Object.fromEntries(rows.map((r) => [r.city, Number(r.subjects)]))).toEqual(PEOPLE_PER_CITY);
    const bj = rows.find((r) => r.city === "北京")!;
    expect([Number(bj.n), bj.top1, bj.total]).toEqual([4, 3, 4]);
    const subjects = await all<{ row: bigint; k: bigint }>(vault, `SELECT __row AS row, count(DISTINCT __sid) AS k FROM "${ledgerSubjectsTable(job, 0)}" GROUP BY 1`);
    expect(subjects.map((s) => Number(s.k)).sort()).toEqual([1, 2, 3]);
  });

  it("the same group-by as a SQL job is accounted-aggregate", async () => {
    const { marks } = await runAndMark(sqlJob(lib, GROUP_BY));
    expect(marks.result).toMatchObject({ kind: "accounted-aggregate", query: 0 });
  });

  it("a row selection returned as it came is accounted-rows; a projection of it too", async () => {
    const { job, marks } = await runAndMark(modelJob(lib, `export default async (ctx) => {
      const r = await ctx.query("select city, income from people where income > 150");
      return { tables: { rows: r.columns, incomes: { income: r.columns.income } } };
    }`));
    expect(marks.rows).toMatchObject({ kind: "accounted-rows", query: 0 });
    expect(marks.incomes).toMatchObject({ kind: "accounted-rows", query: 0 });
    const led = await readLedger(vault, job);
    expect(led).toMatchObject([{ q: 0, kind: "rows", rows: 6 }]);
  });

  it("a model may declare a stricter kind, never a looser one", async () => {
    const { marks } = await runAndMark(modelJob(lib, `export default async (ctx) => {
      const r = await ctx.query(${JSON.stringify(GROUP_BY)});
      const cities = await ctx.query("select city from people");
      return { tables: { agg: r.columns, mine: { city: cities.columns.city.map((x) => x + "!") } }, declare: { agg: "computed", mine: "accounted-aggregate" } };
    }`));
    expect(marks.agg).toMatchObject({ kind: "computed", declared: "computed" });
    expect(marks.mine.kind).toBe("computed");
  });
});

describe("attacks on the marks end computed", () => {
  const attack = async (body: string): Promise<TableMark> => {
    const { marks } = await runAndMark(modelJob(lib, `export default async (ctx) => {
      const r = await ctx.query(${JSON.stringify(GROUP_BY)});
      const rows = await ctx.query("select city, income from people where income > 150");
      const c = r.columns, s = rows.columns;
      ${body}
    }`));
    return marks.t;
  };

  it("a forged count column", async () => {
    expect((await attack(`return { tables: { t: { city: c.city, n: Int32Array.from(c.n, (x) => x + 10), mean_income: c.mean_income } } };`)).kind).toBe("computed");
  });

  it("a padded count: one group's count raised to another group's value", async () => {
    expect((await attack(`const n = Int32Array.from(c.n); const i = Array.from(c.city).indexOf("广州"); n[i] = 4; return { tables: { t: { city: c.city, n, mean_income: c.mean_income } } };`)).kind).toBe("computed");
  });

  it("values computed from raw rows under the accounted result's column names", async () => {
    expect((await attack(`
      const sum = {}, cnt = {};
      for (let i = 0; i < rows.rowCount; i++) { const k = s.city[i]; sum[k] = (sum[k] || 0) + s.income[i]; cnt[k] = (cnt[k] || 0) + 1; }
      const cities = Object.keys(sum);
      return { tables: { t: { city: cities, n: Int32Array.from(cities, (k) => cnt[k]), mean_income: Float64Array.from(cities, (k) => sum[k] / cnt[k]) } } };`)).kind).toBe("computed");
  });

  it("a duplicated group row to fake k", async () => {
    expect((await attack(`return { tables: { t: { city: [...c.city, c.city[0]], n: Int32Array.from([...c.n, c.n[0]]), mean_income: Float64Array.from([...c.mean_income, c.mean_income[0]]) } } };`)).kind).toBe("computed");
  });

  it("a duplicated selected row", async () => {
    expect((await attack(`return { tables: { t: { city: [...s.city, s.city[0]], income: Float64Array.from([...s.income, s.income[0]]) } } };`)).kind).toBe("computed");
  });

  it("a row selection with one column reordered", async () => {
    expect((await attack(`return { tables: { t: { city: s.city, income: Float64Array.from(s.income).reverse() } } };`)).kind).toBe("computed");
  });

  it("a row selection with whole rows reordered", async () => {
    expect((await attack(`return { tables: { t: { city: Array.from(s.city).reverse(), income: Float64Array.from(s.income).reverse() } } };`)).kind).toBe("computed");
  });

  it("a row selection with one value edited", async () => {
    expect((await attack(`const inc = Float64Array.from(s.income); inc[2] += 1; return { tables: { t: { city: s.city, income: inc } } };`)).kind).toBe("computed");
  });

  it("rows of two queries mixed in one table", async () => {
    expect((await attack(`return { tables: { t: { city: [...c.city, ...s.city] } } };`)).kind).toBe("computed");
  });

  it("an extra computed column beside an accounted result", async () => {
    expect((await attack(`return { tables: { t: { city: c.city, n: c.n, mean_income: c.mean_income, share: Float64Array.from(c.n, (x) => x / 9 + 0.001) } } };`)).kind).toBe("computed");
  });

  it("a column named like a ledger column is refused before staging", async () => {
    const o = await pool.run(modelJob(lib, `export default async (ctx) => {
      const c = (await ctx.query(${JSON.stringify(GROUP_BY)})).columns;
      return { tables: { t: { city: c.city, __subjects: Int32Array.from(c.n, () => 100) } } };
    }`));
    expect(o).toMatchObject({ state: "failed", reason: "OUTPUT_INVALID" });
  });

  it("a table built without any query", async () => {
    const { marks } = await runAndMark(modelJob(lib, `export default async () => ({ tables: { t: { city: ["北京"], n: new Int32Array([2]) } } })`));
    expect(marks.t.kind).toBe("computed");
  });
});

describe("ledger lifecycle", () => {
  it("identical queries are accounted once and purge drops every ledger table of the job", async () => {
    const { job } = await runAndMark(modelJob(lib, `export default async (ctx) => {
      const a = await ctx.query(${JSON.stringify(GROUP_BY)});
      await ctx.query(${JSON.stringify(GROUP_BY)});
      await ctx.query("select city from people where age > ?", [35]);
      return { tables: { t: a.columns } };
    }`));
    const led = await readLedger(vault, job);
    expect(led.map((e) => e.kind)).toEqual(["aggregate", "rows"]);
    await purgeLedger(vault, job);
    const staged = await all<{ t: string }>(vault, `SELECT table_name AS t FROM duckdb_tables() WHERE starts_with(table_name, 'stg_${job.replace(/-/g, "_")}')`);
    const ledLeft = await all<{ t: string }>(vault, `SELECT table_name AS t FROM duckdb_tables() WHERE starts_with(table_name, 'led_${job.replace(/-/g, "_")}') OR starts_with(table_name, 'lmap_${job.replace(/-/g, "_")}')`);
    expect(ledLeft).toEqual([]);
    expect(staged.length).toBe(1); // the staged table itself is staging's to drop
    expect(await readLedger(vault, job)).toEqual([]);
  });

  it("an accounting run over a library without subject ids leaves every query unaccounted", async () => {
    const bare: Library = { dir: lib.dir, views: lib.views.map(({ sidColumn: _s, ...v }) => v) };
    const { job, marks } = await runAndMark(sqlJob(bare, GROUP_BY));
    expect(marks.result.kind).toBe("computed");
    expect(await readLedger(vault, job)).toMatchObject([{ kind: "unaccounted", reason: "the library has no subject ids (__sid)" }]);
  });
});

describe("the accounting job", () => {
  it("re-guards every logged query: a log entry the guard refuses is unaccounted, never run", async () => {
    const spec = accountingSpec(modelJob(lib, ""), [
      { sql: "select * from read_csv('/etc/passwd')", params: [] },
      { sql: "CALL enable_logging('x')", params: [] },
      // name is an identifier of the grant: the accounting run applies the roles.
      { sql: "select name, income from people", params: [] },
      { sql: "select count(*) as n from people", params: [] },
    ]);
    const o = await pool.run(spec);
    expect(o.state, everything(o.error)).toBe("succeeded");
    expect(o.ledger!.map((l) => [l.kind, l.reason ?? null])).toEqual([
      ["unaccounted", "refused by the SQL guard (SQL_DENIED)"],
      ["unaccounted", "refused by the SQL guard (SQL_DENIED)"],
      ["unaccounted", "refused by the SQL guard (SQL_DENIED)"],
      ["aggregate", null],
    ]);
    expect(Object.keys(o.outputs.tables).sort()).toEqual(["q3", "q3_subjects"]);
  });

  it("refuses a spec without queries", async () => {
    await expect(pool.run({ ...modelJob(lib, ""), kind: "account" })).rejects.toMatchObject({ code: "JOB_SPEC_INVALID" });
  });
});

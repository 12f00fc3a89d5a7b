import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardSql, openParserConnection, WorkerPool } from "../../sandbox/index.js";
import { ensureWorkerBuilt, everything, makeLibrary, modelJob, sqlJob, tempRoot, type Library } from "./fixtures.js";
import { fill, SQL_ATTACKS } from "./sql-attacks.js";

const SECRET = "TOPSECRET-777";
let root: string;
let mine: Library;
let other: Library;
let out: string;
let places: { LIB: string; OTHER: string; OUT: string };
let parser: DuckDBConnection;
let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBuilt();
  root = tempRoot("sqlatk");
  mine = await makeLibrary(root, "mine", {
    people: "SELECT i AS id, 'name' || i AS name, (i * 1000)::DOUBLE AS salary FROM range(1, 21) t(i)",
  });
  other = await makeLibrary(root, "other", { secrets: `SELECT '${SECRET}' AS code` });
  out = join(root, "outside");
  places = { LIB: mine.dir, OTHER: other.views[0].file, OUT: out };
  parser = await openParserConnection();
  pool = new WorkerPool({ size: 2, allowUnguardedSqlForTests: true });
});

afterAll(async () => {
  await pool?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("SQL guard alone (R1)", () => {
  for (const attack of SQL_ATTACKS) {
    it(`refuses: ${attack.name}`, async () => {
      const err = await guardSql(fill(attack.sql, places), ["people"], parser).then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(err, attack.sql).toBeDefined();
      expect(["SQL_DENIED", "SQL_SYNTAX"]).toContain(err?.code);
    });
  }

  it("names what it refused", async () => {
    await expect(guardSql("SELECT * FROM read_csv('/etc/passwd')", ["people"], parser)).rejects.toMatchObject({
      code: "SQL_DENIED",
      details: { refused: "table function read_csv()" },
    });
    await expect(guardSql("SELECT getenv('HOME')", ["people"], parser)).rejects.toMatchObject({ details: { refused: "function getenv()" } });
  });

  it("lets ordinary analytics through", async () => {
    for (const sql of [
      "SELECT count(*), avg(salary), median(salary) FROM people",
      "SELECT name, salary, rank() OVER (ORDER BY salary DESC) AS r FROM people WHERE id > $1",
      "WITH top AS (SELECT * FROM people WHERE salary > ?) SELECT upper(name) FROM top ORDER BY 1 LIMIT 5",
      "SELECT a.id FROM people a JOIN people b ON a.id = b.id + 1 UNION SELECT 0",
      "SELECT id FROM people WHERE id IN (SELECT id FROM People WHERE salary < 5000)",
      "FROM people SELECT date_trunc('month', DATE '2024-03-05') AS m, CASE WHEN id % 2 = 0 THEN 'even' ELSE 'odd' END",
      "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
      "SELECT 'x'';ATTACH ''/tmp/z.db'' --' AS literal",
    ]) {
      await expect(guardSql(sql, ["people"], parser), sql).resolves.toBeUndefined();
    }
  });
});

describe("DuckDB lockdown alone, guard disabled (R1)", () => {
  it("stops every attack that reaches beyond the job's grant", async () => {
    // enable_logging breaks the instance for later queries; it gets its own job below.
    const attacks = SQL_ATTACKS.filter((a) => !a.name.includes("enable_logging")).map((a) => ({ ...a, sql: fill(a.sql, places) }));
    const code = `export default async (ctx) => {
      const report = [];
      for (const sql of ctx.params.attacks) {
        try {
          const r = await ctx.query(sql);
          const data = {};
          for (const k of Object.keys(r.columns)) data[k] = Array.from(r.columns[k]);
          report.push({ sql, ok: true, data: JSON.stringify(data) });
        } catch (e) {
          report.push({ sql, ok: false, error: String(e.message) });
        }
      }
      const after = await ctx.query("SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked");
      report.push({ sql: "after", ok: true, data: JSON.stringify({ ext: after.columns.ext[0], locked: after.columns.locked[0] }) });
      return { model: report };
    };`;
    const outcome = await pool.runInternal(modelJob(mine, code, { params: { attacks: attacks.map((a) => a.sql) } }), { unguardedSql: true });
    expect(outcome.state, JSON.stringify(outcome.error)).toBe("succeeded");
    const report = outcome.outputs.model as { sql: string; ok: boolean; data?: string; error?: string }[];
    expect(report).toHaveLength(attacks.length + 1);
    for (let i = 0; i < attacks.length; i++) {
      const a = attacks[i];
      if (!a.lockdownAllows) expect(report[i].ok, `${a.name}: ${String(report[i].data).slice(0, 200)}`).toBe(false);
    }
    expect(JSON.parse(report[attacks.length].data!)).toEqual({ ext: false, locked: true });
    const all = everything(outcome);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain("root:x:0");
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("contains enable_logging to the job's own worker", async () => {
    const code = `export default async (ctx) => {
      for (const sql of ctx.params.attacks) { try { await ctx.query(sql); } catch (e) {} }
      return { report: "done" };
    };`;
    const attacks = SQL_ATTACKS.filter((a) => a.name.includes("enable_logging")).map((a) => fill(a.sql, places));
    expect(attacks.length).toBe(2);
    const outcome = await pool.runInternal(modelJob(mine, code, { params: { attacks } }), { unguardedSql: true });
    expect(outcome.state).not.toBe("killed");
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    const next = await pool.run(sqlJob(mine, "SELECT count(*) AS n FROM people"));
    expect(next.state).toBe("succeeded");
  });

  it("detects a COPY into the job's own library (the lockdown allows it; the pool fails the job)", async () => {
    const outcome = await pool.runInternal(sqlJob(mine, `COPY (SELECT 1) TO '${mine.dir}/planted.csv'`), { unguardedSql: true });
    expect(outcome).toMatchObject({ state: "failed", reason: "LIBRARY_TAMPERED" });
  });
});

describe("guard and lockdown together (R1)", () => {
  it("fails a model job that probes the guard even when the model catches the refusal", async () => {
    const code = `export default async (ctx) => {
      const seen = [];
      for (const sql of ctx.params.attacks) {
        try { const r = await ctx.query(sql); seen.push(JSON.stringify(r)); } catch (e) { seen.push(e.code); }
      }
      return { model: seen };
    };`;
    const attacks = SQL_ATTACKS.map((a) => fill(a.sql, places));
    const outcome = await pool.run(modelJob(mine, code, { params: { attacks } }));
    expect(outcome).toMatchObject({ state: "failed", reason: "SQL_DENIED", error: { code: "SQL_DENIED" } });
    expect(outcome.outputs.tables).toEqual({});
    expect(everything(outcome)).not.toContain(SECRET);
  });

  it("refuses a SQL job reading another scenario's view", async () => {
    const outcome = await pool.run(sqlJob(mine, "SELECT * FROM secrets"));
    expect(outcome).toMatchObject({ state: "failed", reason: "SQL_DENIED" });
    expect(everything(outcome)).not.toContain(SECRET);
  });

  it("binds params, never splices them", async () => {
    const outcome = await pool.run(sqlJob(mine, "SELECT count(*) AS n FROM people WHERE name = $1", { params: ["x' OR 1=1 --"] }));
    expect(outcome.state).toBe("succeeded");
    expect(Array.from(outcome.outputs.tables.result.columns[0].values as BigInt64Array)).toEqual([0n]);
  });

  it("runs a SQL job with decimal, list, struct and interval literals (the old guard refused 0.25 and [1, 2])", async () => {
    const outcome = await pool.run(sqlJob(mine, "SELECT 0.25 AS q, [1, 2] AS l, {'a': 1} AS s, INTERVAL 3 DAY AS i, count(*) AS n FROM people"));
    expect(outcome.state, JSON.stringify(outcome.error)).toBe("succeeded");
    expect(outcome.outputs.tables.result.columns.map((c) => c.name)).toEqual(["q", "l", "s", "i", "n"]);
  });

  it("a string literal that looks like a statement stays a literal", async () => {
    const outcome = await pool.run(sqlJob(mine, `SELECT 'x'';ATTACH ''${out}/z.db'' AS z --' AS literal`));
    expect(outcome.state).toBe("succeeded");
    expect(existsSync(join(out, "z.db"))).toBe(false);
  });
});

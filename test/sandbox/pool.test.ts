import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerPool } from "../../sandbox/index.js";
import { ensureWorkerBuilt, everything, makeLibrary, modelJob, sqlJob, tempRoot, type Library } from "./fixtures.js";

let root: string;
let lib: Library;
let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBuilt();
  root = tempRoot("pool");
  lib = await makeLibrary(root, "lib", {
    people: "SELECT i::INTEGER AS id, 'name' || i AS name, i * 1.5 AS score, DATE '2024-01-01' + i::INTEGER AS born, i::BIGINT * 10000000000 AS big, i % 2 = 0 AS even, CASE WHEN i = 3 THEN NULL ELSE i::INTEGER END AS maybe FROM range(1, 6) t(i)",
  });
  pool = new WorkerPool({ size: 2 });
});

afterAll(async () => {
  await pool?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("model jobs (R5)", () => {
  it("delivers query results as typed columns and returns tables, model, report, index and logs", async () => {
    const code = `export default async (ctx) => {
      const r = await ctx.query("SELECT id, name, score, born, big, even, maybe FROM people WHERE id <= ? ORDER BY id", [ctx.params.upTo]);
      const c = r.columns;
      ctx.log("rows", r.rowCount, { kinds: [c.id, c.score, c.big, c.maybe].map(x => Object.prototype.toString.call(x)) });
      return {
        tables: { out: { id: c.id, doubled: c.score.map(x => x * 2), name: c.name, born: c.born, even: c.even } },
        model: { maybe: Array.from(c.maybe), big: Array.from(c.big, String) },
        report: "n=" + r.rowCount,
        index: [r.rowCount],
      };
    };`;
    const o = await pool.run(modelJob(lib, code, { params: { upTo: 4 } }));
    expect(o.state, everything(o.error)).toBe("succeeded");
    expect(o.queries).toBe(1);
    // Integers stay integers: INTEGER as Int32Array, a BIGINT beyond 32 bits as BigInt64Array,
    // an INTEGER with a NULL as a plain array holding null (it used to become a Float64Array with NaN).
    expect(o.outputs.logs).toEqual(['rows 4 {"kinds":["[object Int32Array]","[object Float64Array]","[object BigInt64Array]","[object Array]"]}']);
    expect(o.queryLog).toEqual([{ sql: "SELECT id, name, score, born, big, even, maybe FROM people WHERE id <= ? ORDER BY id", params: [4] }]);
    const t = o.outputs.tables.out;
    expect(t.rowCount).toBe(4);
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([["id", "int"], ["doubled", "double"], ["name", "string"], ["born", "string"], ["even", "bool"]]);
    expect(Array.from(t.columns[0].values as Int32Array)).toEqual([1, 2, 3, 4]);
    expect(Array.from(t.columns[1].values as Float64Array)).toEqual([3, 6, 9, 12]);
    expect(t.columns[3].values).toEqual(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]);
    expect(t.columns[4].values).toEqual([false, true, false, true]);
    expect(o.outputs.model).toEqual({ maybe: [1, 2, null, 4], big: ["10000000000", "20000000000", "30000000000", "40000000000"] });
    expect(o.outputs.report).toBe("n=4");
    expect(o.outputs.index).toEqual([4]);
  });

  it("keeps integers integers: counts arrive as Int32Array, wide and nullable BIGINTs exactly, and go back with an integer type", async () => {
    const code = `export default async (ctx) => {
      const r = await ctx.query("SELECT count(*) AS n, max(big) + 1 AS wide, CASE WHEN count(*) > 0 THEN NULL ELSE 1::BIGINT END AS gone FROM people");
      const w = await ctx.query("SELECT CASE WHEN id = 2 THEN NULL ELSE big END AS nb FROM people ORDER BY id");
      const c = r.columns, tag = (x) => Object.prototype.toString.call(x);
      ctx.log(tag(c.n), tag(c.wide), tag(c.gone), tag(w.columns.nb), typeof w.columns.nb[0], String(w.columns.nb[1]));
      return { tables: { t: { n: c.n, wide: c.wide }, nb: { nb: w.columns.nb } } };
    };`;
    const o = await pool.run(modelJob(lib, code));
    expect(o.state, everything(o.error)).toBe("succeeded");
    expect(o.outputs.logs).toEqual(["[object Int32Array] [object BigInt64Array] [object Array] [object Array] bigint null"]);
    const t = o.outputs.tables.t;
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([["n", "int"], ["wide", "bigint"]]);
    expect(Array.from(t.columns[0].values as Int32Array)).toEqual([5]);
    expect(t.columns[1].values).toEqual([50000000001n]);
    expect(o.outputs.tables.nb.columns[0]).toMatchObject({ type: "bigint", values: [10000000000n, null, 30000000000n, 40000000000n, 50000000000n] });
  });

  it("returns numeric typed-array columns through one result buffer, converted to Int32/Float64", async () => {
    const code = `export default async () => {
      const n = 200000;
      const a = new Float64Array(n), b = new Int16Array(n), c = new Float32Array(n), d = new Uint8Array(n);
      for (let i = 0; i < n; i++) { a[i] = i / 4; b[i] = i % 1000 - 500; c[i] = i % 7; d[i] = i % 256; }
      return { tables: { big: { a, b, c, d } } };
    };`;
    const o = await pool.run(modelJob(lib, code));
    expect(o.state, everything(o.error)).toBe("succeeded");
    const t = o.outputs.tables.big;
    expect(t.rowCount).toBe(200000);
    const [a, b, c, d] = t.columns;
    expect([a.type, b.type, c.type, d.type]).toEqual(["double", "int", "double", "int"]);
    expect(a.values).toBeInstanceOf(Float64Array);
    expect(b.values).toBeInstanceOf(Int32Array);
    for (const i of [0, 1, 777, 199999]) {
      expect((a.values as Float64Array)[i]).toBe(i / 4);
      expect((b.values as Int32Array)[i]).toBe((i % 1000) - 500);
      expect((c.values as Float64Array)[i]).toBe(i % 7);
      expect((d.values as Int32Array)[i]).toBe(i % 256);
    }
  });

  it("runs TypeScript models transpiled on the host", async () => {
    const code = `interface Row { n: number }\nexport default async (ctx: { query(sql: string): Promise<{ rowCount: number }> }): Promise<{ model: Row }> => {\n  const r = await ctx.query("SELECT * FROM people");\n  return { model: { n: r.rowCount } };\n};`;
    const o = await pool.run(modelJob(lib, code, { language: "ts" }));
    expect(o).toMatchObject({ state: "succeeded", outputs: { model: { n: 5 } } });
  });
});

describe("error channel (R1)", () => {
  it("reports type and code of a runtime error; its position stays in the guest's trace, never in line/column", async () => {
    const code = `export default async (ctx) => {\n  const r = await ctx.query("SELECT name FROM people");\n  return r.columns.name.nothing.length;\n};`;
    const o = await pool.run(modelJob(lib, code));
    // V8 points at the property read that failed: the 'length' after the undefined 'nothing'.
    const column = code.split("\n")[2].indexOf("length") + 1;
    expect(o).toMatchObject({ state: "failed", reason: "MODEL_THREW", error: { type: "TypeError", code: "MODEL_THREW" } });
    expect(o.error?.line).toBeUndefined();
    expect(o.error?.trace).toContain(`model.js:3:${column}`);
    expect(o.error?.message).toContain("length");
  });

  it("maps a TypeScript error's trace back to the original line", async () => {
    const code = `type A = { a: number };\n\ninterface B {\n  b: string;\n}\n\nexport default async (): Promise<A> => {\n  throw new RangeError("bad " + ({} as B).b);\n};`;
    const o = await pool.run(modelJob(lib, code, { language: "ts" }));
    expect(o).toMatchObject({ state: "failed", error: { type: "RangeError" } });
    expect(o.error?.line).toBeUndefined();
    expect(o.error?.trace).toMatch(/model\.ts:8\b/);
  });

  it("reports syntax errors with their line", async () => {
    const o = await pool.run(modelJob(lib, `export default async () => {\n  let x = ;\n};`));
    expect(o).toMatchObject({ state: "failed", reason: "MODEL_SYNTAX", error: { code: "MODEL_SYNTAX", line: 2 } });
  });

  it("a SQL error inside a model carries the SQL error code", async () => {
    const o = await pool.run(modelJob(lib, `export default async (ctx) => { await ctx.query("SELECT no_such_column FROM people"); }`));
    expect(o).toMatchObject({ state: "failed", reason: "SQL_ERROR", error: { type: "SqlError", code: "SQL_ERROR" } });
  });
});

describe("SQL jobs (R5)", () => {
  it("returns one guarded SELECT as table `result` with exact types", async () => {
    const o = await pool.run(sqlJob(lib, "SELECT id, name, score, born, big, even, maybe FROM people WHERE id >= $1 ORDER BY id", { params: [4] }));
    expect(o.state).toBe("succeeded");
    const t = o.outputs.tables.result;
    expect(t.rowCount).toBe(2);
    expect(t.columns.map((c) => [c.name, c.type])).toEqual([
      ["id", "int"], ["name", "string"], ["score", "double"], ["born", "date"], ["big", "bigint"], ["even", "bool"], ["maybe", "int"],
    ]);
    expect(Array.from(t.columns[4].values as BigInt64Array)).toEqual([40000000000n, 50000000000n]);
    expect(t.columns[3].values).toEqual(["2024-01-05", "2024-01-06"]);
  });

  it("a SQL job that returns too many rows is killed with LIMIT_ROWS", async () => {
    const o = await pool.run(sqlJob(lib, "SELECT * FROM people", { limits: { rowsPerQuery: 2 } }));
    expect(o).toMatchObject({ state: "killed", reason: "LIMIT_ROWS" });
  });

  it("a SQL job that runs too long is killed with LIMIT_WALL", async () => {
    const o = await pool.run(sqlJob(lib, "SELECT count(*) FROM people a, people b, people c, people d, people e, people f, people g, people h, people i, people j, people k, people l, people m, people n, people o, people p", { limits: { wallMs: 500 } }));
    expect(o).toMatchObject({ state: "killed", reason: "LIMIT_WALL" });
  });
});

describe("process isolation (R1)", () => {
  it("a worker that cannot boot fails queued jobs with WORKER_BOOT_FAILED instead of fork-looping", async () => {
    const script = join(root, "broken-worker.js");
    writeFileSync(script, "process.exit(3);\n");
    const broken = new WorkerPool({ size: 1, workerScript: script });
    try {
      expect(await broken.run(sqlJob(lib, "SELECT 1"))).toMatchObject({ state: "failed", reason: "WORKER_BOOT_FAILED" });
    } finally {
      await broken.close();
    }
  });

  it("refuses to switch the SQL guard off unless the pool was built for tests", async () => {
    await expect(pool.runInternal(sqlJob(lib, "SELECT 1"), { unguardedSql: true })).rejects.toMatchObject({ code: "SANDBOX_UNGUARDED_REFUSED" });
  });

  it("starts workers under the permission model without write, child-process or worker rights", () => {
    const args = pool.workerExecArgv;
    expect(args).toContain("--permission");
    expect(args.some((a) => a.startsWith("--allow-fs-write") || a.startsWith("--allow-child-process") || a.startsWith("--allow-worker"))).toBe(false);
    const probe = `console.log(JSON.stringify([process.permission.has("fs.write"), process.permission.has("child"), process.permission.has("worker"), process.permission.has("fs.read", "/etc/passwd")]))`;
    const printed = execFileSync(process.execPath, [...args, "-e", probe], { encoding: "utf8", env: {} });
    expect(JSON.parse(printed)).toEqual([false, false, false, false]);
  });

  it("a worker SIGKILLed mid-job fails that job with WORKER_CRASHED and the pool keeps serving", async () => {
    const running = pool.run(modelJob(lib, `export default async () => new Promise(() => {})`, { limits: { wallMs: 30_000 } }));
    let pids: number[] = [];
    // Poll until the job is on a worker (booting can take seconds on a loaded machine).
    for (let i = 0; i < 1200 && pids.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 25));
      pids = pool.busyWorkerPids();
    }
    expect(pids).toHaveLength(1);
    process.kill(pids[0], "SIGKILL");
    expect(await running).toMatchObject({ state: "failed", reason: "WORKER_CRASHED" });
    const next = await pool.run(sqlJob(lib, "SELECT count(*) AS n FROM people"));
    expect(next.state).toBe("succeeded");
  });

  it("a worker growing past its resident-memory cap is killed with LIMIT_MEMORY", async () => {
    const small = new WorkerPool({ size: 1, rssCapMiB: 250 });
    try {
      // 5^10 ≈ 9.8 M strings materialised in the worker's own heap, beyond any isolate limit.
      const from = Array.from({ length: 10 }, (_, i) => `people p${i}`).join(", ");
      const o = await small.run(sqlJob(lib, `SELECT p0.name || p1.name || p2.name AS s FROM ${from}`, { limits: { wallMs: 60_000 } }));
      expect(o).toMatchObject({ state: "killed", reason: "LIMIT_MEMORY" });
    } finally {
      await small.close();
    }
  });

  it("a V8 fatal out-of-memory in a worker ends that job as LIMIT_MEMORY and the pool goes on", async () => {
    const tight = new WorkerPool({ size: 1, workerHeapMiB: 64, rssCapMiB: 100_000 });
    try {
      // ~6 M small strings decoded into a 64 MB worker heap (Node 24 keeps large strings
      // external, off the V8 heap, so many small ones are what exhausts it).
      const from = Array.from({ length: 9 }, (_, i) => `people p${i}`).join(", ");
      const o = await tight.run(sqlJob(lib, `SELECT p0.name AS a, p1.name || 'x' AS b, p2.name || 'y' AS c FROM ${from}`, { limits: { wallMs: 60_000, memoryMiB: 2048 } }));
      expect(o).toMatchObject({ state: "killed", reason: "LIMIT_MEMORY" });
      const next = await tight.run(sqlJob(lib, "SELECT count(*) AS n FROM people"));
      expect(next.state).toBe("succeeded");
    } finally {
      await tight.close();
    }
  });

  it("a warm worker carries nothing between jobs: each job gets a never-used process, which exits after it", async () => {
    const single = new WorkerPool({ size: 1 });
    try {
      await single.warm();
      const pids: number[] = [];
      const seen: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        // Each job looks for what the previous one left in the guest's global object.
        const code = `export default async (ctx) => {
          const before = { leak: typeof globalThis.__leak, n: globalThis.__count ?? 0 };
          globalThis.__leak = "secret-${i}";
          globalThis.__count = before.n + 1;
          const ids = await ctx.query("SELECT count(*) AS n FROM people");
          return { model: { ...before, rows: ids.rowCount } };
        };`;
        const run = single.run(modelJob(lib, code));
        pids.push(...single.busyWorkerPids()); // assigned synchronously to the warm worker
        const o = await run;
        expect(o.state, everything(o.error)).toBe("succeeded");
        seen.push(o.outputs.model);
        await single.warm();
      }
      expect(seen).toEqual([0, 1, 2].map(() => ({ leak: "undefined", n: 0, rows: 1 })));
      expect(pids.length).toBe(3);
      expect(new Set(pids).size).toBe(3);
      // The used processes are gone (replaced), not parked for reuse.
      await new Promise((r) => setTimeout(r, 1_500));
      for (const pid of pids.slice(0, -1)) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await single.close();
    }
  });

  it("four jobs at once on four libraries each see only their own data", async () => {
    const libs = await Promise.all(
      [1, 2, 3, 4].map((n) => makeLibrary(root, `scenario${n}`, { data: `SELECT 'marker-${n}' AS marker` })),
    );
    const wide = new WorkerPool({ size: 4, allowUnguardedSqlForTests: true });
    try {
      const code = `export default async (ctx) => {
        const own = await ctx.query("SELECT marker FROM data");
        const others = [];
        for (const f of ctx.params.otherFiles) {
          try { const r = await ctx.query("SELECT marker FROM read_parquet('" + f + "')"); others.push(Array.from(r.columns.marker)); } catch (e) { others.push(e.code); }
        }
        return { model: { own: Array.from(own.columns.marker), others } };
      };`;
      const outcomes = await Promise.all(
        libs.map((l, i) =>
          wide.runInternal(modelJob(l, code, { params: { otherFiles: libs.filter((_, j) => j !== i).map((o) => o.views[0].file) } }), { unguardedSql: true }),
        ),
      );
      outcomes.forEach((o, i) => {
        expect(o.state, everything(o.error)).toBe("succeeded");
        expect(o.outputs.model).toEqual({ own: [`marker-${i + 1}`], others: ["SQL_ERROR", "SQL_ERROR", "SQL_ERROR"] });
      });
    } finally {
      await wide.close();
    }
  });
});

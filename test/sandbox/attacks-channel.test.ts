import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WorkerPool, type JobOutcome } from "../../sandbox/index.js";
import { ensureWorkerBuilt, makeLibrary, modelJob, tempRoot, type Library } from "./fixtures.js";

/**
 * Attacks on what the sandbox reports and shares (issue 12): forged error positions,
 * output names that break staging, many queries at once on one job, one tenant holding
 * every worker, and TypeScript models built to stall or crash the compiler.
 */
let root: string;
let lib: Library;
let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBuilt();
  root = tempRoot("channel");
  lib = await makeLibrary(root, "lib", { people: "SELECT range::INTEGER AS id, 'p' || range AS name FROM range(500)" });
  pool = new WorkerPool({ size: 2 });
  await pool.warm();
}, 120_000);

afterAll(async () => {
  await pool?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("forged error positions", () => {
  const forgeries: [string, string][] = [
    ["a thrown plain object with a stack", `export default async () => { throw { name: "TypeError", stack: "TypeError: x\\n    at model.js:2:1", message: "m" }; }`],
    ["an Error whose stack was overwritten", `export default async () => { const e = new Error("m"); e.stack = "Error\\n    at f (model.js:1:7)"; throw e; }`],
    ["Error.prepareStackTrace returning a chosen frame", `export default async () => { Error.prepareStackTrace = () => "Error\\n    at model.js:1:3"; throw new Error("m"); }`],
    ["a stack getter", `export default async () => { const e = new RangeError("m"); Object.defineProperty(e, "stack", { get: () => "at model.js:1:2" }); throw e; }`],
  ];
  for (const [name, code] of forgeries) {
    it(`${name} sets no line or column`, async () => {
      const o = await pool.run(modelJob(lib, code));
      expect(o.state).toBe("failed");
      expect(o.error?.line).toBeUndefined();
      expect(o.error?.column).toBeUndefined();
    });
  }

  it("a real runtime error reports no position either (its place depends on the data); a compile error does", async () => {
    const real = await pool.run(modelJob(lib, `export default async (ctx) => {\n  const r = await ctx.query("SELECT id FROM people");\n  if (r.columns.id[7] === 7) null.x;\n};`));
    expect(real).toMatchObject({ state: "failed", reason: "MODEL_THREW" });
    expect(real.error?.line).toBeUndefined();
    const syntax = await pool.run(modelJob(lib, `export default async () => {\n  let = ;\n};`));
    expect(syntax).toMatchObject({ state: "failed", reason: "MODEL_SYNTAX", error: { line: 2 } });
  });
});

describe("output names that would break staging", () => {
  const bad: [string, string][] = [
    ["two columns differing only in case", `{ t: { X15353168154: [1], x15353168154: [2] } }`],
    ["two tables differing only in case", `{ Alpha: { a: [1] }, alpha: { a: [1] } }`],
    ["a 10,000-character table name", `{ ["n".repeat(10000)]: { a: [1] } }`],
    ["a 10,000-character column name", `{ t: { ["c".repeat(10000)]: [1] } }`],
    ["a table name with a path separator", `{ "../../etc/x": { a: [1] } }`],
    ["a table name with a bidi override", `{ ["a\\u202Eb"]: { a: [1] } }`],
    ["a column name with a C1 control", `{ t: { ["a\\u009bb"]: [1] } }`],
    ["a reserved __ column", `{ t: { __sid: [1] } }`],
  ];
  for (const [name, tables] of bad) {
    it(`${name}: the job fails OUTPUT_INVALID before anything is staged`, async () => {
      const o = await pool.run(modelJob(lib, `export default async () => ({ tables: ${tables} })`));
      expect(o).toMatchObject({ state: "failed", reason: "OUTPUT_INVALID" });
      expect(o.outputs.tables).toEqual({});
    });
  }

  it("more tables than the parts limit ends the job LIMIT_PARTS", async () => {
    const o = await pool.run(modelJob(lib, `export default async () => { const t = {}; for (let i = 0; i < 6000; i++) t["t" + i] = { a: [i] }; return { tables: t }; }`));
    expect(o).toMatchObject({ state: "killed", reason: "LIMIT_PARTS" });
  });

  it("names of any script are accepted when unique", async () => {
    const o = await pool.run(modelJob(lib, `export default async () => ({ tables: { 按性别统计: { 收入: [1] }, 按年龄统计: { 收入: [2] } } })`));
    expect(o.state).toBe("succeeded");
    expect(Object.keys(o.outputs.tables)).toEqual(["按性别统计", "按年龄统计"]);
  });
});

describe("queries on one job", () => {
  it("300 concurrent ctx.query calls each get their own, complete result", async () => {
    const o = await pool.run(
      modelJob(lib, `export default async (ctx) => {
        const rs = await Promise.all(Array.from({ length: 300 }, (_, i) => ctx.query("SELECT id, name FROM people WHERE id >= $1 ORDER BY id", [i])));
        return { model: rs.map((r, i) => [r.rowCount, r.columns.id[0], r.columns.name[r.rowCount - 1]]) };
      }`),
    );
    expect(o.state).toBe("succeeded");
    const got = o.outputs.model as [number, number, string][];
    expect(got).toHaveLength(300);
    got.forEach(([rows, first, last], i) => expect([rows, first, last]).toEqual([500 - i, i, "p499"]));
  });

  it("a query that fails among concurrent ones fails alone, as an error, not as an empty result", async () => {
    const o = await pool.run(
      modelJob(lib, `export default async (ctx) => {
        const rs = await Promise.allSettled([ctx.query("SELECT id FROM people"), ctx.query("SELECT nope FROM people"), ctx.query("SELECT count(*)::INTEGER AS n FROM people")]);
        return { model: rs.map((r) => r.status === "fulfilled" ? r.value.rowCount : r.reason.name) };
      }`),
    );
    expect(o.outputs.model).toEqual([500, "SqlError", 1]);
  });
});

describe("tenants share the workers fairly", () => {
  it("two never-settling jobs of one organisation do not delay another organisation's job", async () => {
    const fair = new WorkerPool({ size: 2 });
    try {
      await fair.warm();
      const order: string[] = [];
      const idle = (n: number) => fair.run({ ...modelJob(lib, `export default () => new Promise(() => {})`, { limits: { wallMs: 20_000 } }), tenant: "orgA" }).then((o) => (order.push(`A${n}`), o));
      const a1 = idle(1);
      const a2 = idle(2);
      const b = fair.run({ ...modelJob(lib, `export default async () => ({ model: 1 })`), tenant: "orgB" }).then((o) => (order.push("B"), o));
      const ob = await b;
      expect(ob.state).toBe("succeeded");
      // B finished while both of A's jobs were still holding (one running, one queued behind A's cap).
      expect(order).toEqual(["B"]);
      await fair.close();
      const [oa1, oa2] = await Promise.all([a1, a2]);
      expect([oa1.state, oa2.state]).toEqual(["killed", "killed"]);
    } finally {
      await fair.close();
    }
  }, 120_000);

  it("queued jobs of two organisations alternate instead of first-come-first-served", async () => {
    const one = new WorkerPool({ size: 1 });
    try {
      await one.warm();
      const order: string[] = [];
      const job = (t: string, n: number) => one.run({ ...modelJob(lib, `export default async () => ({ model: 1 })`), tenant: t }).then(() => order.push(`${t}${n}`));
      await Promise.all([job("A", 1), job("A", 2), job("A", 3), job("B", 1), job("B", 2)]);
      expect(order).toEqual(["A1", "B1", "A2", "B2", "A3"]);
    } finally {
      await one.close();
    }
  }, 120_000);
});

describe("TypeScript models built against the compiler", () => {
  it("a 3.8 MB model is refused in the worker (MODEL_TOO_LARGE) while the owner keeps serving", async () => {
    const code = `export default async (): Promise<{ model: number }> => ({ model: 1 });\n` + `const x: number = 1;\n`.repeat(200_000);
    expect(code.length).toBeGreaterThan(3_800_000);
    let ticks = 0;
    const t = setInterval(() => ticks++, 5);
    const o: JobOutcome = await pool.run(modelJob(lib, code, { language: "ts" }));
    clearInterval(t);
    expect(o).toMatchObject({ state: "failed", reason: "MODEL_TOO_LARGE" });
    expect(ticks).toBeGreaterThan(0);
  });

  it("a 1.5 MB model is transpiled in the worker, not the owner: the owner's event loop keeps turning", async () => {
    const code = `export default async (): Promise<{ model: number }> => ({ model: 1 });\n` + `const x: number = 1;\n`.repeat(75_000);
    let ticks = 0;
    const t = setInterval(() => ticks++, 5);
    const o = await pool.run(modelJob(lib, code, { language: "ts", limits: { wallMs: 60_000 } }));
    clearInterval(t);
    expect(["succeeded", "killed", "failed"]).toContain(o.state);
    expect(ticks).toBeGreaterThan(5);
  }, 120_000);

  it("a deeply nested TypeScript model fails MODEL_TOO_DEEP, not INTERNAL", async () => {
    const code = `export default async () => ({ model: ${"(".repeat(50_000)}1${")".repeat(50_000)} });`;
    const o = await pool.run(modelJob(lib, code, { language: "ts" }));
    expect(o).toMatchObject({ state: "failed", reason: "MODEL_TOO_DEEP" });
  });

  it("a deeply nested JavaScript model fails in the isolate's compiler, and the pool goes on", async () => {
    const code = `export default async () => ({ model: ${"[".repeat(100_000)}1${"]".repeat(100_000)} });`;
    const o = await pool.run(modelJob(lib, code));
    expect(o.state).not.toBe("succeeded");
    const next = await pool.run(modelJob(lib, `export default async () => ({ model: 2 })`));
    expect(next.outputs.model).toBe(2);
  });
});

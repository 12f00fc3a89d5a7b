import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobLimits, JobOutcome } from "../../sandbox/index.js";
import { WorkerPool } from "../../sandbox/index.js";
import { ensureWorkerBuilt, everything, makeLibrary, modelJob, tempRoot, type Library } from "./fixtures.js";

/** Text that must never come back from a job: host paths, Node internals, host globals. */
const HOST_MARKERS = ["node:internal", "node_modules", "child_process", "ERR_ACCESS_DENIED", "[object process]"];

interface Attack {
  name: string;
  code: string;
  limits?: Partial<JobLimits>;
  params?: unknown;
  check: (o: JobOutcome) => void;
}

const killedBy = (reason: string) => (o: JobOutcome) => expect(o).toMatchObject({ state: "killed", reason });
/** The attack either failed or, if it ran, reported only the harmless value. */
const harmless = (expected: unknown) => (o: JobOutcome) => {
  if (o.state === "succeeded") expect(o.outputs.model).toEqual(expected);
  else expect(o.state).toBe("failed");
};
const notSucceeded = (o: JobOutcome) => expect(o.state).not.toBe("succeeded");

const ATTACKS: Attack[] = [
  {
    name: "Function constructor reached through ctx",
    code: `export default async (ctx) => ({ model: ctx.constructor.constructor("return typeof process + typeof require")() })`,
    check: harmless("undefinedundefined"),
  },
  {
    name: "Function constructor reached through ctx.query",
    code: `export default async (ctx) => ({ model: ctx.query.constructor("return typeof this.process + typeof this.require")() })`,
    check: harmless("undefinedundefined"),
  },
  {
    name: "Function constructor reached through ctx.log",
    code: `export default async (ctx) => { const g = ctx.log.constructor("return globalThis")(); return { model: Object.getOwnPropertyNames(g).filter(n => /^(process|require|Buffer|global|module|ivm|_ivm)$|host/i.test(n)) }; }`,
    check: harmless([]),
  },
  {
    name: "Function constructor reached through a query result",
    code: `export default async (ctx) => { const r = await ctx.query("SELECT id FROM people LIMIT 1"); return { model: r.columns.id.constructor.constructor("return typeof process")() }; }`,
    check: harmless("undefined"),
  },
  {
    name: "prototype of a query result is the guest's own",
    code: `export default async (ctx) => { const r = await ctx.query("SELECT id FROM people LIMIT 1"); return { model: [Object.getPrototypeOf(r) === Object.prototype, Object.getPrototypeOf(r.columns.id) === Int32Array.prototype, r.columns.id.buffer instanceof ArrayBuffer] }; }`,
    check: (o) => expect(o.outputs.model).toEqual([true, true, true]),
  },
  {
    name: "host globals are absent",
    code: `export default async () => ({ model: ["require","process","Buffer","global","module","setTimeout","setInterval","setImmediate","fetch","queueMicrotask_host","SharedArrayBuffer","Atomics","WebAssembly","performance","ivm","_ivm","console"].filter(n => typeof globalThis[n] !== "undefined") })`,
    check: (o) => expect(o.outputs.model).toEqual([]),
  },
  {
    name: "Error.prepareStackTrace frames expose nothing of the host",
    code: `export default async (ctx) => {
      Error.prepareStackTrace = (e, frames) => frames.map(f => { let t; try { t = f.getThis(); } catch (x) {} let fn; try { fn = f.getFunction(); } catch (x) {} return String(f.getFileName()) + "|" + typeof t + "|" + (fn ? String(fn).slice(0, 40) : ""); }).join("\\n");
      let stack;
      try { await ctx.query(123); } catch (e) { stack = e.stack; }
      let stack2;
      try { ctx.log({ toString() { throw new Error("x"); } , toJSON() { throw new Error("y"); } }); } catch (e) { stack2 = e.stack; }
      return { model: { stack: String(stack), stack2: String(stack2), process: typeof process } };
    }`,
    check: (o) => {
      expect(o.state).toBe("succeeded");
      expect((o.outputs.model as { process: string }).process).toBe("undefined");
    },
  },
  {
    name: "Symbol.toPrimitive as the SQL text",
    code: `export default async (ctx) => { await ctx.query({ [Symbol.toPrimitive]: () => "SELECT * FROM read_csv('/etc/passwd')" }); return { model: "ran" }; }`,
    check: (o) => expect(o).toMatchObject({ state: "failed", error: { type: "TypeError" } }),
  },
  {
    name: "getter and toPrimitive inside query params",
    code: `export default async (ctx) => { await ctx.query("SELECT count(*) AS n FROM people WHERE name = ?", [{ get x() { return 1; }, [Symbol.toPrimitive]() { return "' OR 1=1 --"; } }]); return { model: "ran" }; }`,
    check: notSucceeded,
  },
  {
    name: "toJSON in params binds a value, not SQL",
    code: `export default async (ctx) => { const r = await ctx.query("SELECT count(*) AS n FROM people WHERE name = ?", [{ toJSON() { return "x' OR '1'='1"; } }]); return { model: r.columns.n[0] }; }`,
    check: harmless(0),
  },
  {
    name: "getters on ctx.params cannot exist (params arrive as JSON)",
    params: { a: 1, nested: { b: [1, 2] } },
    code: `export default async (ctx) => ({ model: [Object.getOwnPropertyDescriptor(ctx.params, "a").get === undefined, Object.getPrototypeOf(ctx.params) === Object.prototype, ctx.params.nested.b.length] })`,
    check: (o) => expect(o.outputs.model).toEqual([true, true, 2]),
  },
  {
    name: "Proxy as the returned result",
    code: `export default async () => new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } })`,
    check: notSucceeded,
  },
  {
    name: "Proxy as a returned table",
    code: `export default async () => ({ tables: { t: new Proxy({ c: [1] }, { ownKeys() { return ["c", "c", "d"]; } }) } })`,
    check: notSucceeded,
  },
  {
    name: "Proxy whose traps never end",
    limits: { cpuMs: 300 },
    code: `export default async () => ({ tables: new Proxy({}, { ownKeys() { for (;;) {} } }) })`,
    check: killedBy("LIMIT_CPU"),
  },
  {
    name: "prototype pollution inside the isolate stays there",
    code: `export default async (ctx) => { Object.prototype.polluted = "yes"; Array.prototype.toJSON = function () { return "hijacked"; }; const r = await ctx.query("SELECT id FROM people LIMIT 2"); return { model: { n: r.rowCount } }; }`,
    check: (o) => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(o.state).not.toBe("killed");
    },
  },
  {
    name: "__proto__ keys in returned tables and model",
    code: `export default async () => JSON.parse('{"tables":{"__proto__":{"x":[1,2]}},"model":{"__proto__":{"isAdmin":true}}}')`,
    check: (o) => {
      // Table names starting with "__" are reserved: the result is refused, and nothing was polluted on the way.
      expect(o).toMatchObject({ state: "failed", reason: "OUTPUT_INVALID" });
      expect(Object.getPrototypeOf(o.outputs.tables)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    },
  },
  {
    name: "__proto__ key in the returned model",
    code: `export default async () => JSON.parse('{"model":{"__proto__":{"isAdmin":true}}}')`,
    check: (o) => {
      expect(o.state).toBe("succeeded");
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(Object.getPrototypeOf(o.outputs.model)).toBe(Object.prototype);
    },
  },
  {
    // The guard refuses `__` names in SQL, so the column comes from a dataset's own name.
    name: "column named __proto__ in a query result",
    code: `export default async (ctx) => { const r = await ctx.query('SELECT * FROM odd'); return { model: [Object.getPrototypeOf(r.columns) === Object.prototype, Object.keys(r.columns)] }; }`,
    check: (o) => expect(o.outputs.model).toEqual([true, ["__proto__", "constructor"]]),
  },
  {
    name: "dynamic import()",
    code: `export default async () => { const fs = await import("node:fs"); return { model: typeof fs }; }`,
    check: (o) => expect(o).toMatchObject({ state: "failed", reason: "MODEL_IMPORT_DENIED" }),
  },
  {
    name: "static import",
    code: `import fs from "node:fs";\nexport default async () => ({ model: typeof fs })`,
    check: (o) => expect(o).toMatchObject({ state: "failed", reason: "MODEL_IMPORT_DENIED" }),
  },
  {
    name: "import() hidden behind eval",
    code: `export default async () => { const m = await eval("imp" + "ort('node:fs')"); return { model: typeof m }; }`,
    check: notSucceeded,
  },
  {
    name: "eval reaching for host references",
    code: `export default async (ctx) => ({ model: eval("typeof ctx.query.constructor('return process')()") })`,
    check: harmless("undefined"),
  },
  {
    name: "sync infinite loop",
    limits: { cpuMs: 300 },
    code: `export default async () => { for (;;) {} }`,
    check: killedBy("LIMIT_CPU"),
  },
  {
    name: "infinite loop at module top level",
    limits: { cpuMs: 300 },
    code: `for (;;) {}\nexport default async () => ({})`,
    check: killedBy("LIMIT_CPU"),
  },
  {
    name: "async infinite loop",
    limits: { cpuMs: 300 },
    code: `export default async () => { for (;;) await null; }`,
    check: killedBy("LIMIT_CPU"),
  },
  {
    name: "microtask flood",
    limits: { cpuMs: 300 },
    code: `export default async () => { const f = () => Promise.resolve().then(f); f(); return new Promise(() => {}); }`,
    check: (o) => expect(o.state).toBe("killed"),
  },
  {
    name: "promise that never settles",
    limits: { wallMs: 800 },
    code: `export default async () => new Promise(() => {})`,
    check: killedBy("LIMIT_WALL"),
  },
  {
    name: "memory bomb: arrays",
    limits: { memoryMiB: 32 },
    code: `export default async () => { const a = []; for (;;) a.push(new Array(1e5).fill(1.5)); }`,
    check: killedBy("LIMIT_MEMORY"),
  },
  {
    name: "memory bomb: strings",
    limits: { memoryMiB: 32 },
    code: `export default async () => { const a = []; let s = "xy"; for (;;) { s = s + s.slice(0, 1e6) + Math.random(); a.push(s); } }`,
    check: (o) => {
      expect(o.state).not.toBe("succeeded");
      if (o.state === "killed") expect(o.reason).toBe("LIMIT_MEMORY");
    },
  },
  {
    name: "memory bomb: typed arrays",
    limits: { memoryMiB: 32 },
    code: `export default async () => { const a = []; for (;;) a.push(new Float64Array(4e6)); }`,
    check: (o) => {
      expect(o.state).not.toBe("succeeded");
      if (o.state === "killed") expect(o.reason).toBe("LIMIT_MEMORY");
    },
  },
  {
    name: "deep recursion",
    code: `export default async () => { const f = (n) => f(n + 1) + 1; return { model: f(0) }; }`,
    check: (o) => expect(o).toMatchObject({ state: "failed", error: { type: "RangeError", code: "MODEL_THREW" } }),
  },
  {
    name: "catastrophic regex",
    limits: { cpuMs: 300 },
    code: `export default async () => ({ model: /^(a+)+$/.test("a".repeat(40) + "b") })`,
    check: killedBy("LIMIT_CPU"),
  },
  {
    name: "giant output",
    limits: { outputBytes: 1_000_000 },
    code: `export default async () => ({ report: "x".repeat(5_000_000) })`,
    check: killedBy("LIMIT_OUTPUT"),
  },
  {
    name: "millions of log lines",
    limits: { logLines: 1_000 },
    code: `export default async (ctx) => { for (let i = 0; i < 5e6; i++) ctx.log("line", i); return {}; }`,
    check: (o) => {
      expect(o).toMatchObject({ state: "killed", reason: "LIMIT_LOG" });
      expect(o.outputs.logs.length).toBeLessThanOrEqual(1_000);
    },
  },
  {
    name: "one enormous log line",
    code: `export default async (ctx) => { ctx.log("x".repeat(1e7)); return {}; }`,
    check: (o) => {
      expect(o.state).toBe("succeeded");
      expect(o.outputs.logs[0].length).toBeLessThanOrEqual(4097);
    },
  },
  {
    name: "query flood",
    limits: { queries: 5 },
    code: `export default async (ctx) => { for (let i = 0; i < 100; i++) { try { await ctx.query("SELECT 1 AS x"); } catch (e) {} } return {}; }`,
    check: killedBy("LIMIT_QUERIES"),
  },
  {
    name: "row flood",
    limits: { rowsPerQuery: 10 },
    code: `export default async (ctx) => { await ctx.query("SELECT * FROM people"); return {}; }`,
    check: killedBy("LIMIT_ROWS"),
  },
  {
    name: "timer precision",
    code: `export default async () => { const a = Date.now(); const b = new Date().getTime(); return { model: [Number.isInteger(a), Number.isInteger(b), typeof performance] }; }`,
    check: (o) => expect(o.outputs.model).toEqual([true, true, "undefined"]),
  },
  {
    name: "forged stack to smuggle a number through the line field",
    code: `export default async () => { const e = new Error("m"); e.stack = "Error: m\\n    at f (model.js:424242:77)"; throw e; }`,
    check: (o) => {
      expect(o.state).toBe("failed");
      expect(o.error?.line).toBeUndefined();
      expect(o.error?.column).toBeUndefined();
    },
  },
  {
    name: "forged error name to smuggle text through the type field",
    code: `export default async () => { const e = new Error("m"); e.name = "SECRET_4242"; throw e; }`,
    check: (o) => expect(o.error?.type).toBe("Error"),
  },
  {
    name: "throwing a Proxy",
    code: `export default async () => { throw new Proxy({}, { get() { throw new Error("trap"); } }); }`,
    check: (o) => expect(o).toMatchObject({ state: "failed", error: { type: "Error" } }),
  },
  {
    name: "throwing an object whose getter never returns",
    limits: { cpuMs: 300 },
    code: `export default async () => { throw { get name() { for (;;) {} } }; }`,
    check: killedBy("LIMIT_CPU"),
  },
  {
    name: "shrunk resizable ArrayBuffer in the result",
    code: `export default async () => { const ab = new ArrayBuffer(64, { maxByteLength: 1024 }); const t = new Float64Array(ab); ab.resize(0); return { tables: { t: { c: t } } }; }`,
    check: (o) => {
      expect(["succeeded", "failed"]).toContain(o.state);
      if (o.state === "succeeded") expect(o.outputs.tables.t.rowCount).toBe(0);
    },
  },
  {
    name: "replacing ctx members",
    code: `export default async (ctx) => { ctx.query = () => "mine"; return {}; }`,
    check: (o) => expect(o).toMatchObject({ state: "failed", error: { type: "TypeError" } }),
  },
];

let root: string;
let lib: Library;
let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBuilt();
  root = tempRoot("jsatk");
  lib = await makeLibrary(root, "lib", {
    people: "SELECT i::INTEGER AS id, 'name' || i AS name FROM range(1, 101) t(i)",
    odd: 'SELECT 1 AS "__proto__", 2 AS constructor',
  });
  pool = new WorkerPool({ size: 2 });
});

afterAll(async () => {
  await pool?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("isolate attacks (R1)", () => {
  it("has at least 40 distinct attacks across the attack suites", () => {
    expect(new Set(ATTACKS.map((a) => a.name)).size).toBe(ATTACKS.length);
    expect(ATTACKS.length).toBeGreaterThanOrEqual(40);
  });

  for (const attack of ATTACKS) {
    it(`fails safely: ${attack.name}`, async () => {
      const outcome = await pool.run(modelJob(lib, attack.code, { limits: attack.limits, params: attack.params ?? null }));
      attack.check(outcome);
      const text = everything(outcome);
      for (const marker of HOST_MARKERS) expect(text).not.toContain(marker);
    });
  }

  it("keeps serving after all of the above", async () => {
    const outcome = await pool.run(modelJob(lib, `export default async (ctx) => { const r = await ctx.query("SELECT count(*) AS n FROM people"); return { model: r.columns.n[0] }; }`));
    expect(outcome).toMatchObject({ state: "succeeded", outputs: { model: 100 } });
  });
});

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { internalErrorsDir } from "../../runtime/jobs/internal-errors.js";
import { BITS_PER_JOB, bucketEdges, STATUS_FIELDS, TIME_BUCKETS } from "../../runtime/jobs/status-channel.js";
import { discardStaged, stageOutputs } from "../../runtime/jobs/staging.js";
import { Domain } from "../../runtime/domain/domain.js";
import { all } from "../../runtime/domain/db.js";
import { setQuota, setScenarioMaxima } from "../../runtime/services/job-policy.js";
import { jobStatus, listJobs, submitJob, type JobView } from "../../runtime/services/jobs.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { as, cli } from "../helpers/fixture.js";
import { api, serve, world } from "../server/world.js";

/**
 * The raw-job status channel measured against its declaration (runtime/jobs/status-channel.ts):
 * one attacker model chooses, from a value it stands for (ctx.params.v, as if read from the raw
 * data), what to do — succeed, throw, hit a limit, throw a chosen error type at a chosen line,
 * return chosen row counts, numbers of parts, log lines, or run for a chosen time. Every view
 * its developer can get is collected; the number of distinct values of each field bounds what
 * that field can carry.
 */
const ATTACK = `export default async (ctx) => {
  const { b, v } = ctx.params;
  const spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };
  if (b === "outcome") {
    if (v === 0) return { model: 1 };
    if (v === 1) throw new Error("x");
    if (v === 2) { for (;;) {} }
    if (v === 3) { for (let i = 0; i < 100; i++) ctx.log(i); }
    if (v === 4) { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }
  }
  if (b === "error") {
    if (v === 0) throw new TypeError("t");
    if (v === 1) throw new RangeError("r");
    if (v === 2) throw { name: "SqlError", code: "SQL_DENIED", stack: "model.js:3:1" };
    if (v === 3) await ctx.query("SELECT nope FROM people");
    if (v === 4) await ctx.query("SELECT * FROM read_csv('/etc/passwd')");
  }
  if (b === "line") {
    if (v === 0) throw new Error("a");
    if (v === 1) { const e = new Error("b"); e.stack = "at model.js:7:2"; throw e; }
    if (v === 2) null.x;
  }
  if (b === "rows") return { tables: { t: { a: Array.from({ length: v }, (_, i) => i) } } };
  if (b === "parts") { const t = {}; for (let i = 0; i < v; i++) t["p" + i] = { a: [i] }; return { tables: t }; }
  if (b === "logs") { for (let i = 0; i < v; i++) ctx.log("line " + i); return { model: 0 }; }
  if (b === "time") { spin(v); return { model: 0 }; }
  return { model: 0 };
};`;

const BEHAVIOURS: { b: string; v: number[] }[] = [
  { b: "outcome", v: [0, 1, 2, 3, 4] },
  { b: "error", v: [0, 1, 2, 3, 4] },
  { b: "line", v: [0, 1, 2] },
  { b: "rows", v: [0, 1, 57, 99, 1000] },
  { b: "parts", v: [0, 1, 3, 7] },
  { b: "logs", v: [0, 1, 99] },
  { b: "time", v: [0, 2_500, 6_000] },
];
// A small log budget makes that limit cheap to hit; CPU leaves room for the time behaviour.
const LIMITS = { cpuMs: 8_000, logLines: 50, wallMs: 10_000 };

/** The fields of a view that the developer did not choose (id differs per job by construction). */
function observable(v: JobView): Record<string, unknown> {
  return { state: v.state, reason: v.reason, error: v.error, seconds: v.seconds, outputs: v.outputs, view: v.view };
}

let w: Awaited<ReturnType<typeof world>>;
let model: string;
const SECRET = "X15353168154";

beforeAll(async () => {
  w = await world();
  model = join(w.env.dir, "..", "attack.js");
  writeFileSync(model, ATTACK);
}, 240_000);

afterAll(async () => {
  await closeSharedPool();
  w?.env.cleanup();
});

describe("the status channel (issue 12 item 2)", () => {
  it("every field a developer sees stays within its declared capacity, and the joint view within the per-job budget (≤ 4 bits)", async () => {
    const views: Record<string, unknown>[] = [];
    const waits: { seconds: number | null; ms: number }[] = [];
    for (const { b, v: values } of BEHAVIOURS) {
      for (const v of values) {
        const t0 = Date.now();
        const view = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: JSON.stringify({ b, v }), limits: LIMITS }));
        waits.push({ seconds: view.seconds, ms: Date.now() - t0 });
        views.push(observable(view));
      }
    }
    const distinct = (f: (x: Record<string, unknown>) => unknown) => new Set(views.map((x) => JSON.stringify(f(x)))).size;
    const bits = (n: number) => Math.log2(n);
    const measured = {
      state: bits(distinct((x) => x.state)),
      seconds: bits(distinct((x) => x.seconds)),
      reasonAndError: bits(distinct((x) => [x.reason, x.error])),
      outputs: bits(distinct((x) => x.outputs)),
      joint: bits(distinct((x) => x)),
    };
    const declared = Object.fromEntries(STATUS_FIELDS.map((f) => [f.field, f.bits]));
    // The measured figures, for the record next to the declared ones (sandbox/README.md).
    console.info(`status channel over ${views.length} attacker runs: ${JSON.stringify(Object.fromEntries(Object.entries(measured).map(([k, b]) => [k, Number(b.toFixed(2))])))}; declared per job ${BITS_PER_JOB.toFixed(2)} bits`);
    expect(measured.state).toBeLessThanOrEqual(declared.state + 1e-9);
    expect(measured.seconds).toBeLessThanOrEqual(declared.seconds + 1e-9);
    expect(measured.reasonAndError).toBe(0);
    expect(measured.outputs).toBe(0);
    expect(measured.joint).toBeLessThanOrEqual(BITS_PER_JOB + 1e-9);
    expect(BITS_PER_JOB).toBeLessThanOrEqual(4);
    // The attacker did reach three outcomes and more than one time bucket: the test measures a live channel.
    expect(distinct((x) => x.state)).toBe(3);
    expect(distinct((x) => x.seconds)).toBeGreaterThan(1);
    // The answer itself was held until its bucket's edge, so its latency carries no more than the bucket.
    const edges = bucketEdges(LIMITS.wallMs);
    expect(edges).toHaveLength(TIME_BUCKETS);
    for (const x of waits) {
      expect(edges).toContain(x.seconds);
      expect(x.ms).toBeGreaterThanOrEqual(x.seconds! * 1000 - 1_000);
    }
  }, 900_000);

  it("status, list and HTTP show the developer the same bounded view; the operator sees the staged record", async () => {
    const job = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: JSON.stringify({ b: "rows", v: 57 }) }));
    const status = await as(w.env.dir, w.tokens.dev, (s) => jobStatus(s, job.id));
    const listed = (await as(w.env.dir, w.tokens.dev, (s) => listJobs(s))).find((j) => j.id === job.id);
    expect(status).toEqual(job);
    expect(listed).toEqual(job);
    const srv = await serve(w.env.dir);
    try {
      const http = await api(srv.url, "GET", `/api/jobs/${job.id}`, w.tokens.dev);
      expect(http.json).toEqual(job);
      const httpList = await api(srv.url, "GET", "/api/jobs", w.tokens.dev);
      expect(httpList.json.find((j: JobView) => j.id === job.id)).toEqual(job);
    } finally {
      await srv.close();
    }
    const op = await as(w.env.dir, w.tokens.admin, (s) => jobStatus(s, job.id));
    expect(op).toMatchObject({ view: "operator", outputs: [{ part: "t1", kind: "table", name: "t", rows: 57 }] });
  }, 240_000);
});

describe("names, counts, logs and messages are data (issue 12 item 1)", () => {
  it("a job spelling raw values in table names, column names, logs and its error shows none of them anywhere but the operator's record", async () => {
    const leak = join(w.env.dir, "..", "leak.js");
    // Identifiers are refused at job time; the text the model spells is made from raw incomes
    // (a distinctive token per person, so a hit cannot be a coincidence of digits).
    const token = "(x) => \"K\" + (Number(x) * 7919 + 13)";
    writeFileSync(leak, `export default async (ctx) => {
      const r = await ctx.query("SELECT income FROM people LIMIT 20");
      const tok = ${token};
      const tables = {};
      for (const v of r.columns.income) tables["n" + tok(v)] = { ["c" + tok(v)]: [1] };
      ctx.log("secret " + Array.from(r.columns.income, tok).join(","));
      return { tables };
    };`);
    const boom = join(w.env.dir, "..", "boom.js");
    writeFileSync(boom, `export default async (ctx) => {
      const r = await ctx.query("SELECT income FROM people LIMIT 1");
      throw new Error("secret " + (${token})(r.columns.income[0]));
    };`);
    const ids = w.rows.slice(0, 20).map((r) => `K${r[3] * 7919 + 13}`);
    const a = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model: leak }));
    const b = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model: boom }));
    expect(a.state).toBe("succeeded");
    expect(b.state).toBe("failed");
    const srv = await serve(w.env.dir);
    let surfaces: string;
    try {
      surfaces = JSON.stringify([
        a, b,
        await as(w.env.dir, w.tokens.dev, (s) => jobStatus(s, a.id)),
        await as(w.env.dir, w.tokens.dev, (s) => listJobs(s)),
        (await api(srv.url, "GET", `/api/jobs/${a.id}`, w.tokens.dev)).json,
        (await api(srv.url, "GET", "/api/jobs", w.tokens.dev)).json,
      ]);
    } finally {
      await srv.close();
    }
    const cliStatus = await cli(["--domain", w.env.dir, "--token", w.tokens.dev, "job", "status", a.id]);
    const cliList = await cli(["--domain", w.env.dir, "--token", w.tokens.dev, "job", "list"]);
    expect(cliStatus.code).toBe(0);
    const audit = readFileSync(join(w.env.dir, "audit", "chain.jsonl"), "utf8");
    for (const id of ids) {
      for (const [where, text] of [["developer views", surfaces], ["CLI status", cliStatus.stdout], ["CLI list", cliList.stdout], ["audit chain", audit]] as const) {
        expect(text.includes(id), `${id} in ${where}`).toBe(false);
      }
    }
    expect(audit).not.toContain("secret");
    // The data is not lost: the operator's record holds the real names (for the gate and the reviewer).
    const op = await as(w.env.dir, w.tokens.admin, (s) => jobStatus(s, a.id));
    expect(op.outputs.filter((o) => o.kind === "table").map((o) => o.name)).toEqual(ids.map((id) => "n" + id));
  }, 240_000);
});

describe("staging cannot fail open (issue 12 item 3)", () => {
  it("the owner refuses case-only duplicate columns and over-long names before writing anything", async () => {
    const domain = await Domain.open(w.env.dir);
    try {
      const dir = join(w.env.dir, "staging", "job-test-1");
      const bad = [
        { t: { rowCount: 1, columns: [{ name: SECRET, type: "int" as const, values: [1] }, { name: SECRET.toLowerCase(), type: "int" as const, values: [2] }] } },
        { ["x".repeat(10_000)]: { rowCount: 1, columns: [{ name: "a", type: "int" as const, values: [1] }] } },
      ];
      for (const tables of bad) {
        const err = await stageOutputs(domain.vault, dir, "job-test-1", { tables, logs: [] }).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "STAGING_REFUSED" });
        expect(String((err as Error).message)).not.toContain(SECRET);
      }
      const left = await all(domain.vault, "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'stg_job_test_1')");
      expect(left).toEqual([]);
      await discardStaged(domain.vault, dir, "job-test-1");
    } finally {
      domain.close();
    }
  });

  it("a staging failure ends the job (never `running`), leaves no staged table and shows its developer only the outcome", async () => {
    await as(w.env.dir, w.tokens.admin, (s) => setScenarioMaxima(s, { scenario: "hy", maxima: { stagedBytes: 2_048 } }));
    try {
      const j = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: JSON.stringify({ b: "rows", v: 50_000 }) }));
      expect(j).toMatchObject({ state: "killed", reason: null, error: null, outputs: [] });
      const op = await as(w.env.dir, w.tokens.admin, (s) => jobStatus(s, j.id));
      expect(op).toMatchObject({ state: "killed", reason: "LIMIT_STAGED", outputs: [{ part: "t1", kind: "error" }] });
      const domain = await Domain.open(w.env.dir);
      try {
        const prefix = `stg_${j.id.replace(/[^A-Za-z0-9_]/g, "_")}`;
        expect(await all(domain.vault, "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, ?)", [prefix])).toEqual([]);
      } finally {
        domain.close();
      }
    } finally {
      await as(w.env.dir, w.tokens.admin, (s) => setScenarioMaxima(s, { scenario: "hy", maxima: { stagedBytes: 256 * 1024 * 1024 } }));
    }
  }, 240_000);

  it("a job a dead process left `running` ends `failed INTERRUPTED` at the next open", async () => {
    const job = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: JSON.stringify({ b: "rows", v: 1 }) }));
    const domain = await Domain.open(w.env.dir);
    // Its owner process: one that has exited (a finished child's pid), as after a crash.
    const { spawnSync } = await import("node:child_process");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString();
    await domain.exclusive(async () => {
      await domain.control.run("UPDATE jobs SET state = 'running', finished_at = NULL WHERE id = ?", [job.id]);
      await domain.control.run("UPDATE job_owners SET pid = ? WHERE job = ?", [Number(dead), job.id]);
    });
    domain.close();
    const op = await as(w.env.dir, w.tokens.admin, (s) => jobStatus(s, job.id));
    expect(op).toMatchObject({ state: "failed", reason: "INTERRUPTED" });
    const dev = await as(w.env.dir, w.tokens.dev, (s) => jobStatus(s, job.id));
    expect(dev).toMatchObject({ state: "failed", reason: null });
    // A job whose owner still runs (this process) is left alone.
    const live = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: JSON.stringify({ b: "rows", v: 1 }) }));
    const d2 = await Domain.open(w.env.dir);
    await d2.exclusive(() => d2.control.run("UPDATE jobs SET state = 'running', finished_at = NULL WHERE id = ?", [live.id]));
    d2.close();
    expect(await as(w.env.dir, w.tokens.admin, (s) => jobStatus(s, live.id))).toMatchObject({ state: "running" });
    const d3 = await Domain.open(w.env.dir);
    await d3.exclusive(() => d3.control.run("UPDATE jobs SET state = 'succeeded' WHERE id = ?", [live.id]));
    d3.close();
  }, 240_000);

  it("an internal error reaches the HTTP body and the server log as an id; its text goes to the owner-side store", async () => {
    const job = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: JSON.stringify({ b: "rows", v: 1 }) }));
    const lines: string[] = [];
    const srv = await serve(w.env.dir, { logLevel: "info", logStream: { write: (l: string) => lines.push(l) } });
    try {
      // A corrupted record whose parse error quotes a raw value.
      await srv.domain.exclusive(() => srv.domain.control.run("UPDATE jobs SET outputs = ? WHERE id = ?", [SECRET, job.id]));
      const r = await api(srv.url, "GET", `/api/jobs/${job.id}`, w.tokens.dev);
      expect(r.status).toBe(500);
      expect(JSON.stringify(r.json)).not.toContain(SECRET);
      const errorId = r.json.error.details.errorId as string;
      expect(errorId).toMatch(/^err-/);
      expect(lines.join("\n")).not.toContain(SECRET);
      expect(lines.join("\n")).toContain(errorId);
      expect(readFileSync(join(internalErrorsDir(srv.domain), `${errorId}.json`), "utf8")).toContain(SECRET);
    } finally {
      await srv.close();
    }
    try {
      const c = await cli(["--domain", w.env.dir, "--token", w.tokens.dev, "job", "status", job.id]);
      expect(c.code).toBe(5);
      expect(c.stderr + c.stdout).not.toContain(SECRET);
      expect(c.stderr).toMatch(/internal error err-/);
      expect(readdirSync(join(w.env.dir, "staging", "internal-errors")).length).toBeGreaterThanOrEqual(2);
    } finally {
      const domain = await Domain.open(w.env.dir);
      await domain.exclusive(() => domain.control.run("UPDATE jobs SET outputs = '[]' WHERE id = ?", [job.id]));
      domain.close();
    }
  }, 240_000);
});

describe("operator limits and quotas (issue 12 items 2 and 4)", () => {
  it("a developer may ask for less than the scenario's maximum, never more", async () => {
    const set = await cli(["--domain", w.env.dir, "--token", w.tokens.admin, "--json", "limits", "set", "--scenario", "hy", "--max-wall-ms", "5000", "--max-memory", "64"]);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout).maxima).toMatchObject({ wallMs: 5_000, memoryMiB: 64 });
    try {
      const over = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: "{}", limits: { memoryMiB: 1024 } })).catch((e: unknown) => e);
      expect(over).toMatchObject({ code: "LIMIT_ABOVE_MAXIMUM" });
      const r = await cli(["--domain", w.env.dir, "--token", w.tokens.dev, "job", "submit", "--scenario", "hy", "--model", model, "--wall-ms", "60000"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("LIMIT_ABOVE_MAXIMUM");
      const under = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", model, params: "{}", limits: { wallMs: 3_000 } }));
      expect(under.state).toBe("succeeded");
    } finally {
      await as(w.env.dir, w.tokens.admin, (s) => setScenarioMaxima(s, { scenario: "hy", maxima: { wallMs: 300_000, memoryMiB: 256 } }));
    }
  }, 240_000);

  it("raw jobs over the account's or the organisation's daily quota are refused with QUOTA_EXCEEDED in the CLI and the API", async () => {
    const bob = (await as(w.env.dir, w.tokens.admin, (s) => addAccount(s, { id: "bob", name: "李四", org: "dev1", roles: ["developer"] }))).token;
    const quota = await cli(["--domain", w.env.dir, "--token", w.tokens.admin, "--json", "quota", "set", "--account", "bob", "--raw-jobs-per-day", "1"]);
    expect(quota.code).toBe(0);
    const first = await as(w.env.dir, bob, (s) => submitJob(s, { scenario: "hy", model, params: "{}" }));
    expect(first.state).toBe("succeeded");
    const second = await cli(["--domain", w.env.dir, "--token", bob, "job", "submit", "--scenario", "hy", "--model", model]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain("QUOTA_EXCEEDED");
    const srv = await serve(w.env.dir);
    try {
      const http = await api(srv.url, "POST", "/api/jobs", bob, { scenario: "hy", modelCode: ATTACK, params: "{}" });
      expect(http.status, JSON.stringify(http.json)).toBe(429);
      expect(http.json.error.code).toBe("QUOTA_EXCEEDED");
      // The organisation's quota binds every account of it.
      const used = ((await api(srv.url, "GET", "/api/jobs", w.tokens.admin)).json as JobView[]).filter((j) => j.org === "dev1" && j.mode === "raw").length;
      const set = await api(srv.url, "POST", "/api/quotas", w.tokens.admin, { org: "dev1", rawJobsPerDay: used });
      expect(set.status).toBe(200);
      const alice = await api(srv.url, "POST", "/api/jobs", w.tokens.dev, { scenario: "hy", modelCode: ATTACK, params: "{}" });
      expect(alice.status).toBe(429);
      expect(alice.json.error.details).toMatchObject({ scope: "org", id: "dev1" });
    } finally {
      await srv.close();
      await as(w.env.dir, w.tokens.admin, (s) => setQuota(s, { org: "dev1", rawJobsPerDay: 1000 }));
    }
  }, 240_000);
});

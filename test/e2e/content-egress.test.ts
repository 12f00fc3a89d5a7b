import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJobCode } from "../../policies/disclosure/content/index.js";
import { createRng, fakeMobile, fakeResidentId } from "../../policies/pii/fake/index.js";
import { Domain } from "../../runtime/domain/domain.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { requestEgress } from "../../runtime/services/egress.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { as } from "../helpers/fixture.js";
import { contentWorld } from "./content-world.js";

/** Models, reports and indices from real raw jobs through the egress gate's content checks. */
describe("content checks end to end: real jobs, staged code, egress", () => {
  let world: Awaited<ReturnType<typeof contentWorld>>;
  let env: Awaited<ReturnType<typeof contentWorld>>["env"];
  let tok: Record<string, string>;
  const dir = () => world.dir;
  const ids: string[] = [];
  const mobiles: string[] = [];
  beforeAll(async () => {
    const rng = createRng(9);
    const lines = ["id_number,mobile,district,age"];
    for (let i = 0; i < 1500; i++) {
      ids.push(fakeResidentId(rng));
      mobiles.push(fakeMobile(rng));
      lines.push(`${ids[i]},${mobiles[i]},${["520102", "520103", "520111"][i % 3]},${20 + (i % 50)}`);
    }
    world = await contentWorld(lines, "people:id_number,mobile,district,age");
    ({ env, tok } = world);
  }, 180_000);
  afterAll(async () => {
    await closeSharedPool();
    env.cleanup();
  });
  const egress = (name: string, code: string, form: "report" | "model" | "index") => world.egress(name, code, form);

  /**
   * An attack carrying identifiers out. Reading them is refused at job time (SQL_DENIED), so
   * these attacks confirm identifiers the attacker already holds by equality filters (which
   * the roles allow) and ship the confirmed ones encoded: the gate must block with `rule`.
   */
  async function leakStopped(name: string, code: string, form: "report" | "model" | "index", rule: string, params?: unknown) {
    const file = join(dir(), name);
    writeFileSync(file, code);
    const job = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "age", model: file, ...(params ? { params: JSON.stringify(params) } : {}) }));
    expect(job.state, `${name}: ${JSON.stringify(job.error)} ${job.reason}`).toBe("succeeded");
    const e = await as(env.dir, tok.dev, (s) => requestEgress(s, { job: job.id, form }));
    expect(e.state).toBe("blocked");
    expect(e.findings.some((f) => f.rule === rule && f.severity === "block"), JSON.stringify(e.findings)).toBe(true);
  }

  it("the job's code is kept in staging and read back only under its SM3", async () => {
    const { job } = await egress("plain.js", `export default async () => ({ report: "ok" });`, "report");
    const domain = await Domain.open(env.dir);
    try {
      const staging = domain.paths.jobStaging(job.id);
      expect(existsSync(join(staging, "job-code.txt"))).toBe(true);
      expect(readJobCode(staging, job.codeSm3)).toContain("report");
      expect(readJobCode(staging, "0".repeat(64))).toBeUndefined();
    } finally {
      domain.close();
    }
  });

  it("a report quoting the code's constants gets no content finding for them; its untraced count is reviewed", async () => {
    const { e, nonPass } = await egress(
      "top.js",
      `const TOP = 10; export default async (ctx) => {
        // A window over raw rows is not accounted (a plain count(*) now is, and would trace to the ledger).
        const r = await ctx.query("SELECT (count(*) OVER ())::INTEGER AS n FROM people WHERE age >= 45 LIMIT 1");
        return { report: "45 岁以上共 " + r.columns.n[0] + " 人；列出前 " + TOP + " 个指标。" };
      };`,
      "report",
    );
    expect(e.state).toBe("checked");
    const trace = nonPass.filter((f) => f.rule === "text-trace");
    expect(trace).toHaveLength(1);
    const values = (trace[0].cells as { value: string }[]).map((c) => c.value);
    expect(values).not.toContain("10");
    expect(values).not.toContain("45");
  });

  it("a model carrying base58-encoded resident IDs does not leave", async () => {
    await leakStopped(
      "b58.js",
      `const A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
      const b58 = (s) => { let n = 0n; for (const ch of s) n = n * 256n + BigInt(ch.charCodeAt(0)); let o = ""; while (n > 0n) { o = A[Number(n % 58n)] + o; n /= 58n; } return o; };
      const CANDIDATES = ${JSON.stringify([...ids.slice(0, 5), "520102199001011234"])};
      export default async (ctx) => {
        const hits = [];
        for (const c of CANDIDATES) if (Number((await ctx.query("SELECT count(*) AS n FROM people WHERE id_number = $1", [c])).columns.n[0]) > 0) hits.push(c);
        return { model: { vocab: hits.map(b58), coef: [0.1, 0.2] } };
      };`,
      "model",
      "model-raw-values",
    );
  });

  it("an index of mobiles written as numbers does not leave", async () => {
    await leakStopped(
      "idx.js",
      `export default async (ctx) => {
        const hits = [];
        for (const m of ctx.params.candidates) if (Number((await ctx.query("SELECT count(*) AS n FROM people WHERE mobile IN ($1)", [m])).columns.n[0]) > 0) hits.push(Number(m));
        return { index: hits };
      };`,
      "index",
      "text-raw-values",
      { candidates: [...mobiles.slice(0, 3), "13900000000"] },
    );
  });

  it("a report embedding a table computed in JS is blocked as a computed table", async () => {
    const { e, nonPass } = await egress(
      "md.js",
      `export default async (ctx) => {
        const r = await ctx.query("SELECT district, age FROM people");
        const by = {}; r.columns.district.forEach((d, i) => { by[d] = (by[d] ?? 0) + r.columns.age[i]; });
        return { report: "| 区县 | 年龄合计 |\\n|---|---|\\n" + Object.entries(by).map(([d, s]) => "| " + d + " | " + s + " |").join("\\n") };
      };`,
      "report",
    );
    expect(e.state).toBe("blocked");
    expect(nonPass.some((f) => f.rule === "embedded-tables" && f.severity === "block")).toBe(true);
  });
});

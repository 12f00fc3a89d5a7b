import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLedger } from "../../runtime/ledger/index.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement, changeAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress, showEgress } from "../../runtime/services/egress.js";
import { devJob, jobStatus, submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { as, newDomain } from "../helpers/fixture.js";

/**
 * The domain path: a raw job is accounted after it ran (the library's hidden `__sid` from
 * materialisation), its table marked, and the mark shown to owner-side viewers only.
 */
describe("marks in job status and egress show", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  const tok: Record<string, string> = {};
  let model: string;
  let jobId: string;
  let agreementId: string;

  beforeAll(async () => {
    env = await newDomain();
    const a = env.adminToken;
    await as(env.dir, a, (s) => addOrg(s, { id: "prov", name: "人社局", kind: "provider" }));
    await as(env.dir, a, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    tok.dev = (await as(env.dir, a, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
    tok.prov = (await as(env.dir, a, (s) => addAccount(s, { id: "p1", name: "王一", org: "prov", roles: ["provider"] }))).token;
    tok.rev = (await as(env.dir, a, (s) => addAccount(s, { id: "r1", name: "赵一", org: "operator", roles: ["reviewer"] }))).token;
    const lines = ["person,city,income"];
    // 1,200 rows of 400 people: every person has three rows.
    for (let i = 0; i < 1200; i++) lines.push(`P${String(i % 400).padStart(5, "0")},${["北京", "上海", "广州", "深圳"][(i % 400) % 4]},${1000 + ((i * 37) % 9000)}`);
    const csv = join(env.dir, "..", "people.csv");
    writeFileSync(csv, lines.join("\n") + "\n");
    await as(env.dir, a, (s) => ingestDataset(s, { id: "people", file: csv, provider: "prov", grade: 2, subject: ["person"], subjectKind: "person" }));
    agreementId = (await as(env.dir, a, (s) => addAgreement(s, { org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-01-01" }))).id;
    await as(env.dir, tok.dev, (s) => submitScenario(s, { id: "inc", purpose: "按城市统计居民收入以支持就业政策制定", grants: ["people:city,income,person"] }));
    await as(env.dir, a, (s) => approveScenario(s, "inc"));
    await as(env.dir, tok.prov, (s) => approveScenario(s, "inc"));
    model = join(env.dir, "..", "agg.js");
    writeFileSync(model, `export default async (ctx) => {
      const r = await ctx.query("select city, count(*) as n, avg(income) as mean_income from people group by city");
      return { tables: { by_city: r.columns } };
    };`);
    const job = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "inc", model }));
    expect(job.state).toBe("succeeded");
    expect(job).not.toHaveProperty("marks");
    jobId = job.id;
  }, 240_000);

  afterAll(async () => {
    await closeSharedPool();
    env.cleanup();
  });

  it("the JS model's group-by is staged accounted-aggregate and counts people, not rows", async () => {
    const st = await as(env.dir, env.adminToken, (s) => jobStatus(s, jobId));
    expect(st.marks).toEqual([{ part: "t1", table: "by_city", mark: expect.objectContaining({ kind: "accounted-aggregate", query: 0, map: expect.stringMatching(/^lmap_job_\d+_[0-9a-f]+_t1$/) }) }]);
    const counts = await as(env.dir, env.adminToken, async (s) => {
      const [entry] = await readLedger(s.domain.vault, jobId);
      const reader = await s.domain.vault.runAndReadAll(`SELECT city, n, __subjects FROM "${entry.table}" ORDER BY city`);
      return reader.getRowObjectsJS();
    });
    expect(counts.map((r) => [Number(r.n), Number(r.__subjects)])).toEqual([[300, 100], [300, 100], [300, 100], [300, 100]]);
  });

  it("the developer never sees marks; the reviewer sees them in egress show", async () => {
    const dev = await as(env.dir, tok.dev, (s) => jobStatus(s, jobId));
    expect(dev).not.toHaveProperty("marks");
    expect(JSON.stringify(dev)).not.toMatch(/accounted|led_|lmap_/);
    const e = await as(env.dir, tok.dev, (s) => requestEgress(s, { job: jobId, form: "dataset" }));
    const forDev = await as(env.dir, tok.dev, (s) => showEgress(s, e.id));
    expect(forDev).not.toHaveProperty("marks");
    const forRev = await as(env.dir, tok.rev, (s) => showEgress(s, e.id));
    expect(forRev.marks).toEqual([{ part: "t1", table: "by_city", mark: expect.objectContaining({ kind: "accounted-aggregate" }) }]);
  });

  it("dev jobs are accounted too, over the sample twin's own subject ids", async () => {
    const r = await as(env.dir, tok.dev, (s) => devJob(s, { scenario: "inc", model }));
    expect(r.outcome.state).toBe("succeeded");
    const led = await as(env.dir, env.adminToken, (s) => readLedger(s.domain.vault, r.job));
    expect(led).toMatchObject([{ q: 0, kind: "aggregate" }]);
  });

  it("terminating the agreement purges the ledger with the staging", async () => {
    await as(env.dir, env.adminToken, (s) => changeAgreement(s, agreementId, "terminate", "合同到期"));
    const left = await as(env.dir, env.adminToken, async (s) => {
      const reader = await s.domain.vault.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'led_job') OR starts_with(table_name, 'lmap_')");
      return { tables: reader.getRowObjectsJS(), ledger: await readLedger(s.domain.vault, jobId) };
    });
    expect(left).toEqual({ tables: [], ledger: [] });
  });
});

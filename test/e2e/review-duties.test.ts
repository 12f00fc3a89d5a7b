import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakeResidentId } from "../../policies/pii/fake/index.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress, reviewEgress, showEgress } from "../../runtime/services/egress.js";
import { stagedParts, submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { as, newDomain } from "../helpers/fixture.js";

describe("R6 human review with separation of duties", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  const tok: Record<string, string> = {};
  let model: string;
  beforeAll(async () => {
    env = await newDomain();
    const a = env.adminToken;
    await as(env.dir, a, (s) => addOrg(s, { id: "prov", name: "医保局", kind: "provider" }));
    await as(env.dir, a, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    tok.dev = (await as(env.dir, a, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
    tok.prov = (await as(env.dir, a, (s) => addAccount(s, { id: "p1", name: "王一", org: "prov", roles: ["provider", "reviewer"] }))).token;
    tok.r1 = (await as(env.dir, a, (s) => addAccount(s, { id: "r1", name: "赵一", org: "operator", roles: ["reviewer"] }))).token;
    tok.r2 = (await as(env.dir, a, (s) => addAccount(s, { id: "r2", name: "赵二", org: "operator", roles: ["reviewer"] }))).token;
    const rng = createRng(5);
    const lines = ["id_number,district,cost"];
    for (let i = 0; i < 2000; i++) lines.push(`${fakeResidentId(rng)},${["520102", "520103", "520111", "520112"][i % 4]},${100 + ((i * 13) % 900)}`);
    const csv = join(env.dir, "..", "claims.csv");
    writeFileSync(csv, lines.join("\n") + "\n");
    await as(env.dir, a, (s) => ingestDataset(s, { id: "claims", file: csv, provider: "prov", grade: 4, subject: ["id_number"] }));
    await as(env.dir, a, (s) => addAgreement(s, { org: "dev1", datasets: ["claims"], start: "2026-01-01", end: "2028-01-01" }));
    await as(env.dir, tok.dev, (s) => submitScenario(s, { id: "cost", purpose: "按区县统计医保费用支出以优化资源配置", grants: ["claims:district,cost"] }));
    await as(env.dir, a, (s) => approveScenario(s, "cost"));
    await as(env.dir, tok.prov, (s) => approveScenario(s, "cost"));
    model = join(env.dir, "..", "agg.js");
    writeFileSync(model, `export default async (ctx) => ({ tables: { by_district: (await ctx.query("SELECT district, count(*)::INTEGER AS n, sum(cost)::BIGINT AS total FROM claims GROUP BY district ORDER BY district")).columns } });`);
  }, 180_000);
  afterAll(async () => {
    await closeSharedPool();
    env.cleanup();
  });

  async function newRequest() {
    const job = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", model }));
    expect(job.state).toBe("succeeded");
    // The owner's accounting run marked the table against the real ledger.
    const parts = await as(env.dir, env.adminToken, (s) => stagedParts(s, job.id));
    expect(parts.find((p) => p.kind === "table")?.mark?.kind).toBe("accounted-aggregate");
    return as(env.dir, tok.dev, (s) => requestEgress(s, { job: job.id, form: "dataset" }));
  }

  it("grade-4 data needs two different reviewers; the same reviewer cannot count twice", async () => {
    const e = await newRequest();
    expect(e.state).toBe("checked");
    const first = await as(env.dir, tok.r1, (s) => reviewEgress(s, e.id, "approve", "单元格充足"));
    expect(first.state).toBe("checked");
    await expect(as(env.dir, tok.r1, (s) => reviewEgress(s, e.id, "approve", "again"))).rejects.toMatchObject({ code: "ALREADY_REVIEWED" });
    const second = await as(env.dir, tok.r2, (s) => reviewEgress(s, e.id, "approve", "复核通过"));
    expect(second.state).toBe("released");
    expect(second.reviews.map((r) => r.by)).toEqual(["r1", "r2"]);
  });

  it("developers cannot review, a review needs a reason, and a rejection ends the request", async () => {
    const e = await newRequest();
    await expect(as(env.dir, tok.dev, (s) => reviewEgress(s, e.id, "approve", "mine"))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(as(env.dir, tok.r1, (s) => reviewEgress(s, e.id, "approve", "  "))).rejects.toMatchObject({ code: "REASON_REQUIRED" });
    const r = await as(env.dir, tok.r1, (s) => reviewEgress(s, e.id, "reject", "用途不符"));
    expect(r.state).toBe("rejected");
    await expect(as(env.dir, tok.r2, (s) => reviewEgress(s, e.id, "approve", "x"))).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION" });
  });

  it("the developer sees rules and severities but not the findings' details", async () => {
    const e = await newRequest();
    const mine = await as(env.dir, tok.dev, (s) => showEgress(s, e.id));
    const reviewer = await as(env.dir, tok.r1, (s) => showEgress(s, e.id));
    expect(mine.findings.map((f) => f.rule)).toEqual(reviewer.findings.map((f) => f.rule));
    for (const f of mine.findings) expect(f.cells).toBeUndefined();
  });

  it("a scenario's approved desensitization policy is applied to its outputs at the gate", async () => {
    await as(env.dir, tok.dev, (s) =>
      submitScenario(s, {
        id: "cost-rounded",
        purpose: "按区县统计医保费用支出(总额取整到千元)",
        grants: ["claims:district,cost"],
        policy: { columns: { total: { method: "round", base: 1000 } } },
      }),
    );
    await expect(
      as(env.dir, tok.dev, (s) => submitScenario(s, { id: "bad-policy", purpose: "非法策略应被拒绝的测试场景", grants: ["claims:cost"], policy: { columns: { total: { method: "rot13" } } } })),
    ).rejects.toMatchObject({ code: "INVALID_SCENARIO" });
    await as(env.dir, env.adminToken, (s) => approveScenario(s, "cost-rounded"));
    await as(env.dir, tok.prov, (s) => approveScenario(s, "cost-rounded"));
    const job = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost-rounded", model }));
    const e = await as(env.dir, tok.dev, (s) => requestEgress(s, { job: job.id, form: "dataset" }));
    expect(e.desensitization[0].applied).toContainEqual({ column: "total", method: "round" });
    const { Domain } = await import("../../runtime/domain/domain.js");
    const d = await Domain.open(env.dir);
    try {
      const rows = (await d.vault.runAndReadAll(`SELECT total FROM "${e.desensitization[0].output}"`)).getRowObjectsJS();
      expect(rows.length).toBe(4);
      for (const r of rows) expect(Number(r.total) % 1000).toBe(0);
    } finally {
      d.close();
    }
  });

  it("an API product over grade-4 data is listed only after two different reviewers approve", async () => {
    const { publishApiProduct, reviewApiProduct } = await import("../../runtime/server/api-products/service.js");
    const sql = "SELECT count(*)::INTEGER AS n FROM claims WHERE district = $1";
    const job = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", sql, params: JSON.stringify(["520102"]) }));
    expect(job.state).toBe("succeeded");
    const p = await as(env.dir, tok.dev, (s) =>
      publishApiProduct(s, { job: job.id, sql, name: "区县参保人数", params: [{ name: "district", type: "string" }], output: [{ name: "n", kind: "count" }] }),
    );
    const first = await as(env.dir, tok.r1, (s) => reviewApiProduct(s, p.id, { decision: "approve", reason: "仅返回计数" }));
    expect(first.state).toBe("submitted");
    await expect(as(env.dir, tok.r1, (s) => reviewApiProduct(s, p.id, { decision: "approve", reason: "again" }))).rejects.toMatchObject({ code: "ALREADY_REVIEWED" });
    const second = await as(env.dir, tok.r2, (s) => reviewApiProduct(s, p.id, { decision: "approve", reason: "复核通过" }));
    expect(second.state).toBe("listed");
  });

  it("R4 jobs run only for the scenario's own developers, under an approved scenario and an active agreement", async () => {
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev9", name: "他方公司", kind: "developer" }));
    const other = (await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "mallory", name: "马某", org: "dev9", roles: ["developer"] }))).token;
    await expect(as(env.dir, other, (s) => submitJob(s, { scenario: "cost", sql: "SELECT count(*) FROM claims" }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(as(env.dir, tok.r1, (s) => submitJob(s, { scenario: "cost", sql: "SELECT count(*) FROM claims" }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", sql: "SELECT 1", model: "x.js" }))).rejects.toMatchObject({ code: "INVALID_JOB" });
    await expect(as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", model: "/nope/model.js" }))).rejects.toMatchObject({ code: "MODEL_NOT_FOUND" });
    await expect(as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", sql: "SELECT 1", params: "{not json" }))).rejects.toMatchObject({ code: "INVALID_PARAMS" });
    await expect(as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "nope", sql: "SELECT 1" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    const { changeScenario } = await import("../../runtime/services/scenarios.js");
    const { changeAgreement, listAgreements } = await import("../../runtime/services/agreements.js");
    await as(env.dir, env.adminToken, (s) => changeScenario(s, "cost", "suspend", "整改"));
    await expect(as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", sql: "SELECT count(*) FROM claims" }))).rejects.toMatchObject({ code: "SCENARIO_NOT_APPROVED" });
    await as(env.dir, env.adminToken, (s) => changeScenario(s, "cost", "resume", "整改完成"));
    const agr = (await as(env.dir, env.adminToken, listAgreements))[0].id;
    await as(env.dir, env.adminToken, (s) => changeAgreement(s, agr, "suspend", "违约调查"));
    await expect(as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", sql: "SELECT count(*) FROM claims" }))).rejects.toMatchObject({ code: "SCENARIO_NOT_APPROVED" });
    await as(env.dir, env.adminToken, (s) => changeAgreement(s, agr, "resume", "调查结束"));
    const ok = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "cost", sql: "SELECT count(*)::INTEGER AS n FROM claims" }));
    expect(ok.state).toBe("succeeded");
  });
});

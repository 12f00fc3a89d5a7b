import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { recordOperatorAuthorization, showOperatorAuthorization } from "../../runtime/lifecycle/operator-authorization.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { as, atTime, cli, newDomain, tempDir, writeCsv } from "../helpers/fixture.js";

async function world() {
  const env = await newDomain();
  const a = env.adminToken;
  await as(env.dir, a, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
  await as(env.dir, a, (s) => addOrg(s, { id: "dev2", name: "开发二", kind: "developer" }));
  const dev = (await as(env.dir, a, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
  const dev2 = (await as(env.dir, a, (s) => addAccount(s, { id: "bob", name: "李四", org: "dev2", roles: ["developer"] }))).token;
  const file = writeCsv(join(env.dir, "..", "p.csv"), ["rid", "gender", "income"], Array.from({ length: 50 }, (_, i) => [`r${i}`, i % 2 ? "F" : "M", i * 10]));
  await as(env.dir, a, (s) => ingestDataset(s, { id: "people", file, provider: "operator", grade: 1, subject: ["rid"] }));
  await as(env.dir, a, (s) => ingestDataset(s, { id: "places", file, provider: "operator", grade: 1, subject: ["rid"] }));
  return { env, a, dev, dev2 };
}

describe("R3 terms: start and end, three years with renewals, the operator's own authorization", () => {
  let w: Awaited<ReturnType<typeof world>>;
  let earlyJob = "";
  beforeAll(async () => {
    w = await world();
  }, 120_000);
  afterAll(async () => {
    await closeSharedPool();
    w.env.cleanup();
  });

  it("R3 an agreement carries nothing before its start: no scenario, no job until the term begins", async () => {
    await atTime("2026-06-01T09:00:00Z", () => as(w.env.dir, w.a, (s) => addAgreement(s, { id: "future", org: "dev2", datasets: ["people"], start: "2027-01-01", end: "2029-05-31" })));
    await atTime("2026-06-01T09:00:00Z", async () => {
      await expect(as(w.env.dir, w.dev2, (s) => submitScenario(s, { id: "early", purpose: "统计性别比例用于公共服务规划", grants: ["people:gender"] }))).rejects.toMatchObject({ code: "NO_ACTIVE_AGREEMENT" });
    });
    await atTime("2027-02-01T09:00:00Z", async () => {
      await as(w.env.dir, w.dev2, (s) => submitScenario(s, { id: "early", purpose: "统计性别比例用于公共服务规划", grants: ["people:gender"] }));
      await as(w.env.dir, w.a, (s) => approveScenario(s, "early"));
      const job = await as(w.env.dir, w.dev2, (s) => submitJob(s, { scenario: "early", sql: "SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender" }));
      expect(job.state).toBe("succeeded");
      earlyJob = job.id;
    });
    // The clock set back before the start (a host clock step, or a back-dated drill): still nothing runs.
    await atTime("2026-12-15T09:00:00Z", async () => {
      await expect(as(w.env.dir, w.dev2, (s) => submitJob(s, { scenario: "early", sql: "SELECT count(*)::INTEGER AS n FROM people" }))).rejects.toMatchObject({ code: "AGREEMENT_NOT_IN_FORCE" });
    });
  }, 120_000);

  it("R3 the authorized span per organisation and dataset is at most three years, renewals included; a renewal only within three months before expiry (ZJ 11)", async () => {
    await atTime("2026-06-01T09:00:00Z", async () => {
      const add = (id: string, datasets: string[], start: string, end: string) => as(w.env.dir, w.a, (s) => addAgreement(s, { id, org: "dev1", datasets, start, end }));
      await add("a1", ["people"], "2026-01-01", "2027-12-31");
      await expect(add("chain", ["people"], "2028-01-01", "2029-06-30")).rejects.toMatchObject({ code: "SPAN_TOO_LONG", details: { from: "2026-01-01", to: "2029-06-30", agreements: ["a1"] } });
      await expect(add("overlap", ["people", "places"], "2027-06-01", "2029-01-02")).rejects.toMatchObject({ code: "SPAN_TOO_LONG" });
      await expect(add("renew", ["people"], "2028-01-01", "2028-12-31")).rejects.toMatchObject({ code: "RENEWAL_TOO_EARLY", details: { agreement: "a1", opens: "2027-09-30" } });
      // Another dataset is its own span.
      expect((await add("p1", ["places"], "2026-06-01", "2029-05-31")).state).toBe("active");
    });
    await atTime("2027-10-15T09:00:00Z", async () => {
      const r = await as(w.env.dir, w.a, (s) => addAgreement(s, { id: "renew", org: "dev1", datasets: ["people"], start: "2028-01-01", end: "2028-12-31" }));
      expect(r.state).toBe("active");
      const { auditLog } = await import("../../runtime/services/audit.js");
      const entry = (await as(w.env.dir, w.a, (s) => auditLog(s, { action: "agreement.add", object: "agreement:renew" })))[0];
      expect(entry.details.renews).toEqual(["a1"]);
    });
  }, 120_000);

  it("R3 the operator's own authorization bounds every agreement, and the domain stops processing when it lapses", async () => {
    await atTime("2027-11-01T09:00:00Z", async () => {
      // A record that would strand agreements already in force is refused.
      await expect(as(w.env.dir, w.a, (s) => recordOperatorAuthorization(s, { start: "2026-01-01", end: "2027-12-31", datasets: ["people"], reference: "省政府授权书〔2026〕1号" }))).rejects.toMatchObject({ code: "AGREEMENTS_OUTSIDE" });
      await expect(as(w.env.dir, w.a, (s) => recordOperatorAuthorization(s, { start: "2026-01-01", end: "2030-01-01", datasets: ["*"], reference: "x" }))).rejects.toMatchObject({ code: "TERM_TOO_LONG" });
      await expect(as(w.env.dir, w.dev, (s) => recordOperatorAuthorization(s, { start: "2026-01-01", end: "2028-12-31", datasets: ["*"], reference: "x" }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
      await expect(as(w.env.dir, w.a, (s) => recordOperatorAuthorization(s, { start: "2026-01-01", end: "2028-12-31", datasets: [], reference: "x" }))).rejects.toMatchObject({ code: "INVALID_AUTHORIZATION" });
      const r = await as(w.env.dir, w.a, (s) => recordOperatorAuthorization(s, { start: "2026-06-01", end: "2029-05-31", datasets: ["people", "places"], reference: "省政府授权书〔2026〕1号" }));
      expect(r.id).toMatch(/^opa-/);
      expect((await as(w.env.dir, w.a, showOperatorAuthorization)).state).toBe("in-force");
      await as(w.env.dir, w.a, (s) => addOrg(s, { id: "dev3", name: "开发三", kind: "developer" }));
      await expect(as(w.env.dir, w.a, (s) => addAgreement(s, { org: "dev3", datasets: ["people"], start: "2027-11-01", end: "2029-10-31" }))).rejects.toMatchObject({ code: "BEYOND_OPERATOR_AUTHORIZATION" });
      expect((await as(w.env.dir, w.a, (s) => addAgreement(s, { id: "d3", org: "dev3", datasets: ["people"], start: "2027-11-01", end: "2029-05-31" }))).state).toBe("active");
    });
    await atTime("2029-06-01T09:00:00Z", async () => {
      expect((await as(w.env.dir, w.a, showOperatorAuthorization)).state).toBe("lapsed");
      // Every gate checks the operator's authorization first: the domain as a whole has stopped.
      const { requestEgress } = await import("../../runtime/services/egress.js");
      await expect(as(w.env.dir, w.dev2, (s) => requestEgress(s, { job: earlyJob, form: "dataset" }))).rejects.toMatchObject({ code: "OPERATOR_AUTHORIZATION_LAPSED" });
    });
  }, 120_000);

  it("R3 init records the operator's authorization; the CLI shows it with --json and refuses a bad term (exit 3)", async () => {
    const t = tempDir();
    try {
      const bad = await cli(["init", join(t.dir, "bad"), "--operator", "运营公司", "--authorized-from", "2026-01-01", "--authorized-until", "2030-01-01", "--authorization-reference", "授权书"]);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/TERM_TOO_LONG/);
      const made = await cli(["--json", "init", join(t.dir, "d"), "--operator", "运营公司", "--authorized-from", "2026-01-01", "--authorized-until", "2028-12-31", "--authorization-reference", "授权书〔2026〕1号"]);
      expect(made.code).toBe(0);
      const token = JSON.parse(made.stdout).token;
      const shown = await cli(["--json", "operator", "show"], { SHUYU_DOMAIN: join(t.dir, "d"), SHUYU_TOKEN: token, SHUYU_NOW: "2027-01-01" });
      expect(JSON.parse(shown.stdout)).toMatchObject({ state: "in-force", current: { start: "2026-01-01", end: "2028-12-31", datasets: ["*"] } });
    } finally {
      t.cleanup();
    }
  }, 120_000);
});

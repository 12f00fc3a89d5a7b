import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement, changeAgreement, listAgreements } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, changeScenario, rejectScenario, showScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { verifyAudit } from "../../runtime/services/audit.js";
import { createRng, fakeMobile, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { as, atTime, newDomain, writeCsv } from "../helpers/fixture.js";

/** A domain with a provider, two developer orgs and one 200-row people dataset. */
async function world() {
  const env = await newDomain();
  const admin = env.adminToken;
  await as(env.dir, admin, (s) => addOrg(s, { id: "wjw", name: "卫健委", kind: "provider" }));
  await as(env.dir, admin, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
  await as(env.dir, admin, (s) => addOrg(s, { id: "dev2", name: "开发二", kind: "developer" }));
  const prov = (await as(env.dir, admin, (s) => addAccount(s, { id: "pw", name: "王提供", org: "wjw", roles: ["provider"] }))).token;
  const dev = (await as(env.dir, admin, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
  const dev2 = (await as(env.dir, admin, (s) => addAccount(s, { id: "bob", name: "李四", org: "dev2", roles: ["developer"] }))).token;
  const rng = createRng(7);
  const rows = Array.from({ length: 200 }, (_, i) => [fakePersonName(rng), fakeResidentId(rng), fakeMobile(rng), i % 2 ? "F" : "M", 1000 + ((i * 37) % 9000)]);
  const file = writeCsv(join(env.dir, "..", "people.csv"), ["name", "id_number", "mobile", "gender", "income"], rows);
  await as(env.dir, admin, (s) => ingestDataset(s, { id: "people", file, provider: "wjw", grade: 3, subject: ["id_number"] }));
  return { env, admin, prov, dev, dev2, rows };
}

describe("R3 agreements and R4 one scenario, one review", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(() => w.env.cleanup());

  it("R3: refuses an agreement longer than three years, reversed dates and malformed dates", async () => {
    const add = (start: string, end: string) => as(w.env.dir, w.admin, (s) => addAgreement(s, { org: "dev1", datasets: ["people"], start, end }));
    await expect(add("2026-01-01", "2029-01-02")).rejects.toMatchObject({ code: "TERM_TOO_LONG" });
    await expect(add("2026-06-01", "2026-05-01")).rejects.toMatchObject({ code: "INVALID_TERM" });
    await expect(add("2026-02-30", "2027-01-01")).rejects.toMatchObject({ code: "INVALID_AGREEMENT" });
    await expect(add("26-1-1", "2027-01-01")).rejects.toMatchObject({ code: "INVALID_AGREEMENT" });
    await expect(as(w.env.dir, w.admin, (s) => addAgreement(s, { org: "dev1", datasets: ["nope"], start: "2026-01-01", end: "2027-01-01" }))).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(as(w.env.dir, w.admin, (s) => addAgreement(s, { org: "wjw", datasets: ["people"], start: "2026-01-01", end: "2027-01-01" }))).rejects.toMatchObject({ code: "NOT_A_DEVELOPER" });
  });

  it("R4: a scenario needs an active agreement, known columns and the least data", async () => {
    await expect(as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "s0", purpose: "统计各性别人群收入分布情况", grants: ["people:gender,income"] }))).rejects.toMatchObject({ code: "NO_ACTIVE_AGREEMENT" });
    await as(w.env.dir, w.admin, (s) => addAgreement(s, { id: "agr1", org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-12-31" }));
    await expect(as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "s0", purpose: "统计各性别人群收入分布情况", grants: ["people:gender,salary"] }))).rejects.toMatchObject({ code: "UNKNOWN_COLUMN" });
    await expect(as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "s0", purpose: "统计各性别人群收入分布情况", grants: ["people"] }))).rejects.toMatchObject({ code: "INVALID_GRANT" });
    await expect(as(w.env.dir, w.dev2, (s) => submitScenario(s, { id: "s0", purpose: "统计各性别人群收入分布情况", grants: ["people:gender,income"] }))).rejects.toMatchObject({ code: "NO_ACTIVE_AGREEMENT" });
    await expect(as(w.env.dir, w.admin, (s) => submitScenario(s, { id: "s0", purpose: "统计各性别人群收入分布情况", grants: ["people:gender,income"] }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("R4: approval needs the operator and every provider; then the library holds only granted columns (and the hidden subject id) with SM3 digests", async () => {
    const sc = await as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "income", purpose: "统计各性别人群收入分布情况", grants: ["people:gender,income"] }));
    expect(sc.state).toBe("submitted");
    expect(sc.approvals.required).toEqual(["operator", "wjw"]);
    await expect(as(w.env.dir, w.dev, (s) => approveScenario(s, "income"))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    const half = await as(w.env.dir, w.admin, (s) => approveScenario(s, "income"));
    expect(half.state).toBe("submitted");
    expect(existsSync(join(w.env.dir, "libraries", "income"))).toBe(false);
    const done = await as(w.env.dir, w.prov, (s) => approveScenario(s, "income"));
    expect(done.state).toBe("approved");
    const lib = join(w.env.dir, "libraries", "income");
    expect(readdirSync(lib).sort()).toEqual(["manifest.json", "people.parquet"]);
    const manifest = JSON.parse(readFileSync(join(lib, "manifest.json"), "utf8"));
    expect(manifest.datasets[0]).toMatchObject({ dataset: "people", columns: ["gender", "income"], rows: 200 });
    const { createHash } = await import("node:crypto");
    expect(manifest.datasets[0].sm3).toBe(createHash("sm3").update(readFileSync(join(lib, "people.parquet"))).digest("hex"));
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    const cols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(lib, "people.parquet")}')`)).getRowObjectsJS().map((r) => r.column_name);
    expect(cols).toEqual(["gender", "income", "__sid"]);
    const sums = (await c.runAndReadAll(`SELECT sum(income)::BIGINT AS s FROM read_parquet('${join(lib, "people.parquet")}')`)).getRowObjectsJS()[0].s;
    expect(Number(sums)).toBe(w.rows.reduce((a, r) => a + Number(r[4]), 0));
    // the sample twin for dev mode has the same columns and types, so a model moves from sample to raw unchanged
    const types = async (f: string) => (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${f}')`)).getRowObjectsJS().map((r) => `${r.column_name}:${r.column_type}`);
    expect(await types(join(w.env.dir, "samples", "income", "people.parquet"))).toEqual(await types(join(lib, "people.parquet")));
    c.closeSync();
  });

  it("R4: a rejection states its reason; other orgs cannot see the scenario", async () => {
    await as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "ids", purpose: "核验身份证号与姓名是否一致", grants: ["people:name,id_number"] }));
    await expect(as(w.env.dir, w.prov, (s) => rejectScenario(s, "ids", ""))).rejects.toMatchObject({ code: "REASON_REQUIRED" });
    const r = await as(w.env.dir, w.prov, (s) => rejectScenario(s, "ids", "超出最小必要范围"));
    expect(r).toMatchObject({ state: "rejected", reason: "超出最小必要范围" });
    await expect(as(w.env.dir, w.admin, (s) => approveScenario(s, "ids"))).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION" });
    await expect(as(w.env.dir, w.dev2, (s) => showScenario(s, "income"))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("R4: suspend and resume; expiry moves the scenario and agreement to expired at the end of their last day in Asia/Shanghai, not in UTC", async () => {
    expect((await as(w.env.dir, w.admin, (s) => changeScenario(s, "income", "suspend", "整改"))).state).toBe("suspended");
    expect((await as(w.env.dir, w.admin, (s) => changeScenario(s, "income", "resume", "整改完成"))).state).toBe("approved");
    // agr1 ends 2028-12-31: 23:30 that day in Shanghai it still holds; 00:30 the next day (16:30 UTC on the 31st) it has expired.
    await atTime("2028-12-31T15:30:00Z", async () => {
      expect((await as(w.env.dir, w.admin, listAgreements)).find((a) => a.id === "agr1")?.state).toBe("active");
    });
    await atTime("2028-12-31T16:30:00Z", async () => {
      expect((await as(w.env.dir, w.dev, (s) => showScenario(s, "income"))).state).toBe("expired");
      expect((await as(w.env.dir, w.admin, listAgreements)).find((a) => a.id === "agr1")?.state).toBe("expired");
    });
  });

  it("R3: termination revokes the organisation's accounts and scenarios and deletes its libraries; the chain still verifies", async () => {
    await as(w.env.dir, w.admin, (s) => addAgreement(s, { id: "agr2", org: "dev2", datasets: ["people"], start: "2026-01-01", end: "2027-12-31" }));
    await as(w.env.dir, w.dev2, (s) => submitScenario(s, { id: "gender", purpose: "统计性别比例用于公共服务规划", grants: ["people:gender"] }));
    await as(w.env.dir, w.admin, (s) => approveScenario(s, "gender"));
    await as(w.env.dir, w.prov, (s) => approveScenario(s, "gender"));
    expect(existsSync(join(w.env.dir, "libraries", "gender"))).toBe(true);
    const t = await as(w.env.dir, w.admin, (s) => changeAgreement(s, "agr2", "terminate", "违反协议约定"));
    expect(t.state).toBe("terminated");
    expect(t.purged).toMatchObject({ accounts: 1, scenarios: 1 });
    expect(existsSync(join(w.env.dir, "libraries", "gender"))).toBe(false);
    expect(existsSync(join(w.env.dir, "samples", "gender"))).toBe(false);
    await expect(as(w.env.dir, w.dev2, async () => 1)).rejects.toMatchObject({ code: "ACCOUNT_REVOKED" });
    await expect(as(w.env.dir, w.admin, (s) => changeAgreement(s, "agr2", "resume", "x"))).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION" });
    expect((await as(w.env.dir, w.admin, verifyAudit)).ok).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "../../policies/authz/principal.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { addUseAgreement, delistProduct, recordConsent, recordLegalBasis, revokeConsent, terminateUseAgreement, usageReport } from "../../runtime/obligations/index.js";
import { publishApiProduct, reviewApiProduct } from "../../runtime/server/api-products/service.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { changeAgreement } from "../../runtime/services/agreements.js";
import { verifyAudit } from "../../runtime/services/audit.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";

const VERIFY_SQL = "SELECT CASE WHEN count(*) > 0 THEN 'match' ELSE 'no_match' END AS result FROM people WHERE name = $1 AND id_number = $2";

/**
 * The 核验 runtime keeps what decides a call (standing, use agreement, consent basis, fee)
 * while no control row changes. One long-lived runtime, as `shuyu serve` holds, warmed by an
 * answered call before each change: the change must refuse the very next call.
 */
describe("standing cache: every change applies to the very next call of a warm runtime", { timeout: 300_000 }, () => {
  let w: LifecycleWorld;
  let alice: Principal;
  let bob: Principal;
  let verify = "";
  const code = (p: Promise<unknown>) => p.then(() => "answered", (e: { code?: string }) => e.code ?? String(e));

  beforeAll(async () => {
    w = await lifecycleWorld();
    const admin = await w.session(w.tokens.admin);
    await addOrg(admin, { id: "dev2", name: "开发二", kind: "developer" });
    bob = (await w.session((await addAccount(admin, { id: "bob", name: "刘六", org: "dev2", roles: ["developer"] })).token)).principal;
    const a = await w.session(w.tokens.alice);
    alice = a.principal;
    const job = await submitJob(a, { scenario: "stats", sql: VERIFY_SQL, params: JSON.stringify([w.rows[0][0], w.rows[0][1]]) });
    verify = (await publishApiProduct(a, {
      job: job.id, sql: VERIFY_SQL, name: "核验", params: [{ name: "name", type: "string" }, { name: "id_number", type: "string" }],
      output: [{ name: "result", kind: "class", values: ["match", "no_match"] }], rules: { quotaPerDay: 6 },
    })).id;
    await reviewApiProduct(await w.session(w.tokens.rev), verify, { decision: "approve", reason: "只返回是否一致" });
    await recordLegalBasis(admin, { scenario: "stats", basis: "consent", note: "核验经本人授权" });
  }, 240_000);
  afterAll(async () => {
    await w?.close();
    await closeSharedPool();
  });

  const person = (i: number) => ({ name: String(w.rows[i][0]), id_number: String(w.rows[i][1]) });

  it("a withdrawn consent refuses the next call; an audit batch does not change the generation; a new consent answers at once", async () => {
    const admin = await w.session(w.tokens.admin);
    const c = await recordConsent(admin, { dataset: "people", subject: [person(1).id_number], scope: `product:${verify}`, granted: "2026-01-01", expires: "2028-12-31", evidence: "授权书 T-1" });
    expect((await w.runtime.call(alice, verify, { params: person(1) })).answer.result).toEqual({ result: "match" });
    const gen = w.domain.generation;
    expect(await code(w.runtime.call(alice, verify, { params: person(1) }))).toBe("answered");
    expect(w.domain.generation, "audit heads and usage records are bookkeeping: the cache keeps hitting").toBe(gen);
    expect(await code(w.runtime.call(alice, verify, { params: person(2) }))).toBe("CONSENT_REQUIRED");
    await revokeConsent(admin, c.id, "本人撤回");
    expect(await code(w.runtime.call(alice, verify, { params: person(1) }))).toBe("CONSENT_REQUIRED");
    // a withdrawal racing calls in flight: every call that starts after it has been answered is refused
    const during = Array.from({ length: 8 }, () => code(w.runtime.call(alice, verify, { params: person(1) })));
    expect(new Set(await Promise.all(during))).toEqual(new Set(["CONSENT_REQUIRED"]));
    await recordConsent(admin, { dataset: "people", subject: [person(2).id_number], scope: "*", granted: "2026-01-01", expires: "2028-12-31", evidence: "授权书 T-2" });
    expect(await code(w.runtime.call(alice, verify, { params: person(2) }))).toBe("answered");
  });

  it("a suspended agreement refuses the next call and a resumed one answers; a terminated use agreement refuses the next call", async () => {
    const admin = await w.session(w.tokens.admin);
    expect(await code(w.runtime.call(alice, w.ids.api, { params: { gender: "F" } }))).toBe("answered");
    await changeAgreement(admin, "agr1", "suspend", "核查中");
    expect(await code(w.runtime.call(alice, w.ids.api, { params: { gender: "F" } }))).toBe("PRODUCT_SUSPENDED");
    await changeAgreement(admin, "agr1", "resume", "核查结束");
    expect(await code(w.runtime.call(alice, w.ids.api, { params: { gender: "F" } }))).toBe("answered");

    expect(await code(w.runtime.call(bob, w.ids.api, { params: { gender: "F" } }))).toBe("USE_AGREEMENT_REQUIRED");
    const use = await addUseAgreement(admin, { product: w.ids.api, org: "dev2", useScenario: "公共服务规划测算", delivery: "api", priceFen: 7, conditions: "仅用于规划", start: "2026-01-01", end: "2028-12-31" });
    expect(await code(w.runtime.call(bob, w.ids.api, { params: { gender: "F" } }))).toBe("answered");
    expect(await code(w.runtime.call(bob, w.ids.api, { params: { gender: "M" } }))).toBe("answered");
    await terminateUseAgreement(admin, use.id, "违反使用条件");
    expect(await code(w.runtime.call(bob, w.ids.api, { params: { gender: "F" } }))).toBe("USE_AGREEMENT_REQUIRED");
    // metered with the agreed price, each answered call once, before it was answered
    expect((await usageReport(admin)).products.find((p) => p.product === w.ids.api)).toMatchObject({ calls: 4, revenueFen: 14 });
  });

  it("an exhausted daily quota refuses the next call; a delisted product refuses the next call", async () => {
    const admin = await w.session(w.tokens.admin);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await code(w.runtime.call(alice, verify, { params: person(2) })));
    // 6 a day: 3 answered in the first test (refusals are not counted), 3 here, then refused
    expect(results).toEqual(["answered", "answered", "answered", "QUOTA_EXCEEDED"]);
    await delistProduct(admin, { product: w.ids.api, reason: "数据源更新，产品召回" });
    expect(await code(w.runtime.call(alice, w.ids.api, { params: { gender: "F" } }))).toBe("PRODUCT_DELISTED");
  });

  it("usage records and the batch head sealed by key: every row verifies, and rows changed outside shuyu stay reported after later calls", async () => {
    const admin = await w.session(w.tokens.admin);
    const before = await verifyAudit(admin);
    expect(before.controlRows?.tampered).toEqual([]);
    // an outside edit through a connection that bypasses the write guard (as a DuckDB shell would)
    await w.domain.committed(() => w.domain.control.run("UPDATE usage_records SET fee_fen = 0 WHERE fee_fen > 0"));
    await recordConsent(admin, { dataset: "people", subject: [person(3).id_number], scope: "*", granted: "2026-01-01", expires: "2028-12-31", evidence: "授权书 T-3" });
    // a guarded write now refuses (every state change records the audit head through the guard) …
    await w.domain.committed(() => w.domain.control.run("INSERT OR REPLACE INTO meta VALUES ('admission_required', 'false')"));
    await expect(recordConsent(admin, { dataset: "people", subject: [person(4).id_number], scope: "*", granted: "2026-01-01", expires: "2028-12-31", evidence: "授权书 T-4" })).rejects.toMatchObject({ code: "CONTROL_TAMPERED" });
    // … while a batch of calls, whose head is sealed by key, does not seal the outside row with it
    await w.runtime.close(); // the quota is per runtime: a fresh one answers again
    const { ApiProductRuntime } = await import("../../runtime/server/api-products/product-runtime.js");
    const { loadSeal } = await import("../../runtime/domain/seal.js");
    const rt = new ApiProductRuntime(w.domain, loadSeal(w.domain.paths.keys));
    try {
      expect(await code(rt.call(alice, verify, { params: person(3) }))).toBe("answered");
    } finally {
      await rt.close();
    }
    // the batch's usage row and audit head were sealed by key: neither outside change was sealed with them
    const after = (await w.domain.scanControl()).tampered.map((t) => ({ table: t.table, key: t.key, problem: t.problem }));
    expect(after.filter((t) => t.table === "usage_records").map((t) => t.problem)).toEqual(["edited", "edited"]);
    expect(after.filter((t) => t.table === "meta")).toEqual([{ table: "meta", key: '["admission_required"]', problem: "inserted" }]);
  });
});

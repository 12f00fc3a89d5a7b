import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEntries, verifyChain } from "../../runtime/audit/chain.js";
import { verifyPackage } from "../../runtime/egress/verify.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { recordOperatorAuthorization } from "../../runtime/lifecycle/operator-authorization.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { listCatalog, showCatalog } from "../../runtime/services/catalog.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { listProducts, reviewersNeeded } from "../../runtime/services/egress.js";
import { jobStatus } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario } from "../../runtime/services/scenarios.js";
import { cli, writeCsv } from "../helpers/fixture.js";
import { lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";

/** Tests that each name the article they exercise, so the compliance report can cite them. */
describe("citations the compliance report relies on", () => {
  let w: LifecycleWorld;
  beforeAll(async () => {
    w = await lifecycleWorld();
  }, 180_000);
  let closed = false;
  afterAll(async () => {
    await closeSharedPool();
    if (closed) w.env.cleanup();
    else await w?.close();
  });

  it("R3 HB 21: only the operator authorizes; a developer cannot add agreements, organisations or accounts, approve scenarios or record an authorization", async () => {
    const dev = await w.session(w.tokens.alice);
    const refused = [
      addAgreement(dev, { org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2027-01-01" }),
      addOrg(dev, { id: "sub", name: "转授权公司", kind: "developer" }),
      addAccount(dev, { id: "friend", name: "王五", org: "dev1", roles: ["developer"] }),
      approveScenario(dev, "stats"),
      recordOperatorAuthorization(dev, { start: "2026-01-01", end: "2027-01-01", datasets: ["*"], reference: "x" }),
    ];
    for (const r of await Promise.allSettled(refused)) expect(r).toMatchObject({ status: "rejected", reason: { code: "PERMISSION_DENIED" } });
  });

  it("R1 HLJ 22: a changed byte of a released package and an edited audit entry are detected", () => {
    const product = readdirSync(w.domain.paths.outbox).find((f) => f.endsWith(".tar"))!;
    const bytes = readFileSync(join(w.domain.paths.outbox, product));
    expect(verifyPackage(bytes).product).toBe(w.ids.product);
    const changed = Buffer.from(bytes);
    changed[changed.length - 1100] ^= 0x20;
    expect(() => verifyPackage(changed)).toThrow();
    const entries = readEntries(w.domain.paths.audit);
    expect(verifyChain(entries).ok).toBe(true);
    const edited = entries.map((e, i) => (i === 5 ? { ...e, actor: "mallory" } : e));
    expect(verifyChain(edited)).toMatchObject({ ok: false, firstBadSeq: 6 });
  });

  it("R2 HLJ 8, ZJ 14(2), ZJ 28: datasets are graded 1..4 and classified by column tags; the grade decides the review", async () => {
    const admin = await w.session(w.tokens.admin);
    const file = writeCsv(join(w.env.dir, "..", "g.csv"), ["a"], [[1]]);
    await expect(ingestDataset(admin, { id: "g5", file, provider: "wjw", grade: 5 })).rejects.toMatchObject({ code: "INVALID_DATASET" });
    const people = await showCatalog(admin, "people");
    expect(people.grade).toBe(2);
    expect(JSON.stringify(people.columnDetails.find((c) => c.name === "id_number"))).toMatch(/pii:/);
    expect([1, 2, 3, 4].map(reviewersNeeded)).toEqual([1, 1, 1, 2]);
  });

  it("R1 ZJ 16: a raw run's output stays in staging — its submitter sees coarse figures only — and outbox/ holds nothing but reviewed, sealed packages", async () => {
    // The submitter's view is the bounded status channel: no part, name or count; the operator's record has the staged table.
    expect((await jobStatus(await w.session(w.tokens.alice), w.ids.fresh)).outputs).toEqual([]);
    expect((await jobStatus(await w.session(w.tokens.admin), w.ids.fresh)).outputs.map((o) => o.kind)).toEqual(["table"]);
    expect(readdirSync(w.domain.paths.jobStaging(w.ids.fresh)).length).toBeGreaterThan(0);
    const released = (await listProducts(await w.session(w.tokens.admin))).map((p) => p.package.split("/").pop());
    expect(readdirSync(w.domain.paths.outbox).sort()).toEqual(released.sort());
  });

  it("R2 GY 10: a catalog entry states name, content, format, source, category, sharing and opening, grade, usage and update cycle", async () => {
    const admin = await w.session(w.tokens.admin);
    const file = writeCsv(join(w.env.dir, "..", "h.csv"), ["district", "beds"], [["a", 1], ["b", 2]]);
    await ingestDataset(admin, { id: "beds", file, provider: "wjw", grade: 1, name: "床位数", description: "各区医院床位数", category: "卫生健康", sharing: "conditional", opening: "conditional", updateCycle: "monthly" });
    const e = (await listCatalog(admin)).find((x) => x.id === "beds")!;
    expect(e).toMatchObject({ name: "床位数", description: "各区医院床位数", format: "csv", provider: "wjw", category: "卫生健康", sharing: "conditional", opening: "conditional", grade: 1, updateCycle: "monthly" });
  });

  it("R6 HB 26(2): a released product is registered with its package's SM3 in the product register and the audit chain", async () => {
    const p = (await listProducts(await w.session(w.tokens.admin))).find((x) => x.id === w.ids.product)!;
    const { createHash } = await import("node:crypto");
    expect(createHash("sm3").update(readFileSync(p.package)).digest("hex")).toBe(p.sm3);
    const reg = readEntries(w.domain.paths.audit).find((e) => e.action === "product.register" && e.object === `product:${p.id}`)!;
    expect(reg.details.sm3).toBe(p.sm3);
  });
  // Last: it hands the domain to a CLI process.
  it("R3 HB 24(1), ZJ 28: accounts are real-name, tokens are kept only as digests, and a refused attempt is recorded for review", async () => {
    const admin = await w.session(w.tokens.admin);
    await expect(addAccount(admin, { id: "nameless", name: "  ", org: "dev1", roles: ["developer"] })).rejects.toMatchObject({ code: "INVALID_ACCOUNT" });
    const control = readFileSync(w.domain.paths.control);
    expect(control.includes(w.tokens.alice.split(".").pop()!)).toBe(false);
    const dir = w.env.dir;
    await w.runtime.close();
    w.domain.close();
    try {
      const r = await cli(["agreement", "add", "--org", "dev1", "--datasets", "people", "--start", "2026-01-01", "--end", "2026-12-31"], { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.carol });
      expect(r.code).toBe(2);
    } finally {
      closed = true;
    }
    const last = readEntries(join(dir, "audit", "chain.jsonl")).filter((e) => e.action === "access.denied").at(-1)!;
    expect(last).toMatchObject({ actor: "carol", object: "cli:agreement add", details: { permission: "agreement.add" } });
  }, 60_000);

});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { downloadPackage } from "../../runtime/lifecycle/delivery.js";
import { addUseAgreement, delistProduct, usageReport } from "../../runtime/obligations/index.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";

describe("R6 package delivery under product-use agreements", () => {
  let w: LifecycleWorld;
  let bobToken = "";
  beforeAll(async () => {
    w = await lifecycleWorld();
    const admin = await w.session(w.tokens.admin);
    await addOrg(admin, { id: "dev2", name: "开发二", kind: "developer" });
    bobToken = (await addAccount(admin, { id: "bob", name: "刘六", org: "dev2", roles: ["developer"] })).token;
  }, 180_000);
  afterAll(async () => {
    await closeSharedPool();
    await w?.close();
  });

  it("R6 HB 27, HB 31, ZJ 25: another organisation's developer downloading a package without a use agreement is refused; with one it is delivered and metered per delivery; a recalled package is not delivered", async () => {
    const bob = await w.session(bobToken);
    const admin = await w.session(w.tokens.admin);
    await expect(downloadPackage(bob, w.ids.product)).rejects.toMatchObject({ code: "USE_AGREEMENT_REQUIRED", kind: "denied" });
    // a use agreement for calls does not cover a package, nor one that starts tomorrow
    await expect(addUseAgreement(admin, { product: w.ids.product, org: "dev2", useScenario: "规划测算", delivery: "api", conditions: "仅限本单位", start: "2026-01-01", end: "2027-12-31" })).rejects.toMatchObject({ code: "DELIVERY_MISMATCH" });
    await addUseAgreement(admin, { product: w.ids.product, org: "dev2", useScenario: "规划测算", delivery: "package", priceFen: 1200, conditions: "仅限本单位", start: "2099-01-01", end: "2099-12-31" });
    await expect(downloadPackage(bob, w.ids.product)).rejects.toMatchObject({ code: "USE_AGREEMENT_REQUIRED" });
    await addUseAgreement(admin, { product: w.ids.product, org: "dev2", useScenario: "规划测算", delivery: "package", priceFen: 1200, conditions: "仅限本单位", start: "2026-01-01", end: "2027-12-31" });
    const got = await downloadPackage(bob, w.ids.product);
    expect(got.bytes.length).toBeGreaterThan(0);
    await downloadPackage(await w.session(w.tokens.carol), w.ids.product); // its own organisation: free
    const usage = await usageReport(admin);
    expect(usage.products.find((p) => p.product === w.ids.product)).toMatchObject({ deliveries: 2, users: 2, revenueFen: 1200 });
    await delistProduct(admin, { product: w.ids.product, reason: "召回" });
    await expect(downloadPackage(bob, w.ids.product)).rejects.toMatchObject({ code: "PRODUCT_DELISTED" });
    await expect(downloadPackage(await w.session(w.tokens.carol), w.ids.product)).rejects.toMatchObject({ code: "PRODUCT_DELISTED" });
  });
});

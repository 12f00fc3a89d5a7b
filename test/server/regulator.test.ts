import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEntries } from "../../runtime/audit/chain.js";
import { loadSeal } from "../../runtime/domain/seal.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { buildServer } from "../../runtime/server/app.js";
import { API_ROUTES } from "../../runtime/server/api-routes.js";
import { ROLE_PERMISSIONS } from "../../policies/authz/actions.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";
import { api } from "./world.js";

describe("R7 a supervisor's view: regulator auditors read everything and change nothing", () => {
  let w: LifecycleWorld;
  let url: string;
  let close: () => Promise<void>;
  let gov: string;
  beforeAll(async () => {
    w = await lifecycleWorld();
    const admin = await w.session(w.tokens.admin);
    await addOrg(admin, { id: "sjj", name: "市数据局", kind: "regulator" });
    gov = (await addAccount(admin, { id: "gov", name: "钱监管", org: "sjj", roles: ["auditor"] })).token;
    const built = await buildServer({ domain: w.domain, seal: loadSeal(w.domain.paths.keys), logLevel: false });
    url = await built.app.listen({ port: 0, host: "127.0.0.1" });
    close = async () => {
      await built.app.close();
      await built.products.close();
    };
  }, 180_000);
  afterAll(async () => {
    await close?.();
    await closeSharedPool();
    await w?.close();
  });

  it("R7 a regulator organisation holds auditors only", async () => {
    const admin = await w.session(w.tokens.admin);
    await expect(addAccount(admin, { id: "gov2", name: "孙监管", org: "sjj", roles: ["developer"] })).rejects.toMatchObject({ code: "ROLE_NOT_ALLOWED" });
  });

  it("R7 the auditor reads the audit chain, catalog without samples, authorizations, scenarios, egress decisions, products, incidents and reports over the API", async () => {
    const get = (path: string) => api(url, "GET", path, gov);
    expect((await get("/api/audit?limit=5")).status).toBe(200);
    expect((await get("/api/catalog")).json.map((c: { id: string }) => c.id)).toContain("people");
    expect((await get("/api/catalog/people")).status).toBe(200);
    const sample = await get("/api/catalog/people?sample=true");
    expect(sample.status).toBe(403);
    expect((await get("/api/agreements")).json.map((a: { id: string }) => a.id)).toEqual(["agr1"]);
    expect((await get("/api/scenarios")).json.map((s: { id: string }) => s.id)).toEqual(["stats"]);
    const egress = (await get("/api/egress")).json;
    expect(egress.map((e: { id: string }) => e.id)).toContain(w.ids.pending);
    const one = (await get(`/api/egress/${w.ids.pending}`)).json;
    expect(one.findings.length).toBeGreaterThan(0);
    expect(one.findings.every((f: object) => !("cells" in f))).toBe(true);
    expect((await get("/api/products")).json.map((p: { id: string }) => p.id)).toContain(w.ids.product);
    expect((await get("/api/incidents")).status).toBe(200);
    expect((await get("/api/operator/authorization")).json.state).toBe("not-recorded");
    expect((await get(`/api/agreements/agr1`)).json.state).toBe("active");
    expect((await get("/api/jobs")).json.length).toBeGreaterThan(0);
    // A data interface answers with data-derived results: not part of a read-only view.
    expect((await api(url, "POST", `/api/api-products/${w.ids.api}/call`, gov, { params: { gender: "F" } })).status).toBe(403);
  });

  it("R7 every state-changing route refuses the auditor, and each refusal is in the audit chain", async () => {
    // POSTs that only read (verify, export) are the auditor's; every other POST changes state.
    const readOnly = new Set(["/api/audit/verify", "/api/audit/export"]);
    const posts = API_ROUTES.filter((r) => r.method === "POST" && !readOnly.has(r.url));
    expect(posts.every((r) => !(ROLE_PERMISSIONS[r.permission] as readonly string[]).includes("auditor"))).toBe(true);
    const before = readEntries(w.domain.paths.audit).length;
    let denied = 0;
    for (const r of posts) {
      const path = r.url.replace(":id", { "/api/egress/:id/review": w.ids.pending }[r.url] ?? "stats");
      const res = await api(url, "POST", path, gov, {});
      expect(res.status, `${r.url} → ${res.status}`).toBeGreaterThanOrEqual(400);
      expect(res.status, r.url).toBeLessThan(500);
      if (res.status === 403) denied++;
    }
    expect(denied).toBe(posts.length);
    const refusals = readEntries(w.domain.paths.audit).slice(before).filter((e) => e.action === "access.denied" && e.actor === "gov");
    expect(refusals.length).toBe(denied);
    expect(refusals[0].details).toMatchObject({ code: "PERMISSION_DENIED" });
    // Reading still works and the chain still verifies.
    expect((await api(url, "POST", "/api/audit/verify", gov)).json.ok).toBe(true);
  });

  it("R7 a developer's refused attempt is audited too (over the API)", async () => {
    const res = await api(url, "POST", "/api/agreements", w.tokens.alice, { org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2026-12-31" });
    expect(res.status).toBe(403);
    const last = readEntries(w.domain.paths.audit).filter((e) => e.action === "access.denied").at(-1)!;
    expect(last).toMatchObject({ actor: "alice", object: "api:POST /api/agreements", details: { code: "PERMISSION_DENIED", permission: "agreement.add" } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEntries } from "../../runtime/audit/chain.js";
import { verifyApiResponse } from "../../runtime/server/api-products/verify-response.js";
import { buildServer } from "../../runtime/server/app.js";
import { api, recordConsents, serve, VERIFY_SQL, world } from "./world.js";

describe("shuyu serve: the API over the services", () => {
  let w: Awaited<ReturnType<typeof world>>;
  let srv: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    w = await world();
    srv = await serve(w.env.dir, { rate: { perSecond: 1000, burst: 1000 } });
  });
  afterAll(async () => {
    await srv?.close();
    w?.env.cleanup();
  });

  it("401 without or with a wrong token, 403 when the role lacks the permission, 200 otherwise", async () => {
    expect((await api(srv.url, "GET", "/api/catalog")).status).toBe(401);
    const bad = await api(srv.url, "GET", "/api/catalog", "alice.notthetoken");
    expect(bad.status).toBe(401);
    expect(bad.json.error.code).toBe("UNAUTHENTICATED");
    const denied = await api(srv.url, "GET", "/api/orgs", w.tokens.dev);
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: "PERMISSION_DENIED", kind: "denied", details: { permission: "org.list" } });
    const cat = await api(srv.url, "GET", "/api/catalog", w.tokens.dev);
    expect(cat.status).toBe(200);
    expect(cat.json.map((e: { id: string }) => e.id)).toEqual(["people"]);
    // the catalog route shows the subject key and the column roles
    expect(cat.json[0]).toMatchObject({ subject: { kind: "person", columns: ["id_number"], confirmed: true }, roles: { id_number: "identifier", name: "identifier" } });
    const one = await api(srv.url, "GET", "/api/catalog/people", w.tokens.dev);
    expect(one.json.subjectDetail).toMatchObject({ kind: "person", columns: ["id_number"], proposed: { kind: "person", columns: ["id_number"] } });
  });

  it("writes the same audit entries as the CLI path (actor and action of the service)", async () => {
    const r = await api(srv.url, "POST", "/api/orgs", w.tokens.admin, { id: "dev9", name: "开发九", kind: "developer" });
    expect(r.status).toBe(201);
    const last = readEntries(srv.domain.paths.audit).filter((e) => e.action === "org.add").pop()!;
    expect(last).toMatchObject({ actor: "admin", object: "org:dev9" });
    const dup = await api(srv.url, "POST", "/api/orgs", w.tokens.admin, { id: "dev9", name: "开发九", kind: "developer" });
    expect(dup.status).toBe(400);
    expect(dup.json.error.code).toBe("DUPLICATE_ID");
  });

  it("the OpenAPI document lists every registered route with the services' request schemas", async () => {
    const doc = (await api(srv.url, "GET", "/openapi.json")).json;
    for (const r of srv.routes) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url}`).toBeDefined();
    }
    expect(srv.routes.length).toBeGreaterThan(40);
    expect(doc.paths["/api/scenarios"].post.requestBody.content["application/json"].schema.required).toContain("purpose");
  });

  it("R6: a 核验 data interface answers match/no_match, signed, verifiable with only the seal certificate; never the stored value", async () => {
    const [name, idn] = w.rows[5];
    const job = await api(srv.url, "POST", "/api/jobs", w.tokens.dev, { scenario: "hy", sql: VERIFY_SQL, params: JSON.stringify([name, idn]) });
    expect(job.status, JSON.stringify(job.json)).toBe(201);
    expect(job.json.state).toBe("succeeded");
    const spec = { job: job.json.id, sql: VERIFY_SQL, name: "姓名身份证号核验", params: [{ name: "name", type: "string" }, { name: "id_number", type: "string" }], output: [{ name: "result", kind: "class", values: ["match", "no_match"] }] };
    const wrongSql = await api(srv.url, "POST", "/api/api-products", w.tokens.dev, { ...spec, sql: VERIFY_SQL + " " });
    expect(wrongSql.json.error.code).toBe("SQL_MISMATCH");
    const pub = await api(srv.url, "POST", "/api/api-products", w.tokens.dev, spec);
    expect(pub.status, JSON.stringify(pub.json)).toBe(201);
    const id = pub.json.id;
    const early = await api(srv.url, "POST", `/api/api-products/${id}/call`, w.tokens.dev, { params: { name, id_number: idn } });
    expect(early.json.error.code).toBe("PRODUCT_NOT_LISTED");
    expect((await api(srv.url, "POST", `/api/api-products/${id}/review`, w.tokens.dev, { decision: "approve", reason: "x" })).status).toBe(403);
    const rev = await api(srv.url, "POST", `/api/api-products/${id}/review`, w.tokens.reviewer, { decision: "approve", reason: "只返回是否一致" });
    expect(rev.json.state).toBe("listed");
    // GZ 23: a 核验 answers only about persons whose authorization is recorded, under a scenario whose basis is consent.
    await recordConsents(srv.url, w.tokens.admin, `product:${id}`, w.rows.slice(0, 45).map((r) => r[1]));

    const seal = (await api(srv.url, "GET", "/api/seal")).json;
    const yes = await api(srv.url, "POST", `/api/api-products/${id}/call`, w.tokens.dev, { params: { name, id_number: idn } });
    expect(yes.status).toBe(200);
    expect(yes.json.answer.result).toEqual({ result: "match" });
    const other = w.rows[6][1];
    const no = await api(srv.url, "POST", `/api/api-products/${id}/call`, w.tokens.dev, { params: { name, id_number: other } });
    expect(no.json.answer.result).toEqual({ result: "no_match" });
    expect(JSON.stringify(no.json)).not.toContain(idn);
    expect(verifyApiResponse(yes.json, seal.certificatePem)).toMatchObject({ valid: true, certSm3: seal.fingerprint });
    expect(verifyApiResponse(no.json, seal.certificatePem, { pinnedCertSm3: seal.fingerprint }).valid).toBe(true);
    // attacks: flip the answer, swap proofs, forge the batch
    const flipped = structuredClone(yes.json);
    flipped.answer.result.result = "no_match";
    expect(verifyApiResponse(flipped, seal.certificatePem)).toMatchObject({ valid: false });
    const forged = structuredClone(no.json);
    forged.batch.root = yes.json.batch.root;
    expect(verifyApiResponse(forged, seal.certificatePem).valid).toBe(false);
    const otherTime = structuredClone(yes.json);
    otherTime.batch.time = "2020-01-01T00:00:00.000Z";
    expect(verifyApiResponse(otherTime, seal.certificatePem).valid).toBe(false);

    // every call audited: caller, product, the parameters' SM3, result class — never the values
    const calls = readEntries(srv.domain.paths.audit).filter((e) => e.action === "product.calls").flatMap((e) => (e.details as { calls: { caller: string; product: string; paramsSm3: string; resultClass: string }[] }).calls);
    expect(calls.filter((c) => c.product === id).map((c) => c.resultClass)).toEqual(["refused", "answered", "answered"]);
    expect(calls.every((c) => /^[0-9a-f]{64}$/.test(c.paramsSm3))).toBe(true);
    expect(JSON.stringify(readEntries(srv.domain.paths.audit))).not.toContain(other);

    // concurrent calls share one batched query and one signature: each still gets its own right answer
    const pairs = Array.from({ length: 40 }, (_, i) => ({ name: w.rows[i][0], id_number: w.rows[i % 3 === 0 ? (i + 1) % w.rows.length : i][1], want: i % 3 === 0 ? "no_match" : "match" }));
    const answers = await Promise.all(pairs.map((p) => api(srv.url, "POST", `/api/api-products/${id}/call`, w.tokens.dev, { params: { name: p.name, id_number: p.id_number } })));
    expect(answers.map((a) => a.json.answer.result.result)).toEqual(pairs.map((p) => p.want));
    expect(new Set(answers.map((a) => a.json.batch.id)).size).toBeLessThan(40);
    expect(answers.every((a) => verifyApiResponse(a.json, seal.certificatePem).valid)).toBe(true);

    const extra = await api(srv.url, "POST", `/api/api-products/${id}/call`, w.tokens.dev, { params: { name, id_number: idn, gender: "F" } });
    expect(extra.status).toBe(400);
    expect(extra.json.error.code).toBe("INVALID_PARAMS");

    // a suspended scenario's product answers nothing
    expect((await api(srv.url, "POST", "/api/scenarios/hy/suspend", w.tokens.admin, { reason: "复查" })).status).toBe(200);
    const susp = await api(srv.url, "POST", `/api/api-products/${id}/call`, w.tokens.dev, { params: { name, id_number: idn } });
    expect(susp.status).toBe(403);
    expect(susp.json.error.code).toBe("PRODUCT_SUSPENDED");
    await api(srv.url, "POST", "/api/scenarios/hy/resume", w.tokens.admin, { reason: "复查完毕" });
  });

  it("R6: the per-call gate suppresses small counts and enforces the caller's quota", async () => {
    const sql = "SELECT count(*) AS n FROM people WHERE gender = $1 AND income < $2";
    const job = await api(srv.url, "POST", "/api/jobs", w.tokens.dev, { scenario: "hy", sql, params: JSON.stringify(["F", 5000]) });
    const pub = await api(srv.url, "POST", "/api/api-products", w.tokens.dev, {
      job: job.json.id, sql, name: "收入计数", params: [{ name: "gender", type: "string" }, { name: "below", type: "number" }], output: [{ name: "n", kind: "count" }],
      rules: { minCount: 10, quotaPerDay: 3 },
    });
    expect(pub.status, JSON.stringify(pub.json)).toBe(201);
    await api(srv.url, "POST", `/api/api-products/${pub.json.id}/review`, w.tokens.reviewer, { decision: "approve", reason: "计数，小于10抑制" });
    const call = (g: string, below: number) => api(srv.url, "POST", `/api/api-products/${pub.json.id}/call`, w.tokens.dev, { params: { gender: g, below } });
    const expected = w.rows.filter((r) => r[2] === "F" && r[3] < 9000).length;
    const big = await call("F", 9000);
    expect(big.json.answer).toMatchObject({ result: { n: expected }, resultClass: "answered" });
    const smallTrue = w.rows.filter((r) => r[2] === "F" && r[3] < 1200).length;
    expect(smallTrue).toBeGreaterThan(0);
    expect(smallTrue).toBeLessThan(10);
    const small = await call("F", 1200);
    expect(small.json.answer).toMatchObject({ result: { n: null }, resultClass: "suppressed" });
    await call("M", 9000);
    const over = await call("M", 9000);
    expect(over.status).toBe(429);
    expect(over.json.error.code).toBe("QUOTA_EXCEEDED");
  });

  it("per-account rate limit (429 RATE_LIMITED); an address sending bad tokens is limited without locking out the accounts behind it", async () => {
    const tight = await buildServer({ domain: srv.domain, seal: srv.seal, logLevel: false, rate: { perSecond: 0.01, burst: 3 }, authFailRate: { perSecond: 0.01, burst: 2 } });
    const url = await tight.app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await api(url, "GET", "/api/whoami", w.tokens.dev)).status);
      expect(codes).toEqual([200, 200, 200, 429]);
      expect((await api(url, "GET", "/api/whoami", w.tokens.auditor)).status).toBe(200); // buckets are per account
      const bad = [];
      for (let i = 0; i < 3; i++) bad.push((await api(url, "GET", "/api/whoami", "admin.wrong")).json.error.code);
      expect(bad).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]);
      // a valid account at the same address has its own bucket (@fastify/rate-limit keyed by account, else by address)
      expect((await api(url, "GET", "/api/whoami", w.tokens.admin)).status).toBe(200);
    } finally {
      await tight.app.close();
      await tight.products.close();
    }
  });

  it("the console escapes what users typed (an organisation named like a script tag) and needs a login", async () => {
    await api(srv.url, "POST", "/api/orgs", w.tokens.admin, { id: "xss", name: "<script>alert(1)</script>", kind: "developer" });
    expect((await fetch(srv.url + "/console/operator", { redirect: "manual" })).status).toBe(303);
    const login = await fetch(srv.url + "/login", { method: "POST", body: new URLSearchParams({ token: w.tokens.admin }), redirect: "manual" });
    const cookie = login.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await (await fetch(srv.url + "/console/operator", { headers: { cookie: cookie.split(";")[0] } })).text();
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).not.toContain("<script>");
    const wrong = await fetch(srv.url + "/login", { method: "POST", body: new URLSearchParams({ token: "admin.nope" }), redirect: "manual" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("structured logs carry method, path and status but no token, cookie, query value or body", async () => {
    const lines: string[] = [];
    const logged = await buildServer({ domain: srv.domain, seal: srv.seal, logLevel: "info", logStream: { write: (l) => void lines.push(l) } });
    const url = await logged.app.listen({ port: 0, host: "127.0.0.1" });
    try {
      await api(url, "GET", "/api/audit?actor=SECRET_ACTOR_VALUE", w.tokens.auditor);
      await api(url, "POST", "/api/orgs", w.tokens.admin, { id: "logorg", name: "BODY_VALUE_名称", kind: "developer" });
      await fetch(url + "/console/catalog", { headers: { cookie: `shuyu_session=${w.tokens.dev}` } });
    } finally {
      await logged.app.close();
      await logged.products.close();
    }
    const text = lines.join("");
    expect(text).toContain('"path":"/api/audit"');
    expect(text).toContain('"status":201');
    for (const secret of [w.tokens.auditor, w.tokens.admin, w.tokens.dev, "SECRET_ACTOR_VALUE", "BODY_VALUE"]) expect(text).not.toContain(secret);
  });
});

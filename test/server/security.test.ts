/**
 * The console's and the API's security plugins, attacked over real HTTP: CSRF (@fastify/csrf-protection),
 * the session cookie (@fastify/cookie: a random id, HttpOnly, SameSite=Strict, expiring),
 * rate limits (@fastify/rate-limit) and security headers (@fastify/helmet).
 */
import { describe, expect, it } from "vitest";
import { buildServer } from "../../runtime/server/app.js";
import { api, consoleLogin, servedWorld } from "./world.js";

describe("console and API security", () => {
  const h = servedWorld();
  const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1];
  const page = async (path: string, cookie: string) => (await fetch(h.srv.url + path, { headers: { cookie, accept: "text/html" }, redirect: "manual" }));
  const post = (path: string, cookie: string, form: Record<string, string>, extra: Record<string, string> = {}) =>
    fetch(h.srv.url + path, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", cookie, ...extra }, body: new URLSearchParams(form).toString() });
  const verifications = async () => (await api(h.srv.url, "GET", "/api/audit?action=audit.verify", h.w.tokens.auditor)).json.length as number;


  it("the session cookie is a random id, not the token: HttpOnly, SameSite=Strict, 8 h; logout ends it server-side", async () => {
    const r = await fetch(h.srv.url + "/login", { method: "POST", body: new URLSearchParams({ token: h.w.tokens.auditor }), redirect: "manual" });
    const set = r.headers.getSetCookie();
    const session = set.find((c) => c.startsWith("shuyu_session="))!;
    expect(session).toMatch(/; Max-Age=28800/);
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).not.toContain(h.w.tokens.auditor);
    expect(session).not.toContain(encodeURIComponent(h.w.tokens.auditor));
    expect(set.find((c) => c.startsWith("shuyu_csrf="))).toMatch(/HttpOnly; SameSite=Strict/);
    const cookie = set.map((c) => c.split(";")[0]).join("; ");
    expect((await page("/console/audit", cookie)).status).toBe(200);
    // the raw token as a cookie value opens nothing any more
    expect((await page("/console/audit", `shuyu_session=${encodeURIComponent(h.w.tokens.auditor)}`)).status).toBe(303);
    const audit = await (await page("/console/audit", cookie)).text();
    expect((await post("/logout", cookie, { csrf: csrfOf(audit) })).status).toBe(303);
    // a copy of the cookie kept after logout is dead
    expect((await page("/console/audit", cookie)).status).toBe(303);
  });

  it("a form post without a CSRF token, with a forged one, or with another session's token changes nothing (403)", async () => {
    const mine = await consoleLogin(h.srv.url, h.w.tokens.auditor);
    const other = await consoleLogin(h.srv.url, h.w.tokens.auditor);
    const before = await verifications();
    const noToken = await post("/console/audit/verify", mine, {});
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain("CSRF");
    expect((await post("/console/audit/verify", mine, { csrf: "forged-token" })).status).toBe(403);
    const othersToken = csrfOf(await (await page("/console/audit", other)).text());
    expect((await post("/console/audit/verify", mine, { csrf: othersToken })).status).toBe(403);
    // without the CSRF secret cookie (a cross-site post that the browser sent only the session cookie with)
    const sessionOnly = mine.split("; ").filter((c) => c.startsWith("shuyu_session=")).join("; ");
    const ownToken = csrfOf(await (await page("/console/audit", mine)).text());
    expect((await post("/console/audit/verify", sessionOnly, { csrf: ownToken })).status).toBe(403);
    // a right token from another origin is refused too
    expect((await post("/console/audit/verify", mine, { csrf: ownToken }, { origin: "http://evil.example" })).status).toBe(403);
    expect(await verifications()).toBe(before);
    // the right token from the same session works: the attack tests above could have passed
    expect((await post("/console/audit/verify", mine, { csrf: ownToken })).status).toBe(200);
    expect(await verifications()).toBe(before + 1);
  });

  it("security headers on pages and API answers (helmet)", async () => {
    const p = await fetch(h.srv.url + "/", { headers: { accept: "text/html" } });
    expect(p.headers.get("content-security-policy")).toMatch(/default-src 'none'/);
    expect(p.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(p.headers.get("x-content-type-options")).toBe("nosniff");
    expect(p.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(p.headers.get("referrer-policy")).toBe("same-origin");
    const a = await fetch(h.srv.url + "/api/whoami", { headers: { authorization: `Bearer ${h.w.tokens.dev}` } });
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("rate limits: 429 per account, per address without a valid credential, and on console logins", async () => {
    const tight = await buildServer({ domain: h.srv.domain, seal: h.srv.seal, logLevel: false, rate: { perSecond: 0.01, burst: 3 }, authFailRate: { perSecond: 0.01, burst: 2 } });
    const url = await tight.app.listen({ port: 0, host: "127.0.0.1" });
    try {
      const dev = [];
      for (let i = 0; i < 4; i++) dev.push((await api(url, "GET", "/api/catalog", h.w.tokens.dev)).status);
      expect(dev).toEqual([200, 200, 200, 429]);
      const limited = await fetch(url + "/api/catalog", { headers: { authorization: `Bearer ${h.w.tokens.dev}` } });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
      const guesses = [];
      for (let i = 0; i < 3; i++) guesses.push((await api(url, "GET", "/api/whoami", `guess.${i}`)).status);
      expect(guesses).toEqual([401, 401, 429]);
      const logins = [];
      for (let i = 0; i < 3; i++) logins.push((await fetch(url + "/login", { method: "POST", body: new URLSearchParams({ token: `guess.${i}` }), redirect: "manual" })).status);
      expect(logins).toEqual([401, 401, 429]);
      expect((await api(url, "GET", "/api/whoami", h.w.tokens.reviewer)).status).toBe(200);
    } finally {
      await tight.app.close();
      await tight.products.close();
    }
  });
});

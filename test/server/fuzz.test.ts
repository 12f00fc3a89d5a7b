import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../policies/pii/fake/index.js";
import { API_ROUTES } from "../../runtime/server/api-routes.js";
import { serve, world, type Json } from "./world.js";

/** Sends raw bytes and returns the status line's code (for requests fetch refuses to build). */
function rawRequest(port: number, bytes: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1", () => sock.end(bytes));
    let got = "";
    sock.on("data", (d) => (got += d.toString("latin1")));
    sock.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    sock.on("error", reject);
  });
}

describe("bad input: every malformed request is a clear 4xx with a stable code, and the server stays up", () => {
  let w: Awaited<ReturnType<typeof world>>;
  let srv: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    w = await world();
    srv = await serve(w.env.dir, { bodyLimit: 16 * 1024, rate: { perSecond: 100_000, burst: 100_000 }, authFailRate: { perSecond: 100_000, burst: 100_000 } });
  });
  afterAll(async () => {
    await srv?.close();
    w?.env.cleanup();
  });

  it("named cases: malformed JSON, oversized body, wrong content type, unknown route, revoked token", async () => {
    const post = (path: string, body: string | Uint8Array, type: string, token = w.tokens.admin) =>
      fetch(srv.url + path, { method: "POST", headers: { "content-type": type, authorization: `Bearer ${token}` }, body }).then(async (r) => ({ status: r.status, json: (await r.json()) as Json }));
    expect(await post("/api/orgs", "{not json", "application/json")).toMatchObject({ status: 400, json: { error: { code: "MALFORMED_JSON" } } });
    expect(await post("/api/orgs", JSON.stringify({ name: "x".repeat(20_000) }), "application/json")).toMatchObject({ status: 413, json: { error: { code: "BODY_TOO_LARGE" } } });
    expect(await post("/api/orgs", "id=a", "text/plain")).toMatchObject({ status: 415, json: { error: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
    expect(await post("/api/orgs", "id=a", "application/x-www-form-urlencoded")).toMatchObject({ status: 415, json: { error: { code: "UNSUPPORTED_MEDIA_TYPE" } } });
    expect(await post("/api/orgs", JSON.stringify([1, 2]), "application/json")).toMatchObject({ status: 400, json: { error: { code: "INVALID_ORG" } } });
    const nf = await fetch(srv.url + "/api/nope");
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as Json).error.code).toBe("ROUTE_NOT_FOUND");
    const acc = await post("/api/accounts", JSON.stringify({ id: "gone", name: "离职员工", org: "dev1", roles: ["developer"] }), "application/json");
    await post("/api/accounts/gone/revoke", JSON.stringify({ reason: "离职" }), "application/json");
    const revoked = await fetch(srv.url + "/api/catalog", { headers: { authorization: `Bearer ${acc.json.token}` } });
    expect(revoked.status).toBe(403);
    expect(((await revoked.json()) as Json).error.code).toBe("ACCOUNT_REVOKED");
    expect(await rawRequest(Number(new URL(srv.url).port), "POST /api/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{}")).toBeGreaterThanOrEqual(400);
    expect(await rawRequest(Number(new URL(srv.url).port), "GARBAGE\r\n\r\n")).toBe(400);
  });

  it("3,000 generated bad requests: no 5xx, every error in the ShuyuError shape, nothing created", async () => {
    const r = createRng(42);
    const rng = () => r.next();
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
    const junk = (): unknown => pick([null, 0, -1, 1e308, "", "x".repeat(300), [], [null], { a: { b: [] } }, true, "'; DROP TABLE orgs; --", "\u0000", "../../etc/passwd", { id: "ok", name: 1, kind: "operator" }]);
    const tokens = [undefined, "garbage", "admin.AAAA", w.tokens.dev, w.tokens.auditor, w.tokens.admin, "Bearer", "x".repeat(600)];
    const before = (await fetch(srv.url + "/api/orgs", { headers: { authorization: `Bearer ${w.tokens.admin}` } }).then((r) => r.json() as Promise<Json>)).length;
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    const one = async () => {
      const route = rng() < 0.85 ? pick(API_ROUTES) : { method: pick(["GET", "POST", "PUT", "DELETE"]), url: pick(["/api/x", "/api", "/api/orgs/../../", "/%ff", "/api/catalog/%00"]) };
      const url = route.url.replace(/:id/g, pick(["nope", "%2e%2e", "a".repeat(200), "people", "hy"]));
      const token = pick(tokens);
      const kind = rng();
      const headers: Record<string, string> = {};
      if (token) headers.authorization = rng() < 0.9 ? `Bearer ${token}` : token;
      let body: string | undefined;
      if (route.method !== "GET") {
        if (kind < 0.5) {
          headers["content-type"] = "application/json";
          const b = rng() < 0.5 ? junk() : Object.fromEntries(Array.from({ length: 3 }, () => [pick(["id", "name", "kind", "reason", "decision", "scenario", "sql", "job", "form", "grants", "purpose"]), junk()]));
          body = JSON.stringify(b);
        } else if (kind < 0.7) {
          headers["content-type"] = "application/json";
          body = pick(["{", "[1,", "nul", "{\"a\":}", "\u00ff\u00fe"]);
        } else if (kind < 0.85) {
          headers["content-type"] = pick(["text/plain", "application/xml", "multipart/form-data; boundary=x"]);
          body = "a=b";
        }
      }
      // never let a generated request start real work: job and egress bodies are junk by construction
      const res = await fetch(srv.url + url, { method: route.method, headers, body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) bad.push(`${route.method} ${url} -> ${res.status} ${text.slice(0, 200)}`);
      if (res.status >= 400) {
        const j = JSON.parse(text) as { error?: { code?: string; kind?: string; message?: string } };
        if (!/^[A-Z][A-Z0-9_]+$/.test(j.error?.code ?? "") || !j.error?.message) bad.push(`${route.method} ${url} -> ${text.slice(0, 200)}`);
      }
    };
    for (let i = 0; i < 3000; i += 10) await Promise.all(Array.from({ length: 10 }, one));
    expect(bad).toEqual([]);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect((statuses.get(401) ?? 0) + (statuses.get(403) ?? 0) + (statuses.get(400) ?? 0)).toBeGreaterThan(1000);
    const after = (await fetch(srv.url + "/api/orgs", { headers: { authorization: `Bearer ${w.tokens.admin}` } }).then((r) => r.json() as Promise<Json>)).length;
    expect(after).toBe(before);
  });
});

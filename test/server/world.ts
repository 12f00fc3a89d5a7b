import { afterAll, beforeAll } from "vitest";
import { join } from "node:path";
import { Domain } from "../../runtime/domain/domain.js";
import { loadSeal } from "../../runtime/domain/seal.js";
import { buildServer, type ServerOptions } from "../../runtime/server/app.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { as, newDomain, writeCsv } from "../helpers/fixture.js";

export const VERIFY_SQL = "SELECT CASE WHEN count(*) > 0 THEN 'match' ELSE 'no_match' END AS result FROM people WHERE name = $1 AND id_number = $2";

/** A domain with a provider, a developer org, operator reviewer and auditor, a 400-row people dataset and an approved scenario. */
export async function world() {
  const env = await newDomain();
  const admin = env.adminToken;
  await as(env.dir, admin, (s) => addOrg(s, { id: "gaj", name: "公安局", kind: "provider" }));
  await as(env.dir, admin, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
  const tok = async (id: string, name: string, org: string, roles: string[]) => (await as(env.dir, admin, (s) => addAccount(s, { id, name, org, roles }))).token;
  const prov = await tok("pw", "王提供", "gaj", ["provider"]);
  const dev = await tok("alice", "张三", "dev1", ["developer"]);
  const reviewer = await tok("rev", "李审查", "operator", ["reviewer"]);
  const auditor = await tok("aud", "赵审计", "operator", ["auditor"]);
  const rng = createRng(11);
  const rows = Array.from({ length: 400 }, (_, i) => [fakePersonName(rng), fakeResidentId(rng), i % 2 ? "F" : "M", 1000 + ((i * 37) % 9000)]);
  const file = writeCsv(join(env.dir, "..", "people.csv"), ["name", "id_number", "gender", "income"], rows);
  await as(env.dir, admin, (s) => ingestDataset(s, { id: "people", file, provider: "gaj", grade: 2, subject: ["id_number"] }));
  await as(env.dir, admin, (s) => addAgreement(s, { id: "agr1", org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-12-31" }));
  await as(env.dir, dev, (s) => submitScenario(s, { id: "hy", purpose: "身份核验：姓名与身份证号是否一致", grants: ["people:name,id_number,gender,income"] }));
  await as(env.dir, admin, (s) => approveScenario(s, "hy"));
  await as(env.dir, prov, (s) => approveScenario(s, "hy"));
  return { env, tokens: { admin, prov, dev, reviewer, auditor }, rows: rows as [string, string, string, number][] };
}

/** Opens the domain and serves it on a loopback port. */
export async function serve(dir: string, opts: Partial<ServerOptions> = {}) {
  const domain = await Domain.open(dir);
  const seal = loadSeal(domain.paths.keys);
  const built = await buildServer({ domain, seal, logLevel: false, ...opts });
  const url = await built.app.listen({ port: 0, host: "127.0.0.1" });
  return {
    ...built,
    url,
    domain,
    seal,
    close: async () => {
      await built.app.close();
      await built.products.close();
      domain.close();
    },
  };
}

/** The world and its server for one describe block: registers the block's beforeAll/afterAll; read `.w` and `.srv` inside tests. */
export function servedWorld(): { w: Awaited<ReturnType<typeof world>>; srv: Awaited<ReturnType<typeof serve>> } {
  const held = {} as ReturnType<typeof servedWorld>;
  beforeAll(async () => {
    held.w = await world();
    held.srv = await serve(held.w.env.dir);
  }, 180_000);
  afterAll(async () => {
    await held.srv?.close();
    held.w?.env.cleanup();
  });
  return held;
}

/** Parsed response bodies: tests index into them freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** fetch against the server with an optional bearer token and JSON body. */
export async function api(url: string, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** Logs in to the console as a browser would and returns the Cookie header it would send next (session id and CSRF secret). */
export async function consoleLogin(url: string, token: string): Promise<string> {
  const r = await fetch(url + "/login", { method: "POST", body: new URLSearchParams({ token }), redirect: "manual" });
  if (r.status !== 303) throw new Error(`console login failed: ${r.status}`);
  return r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

/** Records the consent-based legal basis of scenario `hy` and one data subject's authorization per id number (GZ 23). */
export async function recordConsents(url: string, adminToken: string, scope: string, idNumbers: string[]): Promise<string[]> {
  const basis = await api(url, "POST", "/api/scenarios/hy/basis", adminToken, { basis: "consent", note: "核验经本人授权" });
  if (basis.status !== 200) throw new Error(JSON.stringify(basis.json));
  const ids: string[] = [];
  for (const idn of idNumbers) {
    const r = await api(url, "POST", "/api/consents", adminToken, { dataset: "people", subject: [idn], scope, granted: "2026-01-01", expires: "2028-12-31", evidence: "授权书编号 SQ-001" });
    if (r.status !== 201) throw new Error(JSON.stringify(r.json));
    ids.push(r.json.id);
  }
  return ids;
}

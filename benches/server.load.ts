/**
 * Load test of `shuyu serve` (127.0.0.1 only, bounded in time): throughput and p50/p99
 * latency of the signed 核验 call end to end and of GET /api/catalog, next to a bare
 * Fastify hello route measured in the same run. Server and yardstick each run in a
 * child process so the load generator does not share their event loop.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createRng, fakePersonName, fakeResidentId } from "../policies/pii/fake/index.js";
import { authenticate } from "../runtime/auth/authenticate.js";
import { Domain } from "../runtime/domain/domain.js";
import { initDomain } from "../runtime/domain/init.js";
import { recordConsent, recordLegalBasis } from "../runtime/obligations/index.js";
import { publishApiProduct, reviewApiProduct } from "../runtime/server/api-products/service.js";
import { verifyApiResponse } from "../runtime/server/api-products/verify-response.js";
import { answerBytes, type SignedResponse } from "../runtime/server/api-products/signed-response.js";
import { leafHash, rootFromProof } from "../runtime/server/api-products/merkle.js";
import { startServer } from "../runtime/server/serve.js";
import { addAccount } from "../runtime/services/accounts.js";
import { addAgreement } from "../runtime/services/agreements.js";
import { ingestDataset } from "../runtime/services/datasets.js";
import { submitJob } from "../runtime/services/jobs.js";
import { closeSharedPool } from "../runtime/jobs/shared-pool.js";
import { addOrg } from "../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../runtime/services/scenarios.js";
import type { Session } from "../runtime/services/session.js";
import type { BenchRow } from "./types.js";

const SQL = "SELECT CASE WHEN count(*) > 0 THEN 'match' ELSE 'no_match' END AS result FROM people WHERE name = $1 AND id_number = $2";
const HOST = "127.0.0.1";

/** Builds a domain with a listed 核验 product over `rows` people; returns tokens and sample pairs. */
async function setup(dir: string, rows: number) {
  const init = await initDomain({ dir, operator: "压测运营公司" });
  const domain = await Domain.open(dir);
  try {
    const as = async (token: string): Promise<Session> => ({ domain, principal: await authenticate(domain, token) });
    const admin = await as(init.token);
    await addOrg(admin, { id: "gaj", name: "公安局", kind: "provider" });
    await addOrg(admin, { id: "dev1", name: "开发一", kind: "developer" });
    const prov = (await addAccount(admin, { id: "pw", name: "王提供", org: "gaj", roles: ["provider"] })).token;
    const dev = (await addAccount(admin, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] })).token;
    const rev = (await addAccount(admin, { id: "rev", name: "李审查", org: "operator", roles: ["reviewer"] })).token;
    const rng = createRng(3);
    const people = Array.from({ length: rows }, () => [fakePersonName(rng), fakeResidentId(rng)]);
    const csv = join(dir, "..", "people.csv");
    writeFileSync(csv, "name,id_number\n" + people.map((p) => p.join(",")).join("\n") + "\n");
    await ingestDataset(admin, { id: "people", file: csv, provider: "gaj", grade: 2, subject: ["id_number"] });
    await addAgreement(admin, { id: "agr1", org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-12-31" });
    await submitScenario(await as(dev), { id: "hy", purpose: "身份核验：姓名与身份证号是否一致", grants: ["people:name,id_number"] });
    await approveScenario(admin, "hy");
    await approveScenario(await as(prov), "hy");
    const job = await submitJob(await as(dev), { scenario: "hy", sql: SQL, params: JSON.stringify(people[0]) });
    const p = await publishApiProduct(await as(dev), {
      job: job.id, sql: SQL, name: "姓名身份证号核验", params: [{ name: "name", type: "string" }, { name: "id_number", type: "string" }],
      output: [{ name: "result", kind: "class", values: ["match", "no_match"] }], rules: { perSecond: 100_000, burst: 100_000, quotaPerDay: 100_000_000 },
    });
    await reviewApiProduct(await as(rev), p.id, { decision: "approve", reason: "只返回是否一致" });
    // GZ 23: a 核验 about a person is answered only under a consent basis and that person's
    // recorded authorization; the load's calls ask about the first 65 people.
    await recordLegalBasis(admin, { scenario: "hy", basis: "consent", note: "核验经本人授权" });
    for (const person of people.slice(0, 65)) {
      await recordConsent(admin, { dataset: "people", subject: [person[1]], scope: `product:${p.id}`, granted: "2026-01-01", expires: "2028-12-31", evidence: "授权书 SQ-BENCH" });
    }
    return { admin: init.token, dev, product: p.id, people };
  } finally {
    domain.close();
    await closeSharedPool();
  }
}

/** Child process: serve the domain, or a bare hello route, and report the URL. */
async function child(mode: string, dir: string): Promise<void> {
  if (mode === "hello") {
    const { default: Fastify } = await import("fastify");
    const app = Fastify();
    app.get("/hello", async () => ({ hello: "world" }));
    process.send!({ url: await app.listen({ port: 0, host: HOST }) });
  } else {
    const s = await startServer({ dir, port: 0, host: HOST, logLevel: "warn", rate: { perSecond: 1e6, burst: 1e6 } });
    process.send!({ url: s.url });
    process.on("disconnect", () => void s.close().then(() => process.exit(0)));
  }
}

async function spawn(mode: string, dir: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = fork(import.meta.filename, ["--child", mode, dir], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    proc.once("message", (m) => resolve((m as { url: string }).url));
    proc.once("exit", (code) => reject(new Error(`${mode} server exited (${code})`)));
  });
  if (!url.startsWith(`http://${HOST}:`)) throw new Error(`refusing to load anything but ${HOST}: ${url}`);
  return { url, proc };
}

type Load = { rps: number; p50: number; p99: number; non2xx: number; bodies: Buffer[] };

async function load(o: { url: string; seconds: number; connections: number; method?: "GET" | "POST"; headers?: Record<string, string>; bodies?: string[]; keep?: boolean }): Promise<Load> {
  const bodies: Buffer[] = [];
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    duration: o.seconds,
    method: o.method ?? "GET",
    headers: o.headers,
    requests: o.bodies?.map((body) => ({ method: "POST" as const, body, headers: { ...o.headers, "content-type": "application/json" } })),
    setupClient: o.keep ? (client) => client.on("body", (b: Buffer) => bodies.push(b)) : undefined,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx + r.errors + r.timeouts, bodies };
}

/** Benchmarks the server; see the file comment. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const tmp = mkdtempSync(join(tmpdir(), "shuyu-load-"));
  const dir = join(tmp, "domain");
  const procs: ChildProcess[] = [];
  try {
    const w = await setup(dir, opts.quick ? 2_000 : 20_000);
    const seconds = opts.quick ? 3 : 10;
    const hello = await spawn("hello", dir);
    procs.push(hello.proc);
    const srv = await spawn("serve", dir);
    procs.push(srv.proc);
    const seal = (await (await fetch(`${srv.url}/api/seal`)).json()) as { certificatePem: string; fingerprint: string };
    // Warm-up: the first call loads the library into the product's engine.
    await fetch(`${srv.url}/api/api-products/${w.product}/call`, { method: "POST", headers: { authorization: `Bearer ${w.dev}`, "content-type": "application/json" }, body: JSON.stringify({ params: { name: "x", id_number: "y" } }) });
    const yard = await load({ url: `${hello.url}/hello`, seconds, connections: 32 });
    const bodies = w.people.slice(0, 64).flatMap((p, i) => [JSON.stringify({ params: { name: p[0], id_number: p[1] } }), JSON.stringify({ params: { name: p[0], id_number: w.people[(i + 1) % w.people.length][1] } })]);
    const callUrl = `${srv.url}/api/api-products/${w.product}/call`;
    const headers = { authorization: `Bearer ${w.dev}` };
    // Two client populations: 24 callers in flight (latency) and 96 (throughput: bigger shared batches).
    const light = await load({ url: callUrl, seconds, connections: 24, method: "POST", headers, bodies, keep: true });
    const hy = await load({ url: callUrl, seconds, connections: 96, method: "POST", headers, bodies, keep: true });
    // Verify every answer as an outsider would: each inclusion proof, and each batch signature once.
    const verifiedBatches = new Map<string, boolean>();
    const verify = (l: Load) => {
      let ok = 0;
      for (const b of l.bodies) {
        const resp = JSON.parse(b.toString("utf8")) as SignedResponse;
        if (!resp.batch) continue;
        const key = resp.batch.id;
        if (!verifiedBatches.has(key)) verifiedBatches.set(key, verifyApiResponse(resp, seal.certificatePem, { pinnedCertSm3: seal.fingerprint }).valid);
        if (verifiedBatches.get(key) && rootFromProof(leafHash(answerBytes(resp.answer)), resp.proof).toString("hex") === resp.batch.root) ok++;
      }
      return ok;
    };
    const lightVerified = verify(light);
    const verified = verify(hy);
    const verifiedRps = (verified / Math.max(1, hy.bodies.length)) * hy.rps;
    const lightRps = (lightVerified / Math.max(1, light.bodies.length)) * light.rps;
    const cat = await load({ url: `${srv.url}/api/catalog`, seconds, connections: 8, headers: { authorization: `Bearer ${w.admin}` } });
    process.stderr.write(
      `server.load: 核验@24 ${light.rps.toFixed(0)} req/s (p50 ${light.p50} ms, p99 ${light.p99} ms, ${lightVerified}/${light.bodies.length} verified); ` +
        `核验@96 ${hy.rps.toFixed(0)} req/s (p50 ${hy.p50} ms, p99 ${hy.p99} ms, ${hy.non2xx} non-2xx), ${verified}/${hy.bodies.length} responses verified; ${verifiedBatches.size} batches in all ` +
        `(${((hy.bodies.length + light.bodies.length) / Math.max(1, verifiedBatches.size)).toFixed(1)} calls/batch); catalog ${cat.rps.toFixed(0)} req/s (p50 ${cat.p50} ms, p99 ${cat.p99} ms, ${cat.non2xx} non-2xx); hello ${yard.rps.toFixed(0)} req/s\n`,
    );
    const row = (name: string, value: number, unit: string, yardValue: number, higherBetter: boolean, yardName = "bare Fastify hello route"): BenchRow => ({
      name, value, unit, yardstick: yardName, yardstickValue: yardValue, ratio: higherBetter ? value / yardValue : yardValue / value,
    });
    return [
      row("核验 verified signed responses/s (96 callers)", verifiedRps, "req/s", yard.rps, true, "hello req/s"),
      row("核验 p50 latency (96 callers)", hy.p50, "ms", yard.p50, false, "hello p50 ms"),
      row("核验 p99 latency (96 callers)", hy.p99, "ms", yard.p99, false, "hello p99 ms"),
      row("核验 verified signed responses/s (24 callers)", lightRps, "req/s", yard.rps, true, "hello req/s"),
      row("核验 p99 latency (24 callers)", light.p99, "ms", yard.p99, false, "hello p99 ms"),
      row("GET /api/catalog", cat.rps, "req/s", yard.rps, true, "hello req/s"),
      row("GET /api/catalog p99 latency", cat.p99, "ms", yard.p99, false, "hello p99 ms"),
    ];
  } finally {
    for (const p of procs) p.disconnect();
    await new Promise((r) => setTimeout(r, 500));
    for (const p of procs) if (p.exitCode === null) p.kill("SIGTERM");
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") {
  void child(process.argv[3], process.argv[4]);
} else if (process.argv[1] === import.meta.filename) {
  void run({ quick: process.argv.includes("--quick") }).then((rows) => console.table(rows));
}

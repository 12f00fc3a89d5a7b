import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize } from "node:v8";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobOutcome } from "../../sandbox/index.js";
import { BlobStore, type S3Settings } from "../../runtime/scale/blob-store.js";
import { awaitResult, createWorkerRole, enqueueRun, installQueue, type RunPayload } from "../../runtime/scale/job-queue.js";
import { createDatabase, startLocalPostgres, type LocalPostgres } from "../../runtime/scale/local-postgres.js";
import { PgConnection } from "../../runtime/scale/pg-connection.js";
import { spawnWorkerHost, type SpawnedHost } from "../../runtime/scale/spawn-host.js";
import { TEST_CONTROL } from "../helpers/fixture.js";
import { connectFrom, createNetLab, netnsUnavailable, sweepStaleLabs, type NetLab } from "../helpers/netns.js";
import { publishLibrary } from "../helpers/publish-library.js";
import { ensureWorkerBuilt, makeLibrary, modelJob, sqlJob, type Library } from "../sandbox/fixtures.js";

// Namespaces need root and iproute2. Locally a machine without them skips (saying why);
// CI (CI=true) runs as root with iproute2 installed by .ci/run, so there a missing piece fails.
const unavailable = TEST_CONTROL === "postgresql" ? netnsUnavailable() : undefined;
const inCi = process.env.CI === "true";
if (unavailable && !inCi) process.stderr.write(`netns-hosts.test.ts skipped: ${unavailable}\n`);

describe.runIf(TEST_CONTROL === "postgresql" && (!unavailable || inCi))("worker hosts in network namespaces of their own, joined to the test's servers by veth", () => {
  let lab: NetLab;
  let server: LocalPostgres;
  let ownerUrl: string;
  let workerUrl: string;
  let s3srv: S3rver;
  let s3: S3Settings;
  let lib: Library;
  let files: RunPayload["files"];
  let owner: PgConnection;
  let loopbackOnly: Server;
  const root = mkdtempSync(join(tmpdir(), "shuyu-netns-"));
  const hosts: SpawnedHost[] = [];

  /** `shuyu worker` inside namespace `i`, given the service address only. */
  const startHost = (i: number) => spawnWorkerHost({ controlUrl: workerUrl, cacheDir: join(root, `cache-${i}-${hosts.length}`), s3, wrap: lab.exec(i), echo: !!process.env.SHUYU_DEBUG_HOSTS });
  const enqueue = async (id: string, spec: unknown) => {
    await owner.run("BEGIN");
    await enqueueRun(owner, { job: id, spec, files });
    await owner.run("COMMIT");
  };
  const result = async (id: string) => {
    const r = await awaitResult(ownerUrl, id, 90_000);
    return { worker: r.worker, outcome: deserialize(r.outcome) as JobOutcome };
  };
  /** The namespace's only neighbours: the pid's network namespace differs from this process's. */
  const netnsOf = (pid: number) => execFileSync("readlink", [`/proc/${pid}/ns/net`]).toString().trim();

  beforeAll(async () => {
    if (unavailable) throw new Error(`CI runs worker hosts in network namespaces and cannot here: ${unavailable}`);
    ensureWorkerBuilt();
    lab = createNetLab(2);
    // The test's own PostgreSQL: it must listen on the service address, which the shared server does not.
    server = await startLocalPostgres({ listen: [lab.serviceAddr], allow: [lab.subnet] });
    ownerUrl = await createDatabase(server.url, `n_${randomBytes(5).toString("hex")}`);
    await installQueue(ownerUrl);
    const w = new URL(await createWorkerRole(ownerUrl, randomBytes(12).toString("hex")));
    w.hostname = lab.serviceAddr;
    workerUrl = w.toString();
    owner = await PgConnection.connect(ownerUrl);
    s3srv = new S3rver({ address: lab.serviceAddr, port: 0, directory: join(root, "s3"), silent: true });
    const { port } = await s3srv.run();
    s3 = { endpoint: `http://${lab.serviceAddr}:${port}`, bucket: "libraries", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    const store = new BlobStore(s3);
    await store.ensureBucket();
    lib = await makeLibrary(root, "lib", { people: "SELECT i AS id, i % 7 AS g FROM range(1000) t(i)" });
    files = await publishLibrary(store, lib);
    store.close();
    loopbackOnly = createServer((c) => c.end("secret\n"));
    await new Promise<void>((r) => loopbackOnly.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await owner?.end();
    await s3srv?.close();
    await server?.stop();
    loopbackOnly?.close();
    // Always: a failed test leaves no namespace, veth or address behind.
    lab?.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it("a job completes on a host in its own namespace, reaching PostgreSQL and S3 through its veth", async () => {
    const a = await startHost(0);
    hosts.push(a);
    expect(netnsOf(a.proc.pid!)).not.toBe(netnsOf(process.pid));
    await enqueue("n-sql", sqlJob(lib, "SELECT g, count(*) AS n FROM people GROUP BY g ORDER BY g"));
    const r = await result("n-sql");
    expect(r.worker).toBe(a.id);
    expect(r.outcome.state).toBe("succeeded");
    expect(Object.values(r.outcome.outputs.tables)[0].rowCount).toBe(7);
  });

  it("a namespaced host reaches the test's service address and nothing else", () => {
    const ns = lab.namespaces[0].name;
    const pgPort = server.port;
    const loopPort = (loopbackOnly.address() as { port: number }).port;
    expect(connectFrom(ns, lab.serviceAddr, pgPort)).toBe("CONNECTED");
    // The root namespace's loopback-only services: 127.0.0.1 inside is the namespace's own loopback.
    expect(connectFrom(ns, "127.0.0.1", loopPort)).toBe("ECONNREFUSED");
    expect(connectFrom(ns, "127.0.0.1", pgPort)).toBe("ECONNREFUSED");
    // The root side of its own veth answers only where a test server listens (none does there).
    expect(connectFrom(ns, lab.namespaces[0].rootAddr, pgPort)).toBe("ECONNREFUSED");
    // No route anywhere else: the other host's namespace, its veth, the machine's own network.
    expect(connectFrom(ns, lab.namespaces[1].addr, 9)).toBe("ENETUNREACH");
    expect(connectFrom(ns, lab.namespaces[1].rootAddr, pgPort)).toBe("ENETUNREACH");
    const global = execFileSync("ip", ["-4", "-o", "addr", "show", "scope", "global"]).toString().match(/inet (\d+\.\d+\.\d+\.\d+)/g) ?? [];
    for (const a of global.map((g) => g.slice(5)).filter((a) => !a.startsWith(lab.subnet.split(".").slice(0, 2).join(".") + "."))) {
      expect(connectFrom(ns, a, loopPort), a).toBe("ENETUNREACH");
    }
    expect(connectFrom(ns, "1.1.1.1", 443)).toBe("ENETUNREACH");
  });

  it("killing a namespaced host mid-job requeues the job once; a host in another namespace completes it", async () => {
    const a = hosts[0];
    const spin = modelJob(lib, `export default async (ctx) => { const t = Date.now(); while (Date.now() - t < 8000) {} const r = await ctx.query("SELECT count(*) AS n FROM people"); return { model: { n: r.rowCount } }; };`, { limits: { wallMs: 60_000, cpuMs: 30_000 } });
    await enqueue("n-killed", spin);
    let claimed: { locked_by: string; attempts: number } | undefined;
    for (let i = 0; i < 300 && !claimed; i++) {
      claimed = (await owner.native("SELECT locked_by, attempts FROM graphile_worker.jobs WHERE key = 'n-killed' AND locked_at < now() - interval '2 seconds'")).rows[0] as typeof claimed;
      if (!claimed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(claimed?.attempts).toBe(1);
    a.proc.kill("SIGKILL");
    await new Promise((r) => a.proc.once("exit", r));
    const b = await startHost(1);
    hosts.push(b);
    const r = await result("n-killed");
    expect(r.worker).toBe(b.id);
    expect(r.outcome).toMatchObject({ state: "succeeded", outputs: { model: { n: 1 } } });
    expect((await owner.native("SELECT count(*) AS n FROM job_results WHERE job = 'n-killed'")).rows[0].n).toBe(1n);
  }, 150_000);

  it("what a SIGKILLed test run left (namespaces, veth, the service address) is swept by the next one; live runs' labs are not", () => {
    const helper = join(import.meta.dirname, "../helpers/netns.ts");
    const script = `const m = await import(${JSON.stringify(helper)}); const lab = m.createNetLab(1); process.stdout.write(JSON.stringify({ ns: lab.namespaces[0].name, dev: lab.namespaces[0].rootDev, addr: lab.serviceAddr }), () => process.kill(process.pid, "SIGKILL"));`;
    let out = "";
    try {
      execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      out = String((err as { stdout?: Buffer }).stdout ?? "");
    }
    const left = JSON.parse(out) as { ns: string; dev: string; addr: string };
    expect(execFileSync("ip", ["-o", "link"]).toString()).toContain(`: ${left.dev}@`);
    expect(execFileSync("ip", ["netns", "list"]).toString()).toContain(left.ns);
    const removed = sweepStaleLabs();
    expect(removed).toContain(left.ns);
    expect(execFileSync("ip", ["netns", "list"]).toString()).not.toContain(left.ns);
    expect(execFileSync("ip", ["-4", "addr", "show", "dev", "lo"]).toString()).not.toContain(left.addr);
    // Its veth pair went with the namespace (the root end of a pair dies with its peer).
    expect(execFileSync("ip", ["-o", "link"]).toString()).not.toContain(`: ${left.dev}@`);
    // This run's own lab is alive: untouched.
    for (const n of lab.namespaces) expect(removed).not.toContain(n.name);
    expect(execFileSync("ip", ["-4", "addr", "show", "dev", "lo"]).toString()).toContain(lab.serviceAddr);
  });

  it("tearing the lab down leaves no namespace behind", () => {
    const names = lab.namespaces.map((n) => n.name);
    for (const h of hosts) h.proc.kill("SIGKILL");
    lab.remove();
    const left = execFileSync("ip", ["netns", "list"]).toString();
    for (const n of names) expect(left).not.toContain(n);
    expect(execFileSync("ip", ["-4", "addr", "show", "dev", "lo"]).toString()).not.toContain(lab.serviceAddr);
  });
});

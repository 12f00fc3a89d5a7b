import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize } from "node:v8";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startLocalCluster, type LocalCluster } from "../../runtime/scale/local-cluster.js";
import { BlobStore } from "../../runtime/scale/blob-store.js";
import { openHandedOutcome } from "../../runtime/scale/remote-run.js";
import { spawnWorkerHost, type SpawnedHost } from "../../runtime/scale/spawn-host.js";
import { BIN, TEST_CONTROL } from "../helpers/fixture.js";
import { alive, childrenOf } from "../helpers/processes.js";
import { approvedScenario, flowDomain, type FlowDomain } from "../integrity/fixture.js";
import { ensureWorkerBuilt } from "../sandbox/fixtures.js";

const until = async <T>(what: string, f: () => Promise<T | undefined | false>, tries = 600): Promise<T> => {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never happened: ${what}`);
};

describe.runIf(TEST_CONTROL === "postgresql")("scale-out jobs: cancel reaches the queue and the host; an owner's death loses no late result", () => {
  const root = mkdtempSync(join(tmpdir(), "shuyu-remote-jobs-"));
  let cluster: LocalCluster;
  let d: FlowDomain;
  let db: pg.Client;
  const extra: SpawnedHost[] = [];

  /** `job submit` as its own process (the owner), the model given as source. */
  const submit = (name: string, source: string): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } => {
    const file = join(root, name);
    writeFileSync(file, source);
    const child = spawn(process.execPath, [BIN, "--domain", d.dir, "--token", d.tok.dev, "--json", "job", "submit", "--scenario", "inc", "--model", file, "--wall-ms", "120000", "--cpu-ms", "120000"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    return { child, done: new Promise((r) => child.on("exit", (code) => r({ code, out }))) };
  };
  /** The job row the submitting owner committed (its state is `running` from the start). */
  const newJob = (known: Set<string>) =>
    until("the job row", async () => {
      const r = await d.run("admin", "job", "list");
      const j = r.code === 0 ? (JSON.parse(r.stdout) as { id: string }[]).find((x) => !known.has(x.id)) : undefined;
      return j?.id;
    });
  const queueRow = async (id: string) => (await db.query<{ locked_at: Date | null }>("SELECT locked_at FROM graphile_worker.jobs WHERE key = $1", [id])).rows[0];
  const hostResult = async (id: string) => {
    const r = (await db.query<{ worker: string; outcome: Buffer }>("SELECT worker, outcome FROM job_results WHERE job = $1", [id])).rows[0];
    // Hosts hand back a reference to the outcome in the bucket: read it there, leaving it for the owner.
    return r ? { worker: r.worker, outcome: await openHandedOutcome({ s3: cluster.s3 }, id, r.outcome, { keep: true }) } : undefined;
  };
  const ends = async (id: string) => ((await d.ok("admin", "audit", "log", "--object", `job:${id}`)) as { action: string }[]).map((e) => e.action).filter((a) => /^job\.(succeeded|failed|killed)$/.test(a));
  const seen = new Set<string>();
  /** The host the tests after the first share (started there, once no host may claim its job). */
  const aHost = async () => {
    if (!extra.length) extra.push(await spawnWorkerHost({ controlUrl: cluster.workerUrl, cacheDir: join(root, "host-late"), s3: cluster.s3 }));
    return extra[0];
  };

  beforeAll(async () => {
    ensureWorkerBuilt();
    cluster = await startLocalCluster({ root: join(root, "cluster"), hosts: 1, adminUrl: inject("pgAdminUrl"), echo: !!process.env.SHUYU_DEBUG_HOSTS });
    d = await flowDomain(root, { control: cluster.controlUrl });
    await approvedScenario(d);
    db = new pg.Client({ connectionString: cluster.controlUrl });
    await db.connect();
  }, 300_000);
  afterAll(async () => {
    await db?.end();
    await Promise.all(extra.map((h) => h.stop()));
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("cancelling a queued remote job removes its queue row with the state change: no host ever claims it; the owner's wait ends", async () => {
    // No host is up: the run waits in the queue.
    await Promise.all(cluster.hosts.splice(0).map((h) => h.stop()));
    const { done } = submit("forever.js", `export default async (ctx) => { await ctx.query("SELECT count(*) AS n FROM people"); for (;;) {} };`);
    const id = await newJob(seen);
    seen.add(id);
    await until("the queue row", async () => (await queueRow(id)) !== undefined);
    const c = await d.ok("admin", "job", "cancel", id, "--reason", "不再需要");
    expect(c.state).toBe("cancelled");
    // Committed with the cancel: the row is gone the moment the command returns.
    expect(await queueRow(id)).toBeUndefined();
    const end = await done;
    expect(end.code, end.out).toBe(3);
    expect(JSON.parse(end.out)).toMatchObject({ id, state: "cancelled" });
    // A host started now runs the next job and never the cancelled one (it serves the queue in order).
    await aHost();
    const next = submit("quick.js", `export default async (ctx) => { const r = await ctx.query("SELECT count(*)::INTEGER AS n FROM people"); return { tables: { t: { n: [r.columns.n[0]] } } }; };`);
    const nextId = await newJob(seen);
    seen.add(nextId);
    const nextEnd = await next.done;
    expect(JSON.parse(nextEnd.out), nextEnd.out).toMatchObject({ id: nextId, state: "succeeded" });
    expect(await hostResult(id)).toBeUndefined();
    expect(await ends(id)).toEqual([]);
    expect((await d.ok("admin", "job", "status", id)) as { state: string; reason: string }).toMatchObject({ state: "cancelled", reason: "CANCELLED" });
  }, 180_000);

  it("cancelling a running remote job makes its host kill the sandbox worker; the owner's wait ends; nothing is staged", async () => {
    const host = await aHost();
    const { done } = submit("forever2.js", `export default async (ctx) => { await ctx.query("SELECT count(*) AS n FROM people"); for (;;) {} };`);
    const id = await newJob(seen);
    seen.add(id);
    await until("a host's claim", async () => (await queueRow(id))?.locked_at);
    const workers = childrenOf(host.proc.pid!);
    expect(workers.length, "the host runs its jobs in sandbox worker processes").toBeGreaterThan(0);
    // Any session may NOTIFY — a worker host too: a cancel nobody recorded stops neither the host nor the owner.
    let exited = false;
    void done.then(() => (exited = true));
    const rogue = new pg.Client({ connectionString: cluster.workerUrl });
    await rogue.connect();
    await rogue.query("SELECT pg_notify('shuyu_job_cancel', $1)", [id]);
    await rogue.end();
    await new Promise((r) => setTimeout(r, 1500));
    expect(workers.every(alive), "a forged cancel killed the sandbox").toBe(true);
    expect(exited, "a forged cancel ended the owner's wait").toBe(false);
    expect(await hostResult(id)).toBeUndefined();
    const c = await d.ok("admin", "job", "cancel", id);
    expect(c.state).toBe("cancelled");
    const end = await done;
    expect(end.code, end.out).toBe(3);
    expect(JSON.parse(end.out)).toMatchObject({ id, state: "cancelled" });
    // The host killed the job's worker (not left to spin to its 120 s wall limit; the pool's warm spare lives on) and said so.
    await until("the sandbox worker's death", async () => workers.some((w) => !alive(w)));
    const r = await until("the host's word", () => hostResult(id));
    expect(r.worker).toBe(host.id);
    expect(r.outcome).toMatchObject({ state: "killed", reason: "CANCELLED" });
    await until("the queue row retired", async () => (await queueRow(id)) === undefined);
    expect(await ends(id)).toEqual([]);
    const op = (await d.ok("admin", "job", "status", id)) as { state: string; outputs: unknown[] };
    expect(op).toMatchObject({ state: "cancelled", outputs: [] });
    // The host still serves: the cancel killed a job, not the host.
    expect(host.proc.exitCode).toBeNull();
  }, 180_000);

  it("an owner killed while its host runs the job loses nothing: the next writer open stages the host's late result through the finish path, once", async () => {
    await aHost();
    const { child, done } = submit(
      "late.js",
      `export default async (ctx) => { const t = Date.now(); while (Date.now() - t < 16000) {} const r = await ctx.query("SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender ORDER BY gender"); return { tables: { by_gender: r.columns } }; };`,
    );
    const id = await newJob(seen);
    seen.add(id);
    await until("a host's claim", async () => (await queueRow(id))?.locked_at);
    child.kill("SIGKILL");
    await done;
    // While the host still runs it, a writer open leaves the job running (not INTERRUPTED): the host's word is still to come.
    const early = await d.run("admin", "org", "list");
    expect(early.code, early.stderr).toBe(0);
    expect(early.stderr).not.toMatch(/INTERRUPTED/);
    expect(await hostResult(id), "the host finished before the first open: make the job longer").toBeUndefined();
    expect(((await d.ok("admin", "job", "status", id)) as { state: string }).state).toBe("running");
    const r = await until("the host's late result", () => hostResult(id), 900);
    expect(r.outcome.state).toBe("succeeded");
    expect([...cluster.hosts, ...extra].map((h) => h.id)).toContain(r.worker);
    // The next writer open finishes it as the owner would have: staged, marked, audited with the host.
    const open = await d.run("admin", "org", "list");
    expect(open.code, open.stderr).toBe(0);
    expect(open.stderr).toContain(`finished 1 job(s) from their worker host's result (${id})`);
    const op = (await d.ok("admin", "job", "status", id)) as { state: string; worker: string; outputs: { kind: string; rows?: number }[]; marks: { mark: { kind: string } }[] };
    expect(op).toMatchObject({ state: "succeeded", worker: r.worker });
    expect(op.outputs.filter((o) => o.kind === "table").map((o) => o.rows)).toEqual([2]);
    // The ledger is the owner's own accounting run on its copy of the library, as for a live owner.
    expect(op.marks.map((m) => m.mark.kind)).toEqual(["accounted-aggregate"]);
    const log = (await d.ok("admin", "audit", "log", "--object", `job:${id}`)) as { action: string; details: { worker?: string } }[];
    expect(log.filter((e) => e.action === "job.succeeded").map((e) => e.details.worker)).toEqual([r.worker]);
    // Once: a later open finds nothing to do, and the chain and every row still verify.
    const again = await d.run("admin", "org", "list");
    expect(again.stderr).not.toContain("worker host's result");
    expect(await ends(id)).toEqual(["job.succeeded"]);
    // The outcome travelled through the bucket and its copy there went once it was staged.
    const handed = deserialize((await db.query<{ outcome: Buffer }>("SELECT outcome FROM job_results WHERE job = $1", [id])).rows[0].outcome) as { ref: { name: string } };
    expect(handed.ref.name).toMatch(new RegExp(`^out/${id}/[0-9a-f]{64}$`));
    const bucket = new BlobStore(cluster.s3);
    expect(await bucket.has(handed.ref.name)).toBe(false);
    bucket.close();
    expect(await d.ok("admin", "audit", "verify")).toMatchObject({ ok: true });
  }, 180_000);
});

import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { JobOutcome } from "../../sandbox/index.js";
import { BlobStore, type S3Settings } from "../../runtime/scale/blob-store.js";
import { awaitResult, createWorkerRole, enqueueRun, installQueue, type RunPayload } from "../../runtime/scale/job-queue.js";
import { createDatabase, dropDatabase } from "../../runtime/scale/local-postgres.js";
import { PgConnection } from "../../runtime/scale/pg-connection.js";
import { spawnWorkerHost, type SpawnedHost } from "../../runtime/scale/spawn-host.js";
import { TEST_CONTROL } from "../helpers/fixture.js";
import { publishLibrary } from "../helpers/publish-library.js";
import { ensureWorkerBuilt, makeLibrary, modelJob, sqlJob, type Library } from "../sandbox/fixtures.js";

/** A worker host as its own process (`shuyu worker`), ready once it says so. */
const startHost = (url: string, cache: string, s3: S3Settings) => spawnWorkerHost({ controlUrl: url, cacheDir: cache, s3, echo: !!process.env.SHUYU_DEBUG_HOSTS });
const stopHost = (h: SpawnedHost) => h.stop();

describe.runIf(TEST_CONTROL === "postgresql")("sandbox worker hosts on the graphile-worker queue, libraries by SM3 from S3", () => {
  const dbName = `q_${randomBytes(5).toString("hex")}`;
  let ownerUrl: string;
  let workerUrl: string;
  let s3srv: S3rver;
  let s3: S3Settings;
  let store: BlobStore;
  let lib: Library;
  let files: RunPayload["files"];
  let owner: PgConnection;
  const root = mkdtempSync(join(tmpdir(), "shuyu-hosts-"));
  const hosts: SpawnedHost[] = [];

  /** Enqueues `spec` for job `id` in a transaction with a state change, committed or rolled back. */
  async function enqueue(id: string, spec: unknown, commit = true): Promise<void> {
    await owner.run("BEGIN");
    await owner.native("INSERT INTO job_state VALUES ($1, 'queued')", [id]);
    await enqueueRun(owner, { job: id, spec, files });
    await owner.run(commit ? "COMMIT" : "ROLLBACK");
  }
  const result = async (id: string) => {
    const r = await awaitResult(ownerUrl, id, 90_000);
    return { worker: r.worker, outcome: deserialize(r.outcome) as JobOutcome };
  };

  beforeAll(async () => {
    ensureWorkerBuilt();
    ownerUrl = await createDatabase(inject("pgAdminUrl"), dbName);
    await installQueue(ownerUrl);
    workerUrl = await createWorkerRole(ownerUrl, randomBytes(12).toString("hex"));
    owner = await PgConnection.connect(ownerUrl);
    await owner.native("CREATE TABLE job_state (id VARCHAR PRIMARY KEY, state VARCHAR NOT NULL); CREATE TABLE secrets (v VARCHAR); INSERT INTO secrets VALUES ('vault-ish')");
    s3srv = new S3rver({ address: "127.0.0.1", port: 0, directory: join(root, "s3"), silent: true });
    const { port } = await s3srv.run();
    s3 = { endpoint: `http://127.0.0.1:${port}`, bucket: "libraries", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    store = new BlobStore(s3);
    await store.ensureBucket();
    lib = await makeLibrary(root, "lib", { people: "SELECT i AS id, i % 7 AS g FROM range(1000) t(i)" });
    // Hosts read only their cache: the library folder the owner made is gone.
    files = await publishLibrary(store, lib);
  });
  afterAll(async () => {
    await Promise.all(hosts.map(stopHost));
    await owner?.end();
    store?.close();
    await s3srv?.close();
    await dropDatabase(inject("pgAdminUrl"), dbName).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  it("the worker role reaches the worker functions only: every table, graphile-worker's included, is refused", async () => {
    // A role made by an earlier version could use graphile-worker's tables (with a row policy): re-keying takes that back.
    await owner.native("GRANT USAGE ON SCHEMA graphile_worker TO shuyu_worker; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO shuyu_worker");
    await owner.native("CREATE POLICY shuyu_worker_rows ON graphile_worker._private_jobs TO shuyu_worker USING (true) WITH CHECK (true)");
    workerUrl = await createWorkerRole(ownerUrl, randomBytes(12).toString("hex"));
    expect((await owner.native("SELECT count(*) AS n FROM pg_policies WHERE policyname = 'shuyu_worker_rows'")).rows[0].n).toBe(0n);
    const c = new pg.Client({ connectionString: workerUrl });
    await c.connect();
    try {
      const refused = [
        "SELECT * FROM job_state", "SELECT * FROM secrets", "SELECT * FROM job_results", "INSERT INTO job_results VALUES ('x', 'y', '\\x00')", "SELECT * FROM job_cancels", "INSERT INTO job_cancels (job) VALUES ('j-sql')", "CREATE TABLE mine (x int)",
        // The queue itself: no reading payloads, no editing, failing, removing or adding rows.
        "SELECT count(*) FROM graphile_worker.jobs", "SELECT payload FROM graphile_worker._private_jobs", "DELETE FROM graphile_worker._private_jobs", "UPDATE graphile_worker._private_jobs SET run_at = now() + interval '1 year'",
        "SELECT graphile_worker.add_job('shuyu_run', '{}'::json)", "SELECT graphile_worker.remove_job('j-sql')", "SELECT graphile_worker.force_unlock_workers(ARRAY['x'])", "SELECT graphile_worker.permanently_fail_jobs(ARRAY[1::bigint])",
        "SELECT * FROM graphile_worker._private_tasks", "SELECT * FROM graphile_worker.migrations",
      ];
      for (const sql of refused) await expect(c.query(sql), sql).rejects.toThrow(/permission denied/);
      // It may ask whether a job was cancelled (a yes/no through SECURITY DEFINER), not read the record.
      expect((await c.query("SELECT shuyu_cancelled('j-sql') AS c")).rows[0].c).toBe(false);
      // Host ids end up in job status: no quotes, no slashes (the token's separator), bounded.
      for (const id of ["", "a/b", "x'; DROP TABLE job_state; --", "h".repeat(65)]) await expect(c.query("SELECT * FROM shuyu_claim($1)", [id]), id).rejects.toThrow(/host id/);
    } finally {
      await c.end();
    }
  });

  it("a host finishes only the runs it claimed: forged tokens, another host's claim and other jobs are refused and change nothing", async () => {
    const spec = sqlJob(lib, "SELECT 1 AS x");
    await enqueue("j-claims", spec);
    const evil = new pg.Client({ connectionString: workerUrl });
    const other = new pg.Client({ connectionString: workerUrl });
    await evil.connect();
    await other.connect();
    try {
      const claim = (await other.query<{ job: string; payload: RunPayload; token: string }>("SELECT * FROM shuyu_claim('other-host')")).rows[0];
      expect(claim.job).toBe("j-claims");
      expect(claim.payload.job).toBe("j-claims");
      expect(claim.token.startsWith("other-host/")).toBe(true);
      const forged = serialize({ state: "succeeded", outputs: { tables: {}, logs: [] }, queries: 0 });
      const attempts = [
        ["other-host/00000000-0000-0000-0000-000000000000", "j-claims"], // the right host id, a guessed claim
        ["other-host", "j-claims"],
        [claim.token, "j-sql"], // a real claim, spent on another job
        [claim.token.replace("other-host", "evil-host"), "j-claims"],
      ];
      for (const [token, job] of attempts) await expect(evil.query("SELECT shuyu_complete($1, $2, $3, 0)", [token, job, forged]), `${token} ${job}`).rejects.toThrow(/no claim/);
      // Nothing was claimed twice, and nothing was staged.
      expect((await evil.query("SELECT * FROM shuyu_claim('evil-host')")).rowCount).toBe(0);
      expect((await owner.native("SELECT count(*) AS n FROM job_results WHERE job = 'j-claims'")).rows[0].n).toBe(0n);
      expect((await owner.native("SELECT locked_by FROM graphile_worker.jobs WHERE key = 'j-claims'")).rows[0].locked_by).toBe(claim.token);
      // The claim's holder finishes it: the result names it, and the queue row is gone in the same transaction.
      await other.query("SELECT shuyu_complete($1, $2, $3, 0)", [claim.token, "j-claims", forged]);
      expect((await result("j-claims")).worker).toBe("other-host");
      expect((await owner.native("SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = 'j-claims'")).rows[0].n).toBe(0n);
      await expect(other.query("SELECT shuyu_complete($1, $2, $3, 0)", [claim.token, "j-claims", forged])).rejects.toThrow(/no claim/);
    } finally {
      await evil.end();
      await other.end();
    }
  });

  it("a run enqueued with its state change runs on a host from the verified cache; a rolled-back one never exists", async () => {
    hosts.push(await startHost(workerUrl, join(root, "cache-a"), s3));
    await enqueue("j-rolled-back", sqlJob(lib, "SELECT 1 AS x"), false);
    await enqueue("j-sql", sqlJob(lib, "SELECT g, count(*) AS n FROM people GROUP BY g ORDER BY g"));
    const r = await result("j-sql");
    expect(r.outcome.state).toBe("succeeded");
    const t = Object.values(r.outcome.outputs.tables)[0];
    expect(t.rowCount).toBe(7);
    const queued = await owner.native("SELECT key FROM graphile_worker.jobs");
    expect(queued.rows.map((x) => x.key)).not.toContain("j-rolled-back");
    expect((await owner.native("SELECT count(*) AS n FROM job_state WHERE id = 'j-rolled-back'")).rows[0].n).toBe(0n);
  });

  it("a host whose fetched library does not match its SM3 refuses to run (LIBRARY_TAMPERED)", async () => {
    const fake = Buffer.from("PAR1 not the granted columns");
    const sm3 = createHash("sm3").update("a library nobody stored").digest("hex");
    const raw = new S3Client({ endpoint: s3.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `sm3/${sm3}`, Body: fake }));
    raw.destroy();
    const spec = sqlJob(lib, "SELECT count(*) AS n FROM people");
    await owner.run("BEGIN");
    await enqueueRun(owner, { job: "j-tampered", spec, files: [{ name: files[0].name, sm3, bytes: fake.length }] });
    await owner.run("COMMIT");
    const r = await result("j-tampered");
    expect(r.outcome).toMatchObject({ state: "failed", reason: "LIBRARY_TAMPERED" });
  });

  it("killing a host mid-job requeues the job once; another host completes it", async () => {
    const a = hosts[0];
    const spin = modelJob(lib, `export default async (ctx) => { const t = Date.now(); while (Date.now() - t < 8000) {} const r = await ctx.query("SELECT count(*) AS n FROM people"); return { model: { n: r.rowCount } }; };`, { limits: { wallMs: 60_000, cpuMs: 30_000 } });
    await enqueue("j-killed", spin);
    for (let i = 0; i < 300; i++) {
      const locked = await owner.native("SELECT locked_by FROM graphile_worker.jobs WHERE key = 'j-killed' AND locked_at < now() - interval '2 seconds'");
      if (locked.rowCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const killedId = (await owner.native("SELECT attempts FROM graphile_worker.jobs WHERE key = 'j-killed'")).rows[0];
    expect(killedId.attempts).toBe(1);
    a.proc.kill("SIGKILL");
    await new Promise((r) => a.proc.once("exit", r));
    const b = await startHost(workerUrl, join(root, "cache-b"), s3);
    hosts.push(b);
    const r = await result("j-killed");
    expect(r.worker).toBe(b.id);
    expect(r.outcome).toMatchObject({ state: "succeeded", outputs: { model: { n: 1 } } });
    // The host hands back the outcome before graphile-worker retires the queue row: wait (bounded) for it to go.
    let left = 1n;
    for (let i = 0; i < 100 && left > 0n; i++) {
      left = (await owner.native("SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = 'j-killed'")).rows[0].n as bigint;
      if (left > 0n) await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe(0n);
    // Real processes under load: an 8 s job, a host's boot and the requeue need more than the default minute on two busy cores.
  }, 120_000);
});

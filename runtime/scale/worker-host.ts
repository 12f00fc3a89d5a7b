import { createHash, randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { serialize } from "node:v8";
import { makeWorkerUtils, run, type Runner } from "graphile-worker";
import pg from "pg";
import { ShuyuError } from "../../policies/errors.js";
import type { JobOutcome, JobSpec } from "../../sandbox/index.js";
import { closeSharedPool, sharedPool } from "../jobs/shared-pool.js";
import { BlobStore, type S3Settings } from "./blob-store.js";
import { CANCEL_CHANNEL, quietLogger, RUN_TASK, type RunPayload } from "./job-queue.js";
import { getVerified, putOutcome } from "./object-envelope.js";

/** A running sandbox worker host (`shuyu worker`). */
export interface WorkerHost {
  hostId: string;
  stop(): Promise<void>;
}

/** The advisory-lock key a host holds while it runs a job: held ⇒ the host is alive (PostgreSQL drops it with the session). */
const jobLock = (job: string) => ["SELECT pg_try_advisory_lock(hashtext('shuyu-job:' || $1))", [job]] as const;

/**
 * Copies a library file into the cache under its SM3 once, and checks the cached bytes
 * against the digest on every use: DuckDB reads only files this host has verified.
 */
async function verifiedFile(store: BlobStore, cacheDir: string, file: RunPayload["files"][number]): Promise<string> {
  const sm3 = file.sm3;
  const path = join(cacheDir, "sm3", sm3);
  if (existsSync(path)) {
    const got = createHash("sm3").update(readFileSync(path)).digest("hex");
    if (got === sm3) return path;
    rmSync(path, { force: true }); // a corrupted cache entry is fetched again (and checked again)
  }
  // Named objects (object-envelope.ts) open with the file's own key, if sealed, and are checked against the plaintext SM3.
  const bytes = file.object ? await getVerified(store, { name: file.object, sm3, bytes: file.bytes, ...(file.key ? { key: file.key } : {}) }, "LIBRARY_TAMPERED") : await store.get(sm3);
  mkdirSync(join(cacheDir, "sm3"), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, bytes, { mode: 0o400 });
  renameSync(tmp, path);
  return path;
}

/** A failed outcome carrying only a code (what the owner and the developer may see). */
function refused(code: string, message: string): JobOutcome {
  return { state: "failed", reason: code, outputs: { tables: {}, logs: [] }, error: { type: "Error", code, message }, queries: 0 };
}

/**
 * What goes back through shuyu_complete: the outcome itself (owners that did not ask otherwise,
 * and the host's own refusals, which carry only a code), or — staging in the bucket — the
 * outcome put under its SM3 (sealed to the owner's key when asked) and only its reference.
 */
async function handBack(store: BlobStore, payload: RunPayload, outcome: JobOutcome, ownRefusal: boolean): Promise<Buffer> {
  const bytes = serialize(outcome);
  if (!payload.outcome || ownRefusal) return bytes;
  try {
    const recipient = payload.outcome.recipient ? Buffer.from(payload.outcome.recipient, "hex") : undefined;
    return serialize({ shuyuOutcome: "s3", ref: await putOutcome(store, payload.job, bytes, recipient) });
  } catch {
    return serialize(refused("OUTCOME_UNSTORED", "the worker host could not store the outcome in the bucket"));
  }
}

/**
 * Runs the existing worker pool for jobs claimed from the graphile-worker queue: fetch the
 * scenario's library by content address, verify it, run, and hand the outcome back with
 * shuyu_complete. Logs in with the worker role's URL: it can read no control table.
 */
export async function startWorkerHost(opts: { controlUrl: string; cacheDir: string; s3: S3Settings; concurrency?: number; hostId?: string }): Promise<WorkerHost> {
  const hostId = opts.hostId ?? `host-${process.pid}-${randomBytes(3).toString("hex")}`;
  mkdirSync(opts.cacheDir, { recursive: true, mode: 0o700 });
  const store = new BlobStore(opts.s3);
  const pool = new pg.Pool({ connectionString: opts.controlUrl, max: (opts.concurrency ?? 2) + 4 });
  pool.on("error", () => undefined);
  pool.on("connect", (c) => c.on("error", () => undefined)); // a dropped session surfaces on its next query
  const locks = await pool.connect(); // one session holds this host's job locks
  // ...and hears cancels: a cancelled job's sandbox is killed (the owner stopped waiting already).
  const cancelled = new Set<string>();
  const running = new Set<string>();
  const isCancelled = async (job: string) => (await pool.query<{ c: boolean }>("SELECT shuyu_cancelled($1) AS c", [job])).rows[0].c;
  locks.on("notification", (n) => {
    const job = n.payload;
    if (n.channel !== CANCEL_CHANNEL || !job || !running.has(job)) return;
    // Any session may NOTIFY (another host too): only the owner's cancel record stops a job.
    void isCancelled(job).then((yes) => {
      if (!yes || !running.has(job)) return;
      cancelled.add(job);
      sharedPool().cancel(job);
    }, () => undefined);
  });
  await locks.query(`LISTEN ${CANCEL_CHANNEL}`);
  const utils = await makeWorkerUtils({ pgPool: pool, logger: quietLogger() });

  /** Requeues the jobs of hosts that died mid-job (their lock went with their session). */
  const sweep = async () => {
    const stuck = await pool.query<{ key: string; locked_by: string }>(
      // A cancelled run has lost its key (remove_job) and will not be retried: nothing to requeue.
      "SELECT key, locked_by FROM graphile_worker.jobs WHERE task_identifier = $1 AND key IS NOT NULL AND locked_at IS NOT NULL AND locked_at < now() - interval '3 seconds'",
      [RUN_TASK],
    );
    for (const j of stuck.rows) {
      const [sql, args] = jobLock(j.key);
      const free = (await locks.query<{ pg_try_advisory_lock: boolean }>(sql, [...args])).rows[0].pg_try_advisory_lock;
      if (!free) continue;
      try {
        await utils.forceUnlockWorkers([j.locked_by]);
      } finally {
        await locks.query("SELECT pg_advisory_unlock(hashtext('shuyu-job:' || $1))", [j.key]);
      }
    }
  };

  const runJob = async (payload: RunPayload): Promise<void> => {
    const startedMs = Date.now();
    const [sql, args] = jobLock(payload.job);
    await locks.query(sql, [...args]);
    const dir = join(opts.cacheDir, "jobs", payload.job);
    running.add(payload.job);
    try {
      let outcome: JobOutcome;
      let ownRefusal = false;
      try {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        for (const f of payload.files) linkSync(await verifiedFile(store, opts.cacheDir, f), join(dir, basename(f.name)));
        const spec = payload.spec as JobSpec;
        const local: JobSpec = { ...spec, libraryDir: dir, views: spec.views.map((v) => ({ ...v, file: join(dir, basename(v.file)) })) };
        // Cancelled before this host heard of it (shuyu_cancelled reads the owner's record through SECURITY DEFINER).
        if (await isCancelled(payload.job)) cancelled.add(payload.job);
        const pending = sharedPool().run(local); // queued in the pool synchronously: a cancel from here on finds it
        if (cancelled.has(payload.job)) sharedPool().cancel(payload.job);
        outcome = await pending;
      } catch (err) {
        ownRefusal = true;
        outcome = err instanceof ShuyuError && err.code === "LIBRARY_TAMPERED" ? refused("LIBRARY_TAMPERED", "the library's bytes do not match its SM3 manifest: the worker host refused to run") : refused("SANDBOX_ERROR", "the worker host could not run the job");
      }
      await pool.query("SELECT shuyu_complete($1, $2, $3, $4)", [payload.job, hostId, await handBack(store, payload, outcome, ownRefusal), startedMs]);
    } finally {
      running.delete(payload.job);
      cancelled.delete(payload.job);
      rmSync(dir, { recursive: true, force: true });
      await locks.query("SELECT pg_advisory_unlock(hashtext('shuyu-job:' || $1))", [payload.job]).catch(() => undefined);
    }
    await sweep().catch(() => undefined);
  };

  await sweep();
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      concurrency: opts.concurrency ?? 2,
      noHandleSignals: true,
      logger: quietLogger(),
      taskList: { [RUN_TASK]: async (payload) => runJob(payload as RunPayload) },
    });
  } catch (err) {
    locks.release();
    await pool.end();
    throw err;
  }
  // A host that dies after this one started leaves its job locked: look again every few seconds
  // (a sweep only at start and after a job missed a death within the 3 s grace, and an idle host never looked again).
  let sweeping = false;
  const timer = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void sweep().catch(() => undefined).finally(() => (sweeping = false));
  }, 2_000);
  timer.unref();
  return {
    hostId,
    async stop() {
      clearInterval(timer);
      while (sweeping) await new Promise((r) => setTimeout(r, 50));
      await runner.stop();
      await utils.release();
      locks.release();
      await pool.end().catch(() => undefined);
      store.close();
      await closeSharedPool();
    },
  };
}

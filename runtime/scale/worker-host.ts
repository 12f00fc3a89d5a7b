import { createHash, randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { serialize } from "node:v8";
import pg from "pg";
import { ShuyuError } from "../../policies/errors.js";
import type { JobOutcome, JobSpec } from "../../sandbox/index.js";
import { closeSharedPool, sharedPool } from "../jobs/shared-pool.js";
import { BlobStore, type S3Settings } from "./blob-store.js";
import { CANCEL_CHANNEL, NEW_RUN_CHANNEL, type RunPayload } from "./job-queue.js";
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
 * scenario's library by content address, verify it, run, and hand the outcome back.
 * Logs in with the worker role's URL: it calls the worker functions (shuyu_claim,
 * shuyu_complete, shuyu_requeue_dead, shuyu_cancelled) and can read no table at all.
 * Wakes on graphile-worker's own NOTIFY for new runs; the 2 s death sweep doubles as the
 * fallback look that graphile-worker's runner takes on its poll interval.
 */
export async function startWorkerHost(opts: { controlUrl: string; cacheDir: string; s3: S3Settings; concurrency?: number; hostId?: string }): Promise<WorkerHost> {
  const hostId = opts.hostId ?? `host-${process.pid}-${randomBytes(3).toString("hex")}`;
  const concurrency = opts.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new ShuyuError("usage", "BAD_CONCURRENCY", `--concurrency takes a whole number from 1 to 64, not ${opts.concurrency}`);
  mkdirSync(opts.cacheDir, { recursive: true, mode: 0o700 });
  const store = new BlobStore(opts.s3);
  const pool = new pg.Pool({ connectionString: opts.controlUrl, max: concurrency + 4 });
  pool.on("error", () => undefined);
  pool.on("connect", (c) => c.on("error", () => undefined)); // a dropped session surfaces on its next query
  const locks = await pool.connect(); // one session holds this host's job locks
  // ...and hears cancels: a cancelled job's sandbox is killed (the owner stopped waiting already).
  const cancelled = new Set<string>();
  const running = new Set<string>();
  const isCancelled = async (job: string) => (await pool.query<{ c: boolean }>("SELECT shuyu_cancelled($1) AS c", [job])).rows[0].c;
  let stopping = false;
  let active = 0;
  let claiming = false;
  let again = false;
  let idle: (() => void) | undefined;

  /** Requeues the runs of hosts that died mid-job, from a session other than `locks` (which holds this host's own). */
  const sweep = async () => (await pool.query<{ n: number }>("SELECT shuyu_requeue_dead() AS n")).rows[0].n;

  const runJob = async (payload: RunPayload, token: string): Promise<void> => {
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
      await pool.query("SELECT shuyu_complete($1, $2, $3, $4)", [token, payload.job, await handBack(store, payload, outcome, ownRefusal), startedMs]);
    } finally {
      running.delete(payload.job);
      cancelled.delete(payload.job);
      rmSync(dir, { recursive: true, force: true });
      await locks.query("SELECT pg_advisory_unlock(hashtext('shuyu-job:' || $1))", [payload.job]).catch(() => undefined);
    }
  };

  /** Claims runs while a slot is free; a wake-up heard mid-claim makes it look once more. */
  const fill = async (): Promise<void> => {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        while (!stopping && active < concurrency) {
          const r = await pool.query<{ payload: RunPayload; token: string }>("SELECT payload, token FROM shuyu_claim($1)", [hostId]);
          const claim = r.rows[0];
          if (!claim) break;
          active++;
          void runJob(claim.payload, claim.token)
            .catch(() => undefined) // the claim stays locked; shuyu_requeue_dead frees it once this session is gone
            .finally(() => {
              active--;
              if (stopping && active === 0) idle?.();
              void fill().catch(() => undefined);
            });
        }
      } while (again && !stopping);
    } finally {
      claiming = false;
    }
  };

  locks.on("notification", (n) => {
    if (n.channel === NEW_RUN_CHANNEL) return void fill().catch(() => undefined);
    const job = n.payload;
    if (n.channel !== CANCEL_CHANNEL || !job || !running.has(job)) return;
    // Any session may NOTIFY (another host too): only the owner's cancel record stops a job.
    void isCancelled(job).then((yes) => {
      if (!yes || !running.has(job)) return;
      cancelled.add(job);
      sharedPool().cancel(job);
    }, () => undefined);
  });
  try {
    await locks.query(`LISTEN ${CANCEL_CHANNEL}; LISTEN "${NEW_RUN_CHANNEL}"`);
    await sweep();
    await fill();
  } catch (err) {
    locks.release();
    await pool.end();
    store.close();
    throw err;
  }
  // A host that dies after this one started leaves its run locked: look every 2 s, and claim what that freed or what a missed NOTIFY left.
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    void sweep()
      .then(() => fill())
      .catch(() => undefined)
      .finally(() => (ticking = false));
  }, 2_000);
  timer.unref();
  return {
    hostId,
    async stop() {
      stopping = true;
      clearInterval(timer);
      while (ticking || claiming) await new Promise((r) => setTimeout(r, 50));
      // Runs in hand finish and are handed back, as graphile-worker's runner.stop() did.
      if (active > 0) await new Promise<void>((r) => (idle = r));
      locks.release();
      await pool.end().catch(() => undefined);
      store.close();
      await closeSharedPool();
    },
  };
}

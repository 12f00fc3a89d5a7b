import pg from "pg";
import { Logger, runMigrations } from "graphile-worker";
import { ShuyuError } from "../../policies/errors.js";
import type { PgConnection } from "./pg-connection.js";

/** The graphile-worker task every sandbox worker host serves. */
export const RUN_TASK = "shuyu_run";

/** The PostgreSQL role worker hosts log in as: the worker functions (claim, complete, requeue, cancelled), nothing else. */
export const WORKER_ROLE = "shuyu_worker";

/**
 * The owner's side of the queue, installed once per control database (as its owner):
 * graphile-worker's schema (its own migrations), the results table the owner reads, and
 * the only things a worker host may call — SECURITY DEFINER functions, so the worker role
 * needs no right on any table, graphile-worker's included:
 * - `shuyu_claim(host)` locks the next runnable shuyu_run row exactly as graphile-worker's
 *   runner does (one UPDATE over a `FOR UPDATE SKIP LOCKED` pick, attempts + 1) under a
 *   fresh claim token, and returns the payload and the token;
 * - `shuyu_complete(token, job, outcome, started)` hands back the outcome of a run this
 *   claim holds, retires its queue row and notifies the waiting owner, in one transaction;
 * - `shuyu_requeue_dead()` unlocks rows whose host's session is gone (its advisory lock
 *   went with it), so the run is retried once on another host;
 * - `shuyu_cancelled(job)` says yes or no, without showing the cancel record.
 * A rogue host can claim and sit on runs (any worker can), not finish, fail or remove
 * another host's claim, read a payload it did not claim, or enqueue.
 */
const RESULTS_SQL = `
CREATE TABLE IF NOT EXISTS job_results (job VARCHAR PRIMARY KEY, worker VARCHAR NOT NULL, outcome BYTEA NOT NULL, started_ms DOUBLE PRECISION, at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'));
DROP FUNCTION IF EXISTS shuyu_complete(text, text, bytea, double precision);
CREATE OR REPLACE FUNCTION shuyu_claim(p_host text) RETURNS TABLE (job text, payload json, token text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE v_token text;
BEGIN
  IF p_host IS NULL OR p_host !~ '^[A-Za-z0-9._:-]{1,64}$' THEN RAISE EXCEPTION 'a host id is 1-64 letters, digits, dots, dashes, colons or underscores'; END IF;
  v_token := p_host || '/' || gen_random_uuid()::text;
  RETURN QUERY
  WITH next AS (
    SELECT j.id FROM graphile_worker._private_jobs j
    WHERE j.is_available AND j.run_at <= now() AND j.job_queue_id IS NULL
      AND j.task_id = (SELECT t.id FROM graphile_worker._private_tasks t WHERE t.identifier = '${RUN_TASK}')
    ORDER BY j.priority, j.run_at, j.id LIMIT 1 FOR UPDATE SKIP LOCKED
  )
  UPDATE graphile_worker._private_jobs j SET attempts = j.attempts + 1, locked_by = v_token, locked_at = now()
  FROM next WHERE j.id = next.id
  RETURNING j.payload->>'job', j.payload, v_token;
END $fn$;
CREATE OR REPLACE FUNCTION shuyu_complete(p_token text, p_job text, p_outcome bytea, p_started_ms double precision) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE v_id bigint;
BEGIN
  IF length(p_outcome) > 256 * 1024 * 1024 THEN RAISE EXCEPTION 'outcome too large'; END IF;
  -- A cancelled run keeps its row (remove_job drops only its key): the claim still finishes it.
  SELECT j.id INTO v_id FROM graphile_worker._private_jobs j WHERE j.locked_by = p_token AND j.payload->>'job' = p_job FOR UPDATE;
  IF v_id IS NULL THEN RAISE EXCEPTION 'no claim % on job %', split_part(p_token, '/', 1), p_job USING ERRCODE = '42501'; END IF;
  INSERT INTO job_results (job, worker, outcome, started_ms) VALUES (p_job, split_part(p_token, '/', 1), p_outcome, p_started_ms) ON CONFLICT (job) DO NOTHING;
  DELETE FROM graphile_worker._private_jobs WHERE id = v_id;
  PERFORM pg_notify('shuyu_job_done', p_job);
END $fn$;
CREATE OR REPLACE FUNCTION shuyu_requeue_dead() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
DECLARE r record; n integer := 0;
BEGIN
  -- A host holds its job's advisory lock for as long as it runs it; a run claimed more than 3 s
  -- ago whose lock is free lost its host. A cancelled run has lost its key and is not retried.
  FOR r IN SELECT j.id, j.payload->>'job' AS job FROM graphile_worker._private_jobs j
           WHERE j.key IS NOT NULL AND j.locked_at < now() - interval '3 seconds'
             AND j.task_id = (SELECT t.id FROM graphile_worker._private_tasks t WHERE t.identifier = '${RUN_TASK}')
           FOR UPDATE SKIP LOCKED LOOP
    IF pg_try_advisory_xact_lock(hashtext('shuyu-job:' || r.job)) THEN
      UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL WHERE id = r.id;
      n := n + 1;
    END IF;
  END LOOP;
  IF n > 0 THEN PERFORM pg_notify('jobs:insert', '{"count":' || n || '}'); END IF;
  RETURN n;
END $fn$;
REVOKE ALL ON FUNCTION shuyu_claim(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION shuyu_complete(text, text, bytea, double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION shuyu_requeue_dead() FROM PUBLIC;
CREATE TABLE IF NOT EXISTS job_cancels (job VARCHAR PRIMARY KEY, at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'));
CREATE OR REPLACE FUNCTION shuyu_cancelled(p_job text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $fn$ SELECT EXISTS (SELECT 1 FROM job_cancels WHERE job = p_job) $fn$;
REVOKE ALL ON FUNCTION shuyu_cancelled(text) FROM PUBLIC;
`;

/** The functions a worker host calls (and nothing else it may use in the control database). */
const WORKER_FUNCTIONS = ["shuyu_claim(text)", "shuyu_complete(text, text, bytea, double precision)", "shuyu_requeue_dead()", "shuyu_cancelled(text)"];

/** The channel graphile-worker notifies when a run is added (and shuyu_requeue_dead when one is freed). */
export const NEW_RUN_CHANNEL = "jobs:insert";

/** The channel a cancel is announced on (at its commit): hosts kill the job's sandbox, the owner stops waiting. */
export const CANCEL_CHANNEL = "shuyu_job_cancel";

/** Installs the queue in the control database behind `url` (idempotent). */
export async function installQueue(url: string): Promise<void> {
  await runMigrations({ connectionString: url, logger: quietLogger() });
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(RESULTS_SQL);
  } finally {
    await c.end();
  }
}

/**
 * Creates (or re-keys) the worker role: LOGIN, no right on any table (shuyu's or
 * graphile-worker's), EXECUTE on the four worker functions above. Returns the URL a
 * worker host is given.
 */
export async function createWorkerRole(url: string, password: string, role: string = WORKER_ROLE): Promise<string> {
  // Roles are cluster-wide: a second domain on the same server gives its hosts a role of its own.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new ShuyuError("usage", "BAD_ROLE_NAME", `role names are lower-case identifiers: ${role}`);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const exists = (await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role])).rowCount;
    const pw = "'" + password.replace(/'/g, "''") + "'";
    await c.query(`${exists ? "ALTER" : "CREATE"} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${pw}`);
    const db = (await c.query<{ db: string }>("SELECT current_database() AS db")).rows[0].db;
    await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}; REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await c.query(`GRANT CONNECT ON DATABASE "${db}" TO ${role}`);
    // Re-keying a role made by an earlier version takes back what it had on graphile-worker's schema.
    const gw = (await c.query("SELECT 1 FROM pg_namespace WHERE nspname = 'graphile_worker'")).rowCount;
    if (gw) {
      await c.query(`REVOKE ALL ON ALL TABLES IN SCHEMA graphile_worker FROM ${role}; REVOKE ALL ON ALL SEQUENCES IN SCHEMA graphile_worker FROM ${role}`);
      await c.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA graphile_worker FROM ${role}; REVOKE ALL ON SCHEMA graphile_worker FROM ${role}`);
      const rls = await c.query<{ t: string }>("SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'graphile_worker' AND c.relrowsecurity");
      for (const { t } of rls.rows) await c.query(`DROP POLICY IF EXISTS shuyu_worker_rows ON graphile_worker."${t}"`);
    }
    for (const f of WORKER_FUNCTIONS) await c.query(`GRANT EXECUTE ON FUNCTION ${f} TO ${role}`);
  } finally {
    await c.end();
  }
  const u = new URL(url);
  u.username = role;
  u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * What a worker host needs to run one job: the spec (library paths relative) and the content
 * address of each library file — with `object` and `key` when it is stored through
 * runtime/scale/object-envelope.ts (`key`: that file's own SM4 key, under the envelope).
 * `outcome` asks the host to put the outcome in the bucket and hand back only its reference
 * (sealed to `recipient`, the owner's SM2 public key in hex, under the envelope).
 */
export interface RunPayload {
  job: string;
  spec: unknown;
  files: { name: string; sm3: string; bytes: number; object?: string; key?: string }[];
  outcome?: { recipient?: string };
}

/**
 * Enqueues a run in the caller's open transaction (the job's state change commits with
 * it, or neither does). Two attempts: a host killed mid-job gets the job requeued once.
 */
export async function enqueueRun(conn: PgConnection, payload: RunPayload): Promise<void> {
  if (!conn.inTransaction) throw new ShuyuError("internal", "QUEUE_OUTSIDE_TRANSACTION", "a run is enqueued only inside the job's own transaction");
  await conn.native("SELECT graphile_worker.add_job($1, $2::json, job_key => $3, max_attempts => 2)", [RUN_TASK, JSON.stringify(payload), payload.job]);
}

/**
 * Cancels `job`'s run in the caller's open transaction: the queue row goes (a host that has
 * not claimed it never will; graphile-worker's remove_job stops a claimed one from being
 * retried), the cancel is recorded for hosts to ask (shuyu_cancelled) and announced on
 * CANCEL_CHANNEL at commit. Returns whether a host had claimed it.
 */
export async function cancelRun(conn: PgConnection, job: string): Promise<{ claimed: boolean }> {
  if (!conn.inTransaction) throw new ShuyuError("internal", "QUEUE_OUTSIDE_TRANSACTION", "a run is cancelled only inside the job's own transaction");
  await conn.native("INSERT INTO job_cancels (job) VALUES ($1) ON CONFLICT (job) DO NOTHING", [job]);
  const removed = await conn.native("SELECT j.locked_at FROM graphile_worker.remove_job($1) j", [job]);
  await conn.native("SELECT pg_notify($1, $2)", [CANCEL_CHANNEL, job]);
  return { claimed: removed.rows[0]?.locked_at != null };
}

/** Waits (LISTEN, no polling) until `job`'s outcome is in job_results and returns it with the worker that ran it; JOB_CANCELLED once it is cancelled. */
export async function awaitResult(url: string, job: string, timeoutMs: number): Promise<{ worker: string; outcome: Buffer; startedMs: number | null }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`LISTEN shuyu_job_done; LISTEN ${CANCEL_CHANNEL}`);
    const read = async () => (await c.query<{ worker: string; outcome: Buffer; startedMs: number | null }>('SELECT worker, outcome, started_ms AS "startedMs" FROM job_results WHERE job = $1', [job])).rows[0];
    const cancelled = () => new ShuyuError("invalid", "JOB_CANCELLED", `job ${job} was cancelled`);
    const isCancelled = async () => !!(await c.query("SELECT 1 FROM job_cancels WHERE job = $1", [job])).rowCount;
    // Anyone may NOTIFY (a worker host too): a cancel counts only when the owner's record says so.
    const done = new Promise<void>((resolve, reject) =>
      c.on("notification", (n) => {
        if (n.payload !== job) return;
        if (n.channel !== CANCEL_CHANNEL) return resolve();
        void isCancelled().then((yes) => yes && reject(cancelled()), () => undefined);
      }),
    );
    done.catch(() => undefined); // a cancel heard before the race below is raised there
    const first = await read();
    if (first) return first;
    // A cancel that committed before LISTEN was heard.
    if (await isCancelled()) throw cancelled();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ShuyuError("internal", "QUEUE_TIMEOUT", `no worker host finished job ${job} within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
    return (await read())!;
  } finally {
    await c.end();
  }
}

/** graphile-worker's logger, silent but for errors (its info lines would land in CLI output). */
export function quietLogger(): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error" || level === "warning") process.stderr.write(`shuyu worker queue: ${message}\n`);
  });
}

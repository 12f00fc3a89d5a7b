import pg from "pg";
import { Logger, runMigrations } from "graphile-worker";
import { ShuyuError } from "../../policies/errors.js";
import type { PgConnection } from "./pg-connection.js";

/** The graphile-worker task every sandbox worker host serves. */
export const RUN_TASK = "shuyu_run";

/** The PostgreSQL role worker hosts log in as: the queue and shuyu_complete, nothing else. */
export const WORKER_ROLE = "shuyu_worker";

/**
 * The owner's side of the queue, installed once per control database (as its owner):
 * graphile-worker's schema (its own migrations), the results table the owner reads, and
 * `shuyu_complete(job, worker, outcome)` — SECURITY DEFINER, so the worker role can hand
 * back an outcome without any right on the table — which notifies the waiting owner.
 */
const RESULTS_SQL = `
CREATE TABLE IF NOT EXISTS job_results (job VARCHAR PRIMARY KEY, worker VARCHAR NOT NULL, outcome BYTEA NOT NULL, started_ms DOUBLE PRECISION, at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'));
CREATE OR REPLACE FUNCTION shuyu_complete(p_job text, p_worker text, p_outcome bytea, p_started_ms double precision) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $fn$
BEGIN
  IF length(p_outcome) > 256 * 1024 * 1024 THEN RAISE EXCEPTION 'outcome too large'; END IF;
  INSERT INTO job_results (job, worker, outcome, started_ms) VALUES (p_job, p_worker, p_outcome, p_started_ms) ON CONFLICT (job) DO NOTHING;
  PERFORM pg_notify('shuyu_job_done', p_job);
END $fn$;
REVOKE ALL ON FUNCTION shuyu_complete(text, text, bytea, double precision) FROM PUBLIC;
CREATE TABLE IF NOT EXISTS job_cancels (job VARCHAR PRIMARY KEY, at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'));
CREATE OR REPLACE FUNCTION shuyu_cancelled(p_job text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $fn$ SELECT EXISTS (SELECT 1 FROM job_cancels WHERE job = p_job) $fn$;
REVOKE ALL ON FUNCTION shuyu_cancelled(text) FROM PUBLIC;
`;

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
 * Creates (or re-keys) the worker role: LOGIN, no rights on shuyu's tables, usage of
 * graphile-worker's schema (claiming and finishing queue rows is all it does there) and
 * EXECUTE on shuyu_complete. Returns the URL a worker host is given.
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
    await c.query(`GRANT CONNECT ON DATABASE "${db}" TO ${role}; GRANT USAGE ON SCHEMA graphile_worker TO ${role}`);
    await c.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA graphile_worker TO ${role}`);
    await c.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA graphile_worker TO ${role}; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA graphile_worker TO ${role}`);
    await c.query(`GRANT EXECUTE ON FUNCTION shuyu_complete(text, text, bytea, double precision) TO ${role}; GRANT EXECUTE ON FUNCTION shuyu_cancelled(text) TO ${role}`);
    // graphile-worker's private tables have row-level security on and no policy: the owner sees
    // every row, another role none. The worker role gets a policy on exactly those tables.
    const rls = await c.query<{ t: string }>("SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'graphile_worker' AND c.relrowsecurity");
    for (const { t } of rls.rows) {
      await c.query(`DROP POLICY IF EXISTS shuyu_worker_rows ON graphile_worker."${t}"`);
      await c.query(`CREATE POLICY shuyu_worker_rows ON graphile_worker."${t}" TO ${role} USING (true) WITH CHECK (true)`);
    }
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

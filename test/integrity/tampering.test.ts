import { appendFileSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryHash, readEntries, verifyChain, type AuditEntry } from "../../runtime/audit/chain.js";
import { checkpointVerifier } from "../../runtime/domain/checkpoint.js";
import { tempDir } from "../helpers/fixture.js";
import { approvedScenario, flowDomain, type FlowDomain } from "./fixture.js";

/** Edits a DuckDB file directly, as someone with the domain folder but without shuyu would. */
async function sql(file: string, ...statements: string[]): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(file);
  const c = await db.connect();
  let rows: Record<string, unknown>[] = [];
  for (const s of statements) rows = (await c.runAndReadAll(s)).getRowObjectsJS() as Record<string, unknown>[];
  c.closeSync();
  db.closeSync();
  return rows;
}

describe("tampering: every stored byte that matters is verified when read", () => {
  const t = tempDir("shuyu-tamper-");
  let d: FlowDomain;
  let jobId = "";
  let libFile = "";
  const control = () => join(d.dir, "control.duckdb");
  const backup = () => join(t.dir, "control.backup");
  const expectTampered = async (who = "admin") => {
    const r = await d.run(who, "org", "list");
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe("CONTROL_TAMPERED");
    const v = await d.run("admin", "audit", "verify");
    expect(v.code).toBe(3);
    const out = JSON.parse(v.stdout);
    expect(out.ok).toBe(false);
    return out;
  };

  beforeAll(async () => {
    d = await flowDomain(t.dir);
    await approvedScenario(d, "name,gender,age,income");
    jobId = (await d.ok("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "agg.js"))).id;
    libFile = join(d.dir, "libraries", "inc", "people.parquet");
  }, 300_000);
  afterAll(() => t.cleanup());

  it("a bit flip in a library file fails the job with LIBRARY_TAMPERED, audited", async () => {
    const good = readFileSync(libFile);
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)] ^= 0x01;
    writeFileSync(libFile, bad);
    // A failed raw job exits 3 and its developer sees only the bounded status; the operator sees why.
    let submitted: { id: string; state: string };
    try {
      const r = await d.run("dev", "job", "submit", "--scenario", "inc", "--sql", "SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender");
      expect(r.code, r.stdout + r.stderr).toBe(3);
      submitted = JSON.parse(r.stdout);
    } finally {
      writeFileSync(libFile, good);
    }
    expect(submitted.state).toBe("failed");
    const j = await d.ok("admin", "job", "status", submitted.id);
    expect(j).toMatchObject({ state: "failed", reason: "LIBRARY_TAMPERED" });
    const log = (await d.ok("admin", "audit", "log", "--object", `job:${j.id}`)) as { action: string; details: { reason?: string } }[];
    expect(log.map((e) => [e.action, e.details.reason ?? null])).toContainEqual(["job.failed", "LIBRARY_TAMPERED"]);
    expect((await d.ok("dev", "job", "submit", "--scenario", "inc", "--sql", "SELECT count(*)::INTEGER AS n FROM people")).state).toBe("succeeded");
  });

  it("a sample file replaced by raw rows never runs in dev mode (no raw row is printed; names are refused at job time anyway)", async () => {
    const sample = join(d.dir, "samples", "inc", "people.parquet");
    const good = readFileSync(sample);
    copyFileSync(libFile, sample);
    const r = await d.run("dev", "job", "dev", "--scenario", "inc", "--sql", "SELECT gender, age, income FROM people LIMIT 20");
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).error.code).toBe("LIBRARY_TAMPERED");
    const raw = readFileSync(join(t.dir, "people.csv"), "utf8").split("\n")[1].split(",")[0];
    expect(r.stdout + r.stderr).not.toContain(raw);
    writeFileSync(sample, good);
    expect((await d.run("dev", "job", "dev", "--scenario", "inc", "--sql", "SELECT gender, age FROM people LIMIT 5")).code).toBe(0);
  });

  it("an edited staged file or staged vault table cannot be requested or released (STAGING_TAMPERED)", async () => {
    const stagedFile = join(d.dir, "staging", jobId, readdirSync(join(d.dir, "staging", jobId)).find((n) => n.endsWith(".parquet"))!);
    const good = readFileSync(stagedFile);
    const bad = Buffer.from(good);
    bad[bad.length - 20] ^= 0xff;
    writeFileSync(stagedFile, bad);
    let r = await d.run("dev", "egress", "request", "--job", jobId, "--form", "dataset");
    expect(JSON.parse(r.stdout).error.code).toBe("STAGING_TAMPERED");
    writeFileSync(stagedFile, good);
    const table = (await sql(join(d.dir, "vault.duckdb"), `SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'stg_${jobId.replace(/[^A-Za-z0-9_]/g, "_")}')`))[0].table_name as string;
    await sql(join(d.dir, "vault.duckdb"), `CREATE TABLE keep AS SELECT * FROM "${table}"`, `UPDATE "${table}" SET n = n + 1`);
    r = await d.run("dev", "egress", "request", "--job", jobId, "--form", "dataset");
    expect(JSON.parse(r.stdout).error.code).toBe("STAGING_TAMPERED");
    await sql(join(d.dir, "vault.duckdb"), `DELETE FROM "${table}"`, `INSERT INTO "${table}" SELECT * FROM keep`, "DROP TABLE keep");
    // Checked, then the gate's output edited before release:
    const req = await d.ok("dev", "egress", "request", "--job", jobId, "--form", "dataset");
    expect(req.state).toBe("checked");
    const out = req.desensitization[0].output as string;
    await sql(join(d.dir, "vault.duckdb"), `UPDATE "${out}" SET n = n * 10`);
    r = await d.run("rev", "egress", "review", req.id, "--approve", "--reason", "看过");
    expect(JSON.parse(r.stdout).error.code).toBe("STAGING_TAMPERED");
    expect(readdirSync(join(d.dir, "outbox"))).toEqual([]);
  });

  it("an edited report.json cannot leave", async () => {
    writeFileSync(join(t.dir, "rep.js"), `export default async (ctx) => { const r = await ctx.query("SELECT count(*)::INTEGER AS n FROM people"); return { report: "共有记录若干" }; };`);
    const j = await d.ok("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "rep.js"));
    writeFileSync(join(d.dir, "staging", j.id, "report.json"), JSON.stringify("王小明 13800138000"));
    const r = await d.run("dev", "egress", "request", "--job", j.id, "--form", "report");
    expect(JSON.parse(r.stdout).error.code).toBe("STAGING_TAMPERED");
  });

  const edits: [string, string][] = [
    ["a developer's roles", `UPDATE accounts SET roles = '["developer","admin"]' WHERE id = 'alice'`],
    ["a scenario's grants", `UPDATE scenarios SET grants = '[{"dataset":"people","columns":["name","id_number","mobile","gender","age","income"]}]' WHERE id = 'inc'`],
    ["an agreement's end date", `UPDATE agreements SET end_date = DATE '2099-12-31'`],
    ["a request turned checked with no findings", `UPDATE egress SET state = 'checked', findings = '[]'`],
    ["a product row inserted", `INSERT INTO products VALUES ('prd-x', 'egr-x', 'inc', 'dev1', 'dataset', '/tmp/x.tar', 'ab', 'listed', now()::TIMESTAMP)`],
    ["a row's MAC deleted with the row", `DELETE FROM row_macs WHERE tbl = 'orgs' AND pk = '["wjw"]'`],
    ["a quality feedback forged against a provider", `INSERT INTO feedback VALUES ('fb-x', 'people', 'wjw', 'dev1', '数据有误', 'open', NULL, 'alice', now()::TIMESTAMP, DATE '2020-01-01', NULL)`],
    ["a developer's raw-job quota raised", `INSERT INTO job_quotas VALUES ('account', 'alice', 100000, 'admin', now()::TIMESTAMP)`],
    ["a scenario's job maxima lifted", `INSERT INTO scenario_limits VALUES ('inc', '{"wallMs":3600000,"memoryMiB":1024}', 'admin', now()::TIMESTAMP)`],
  ];
  for (const [what, statement] of edits) {
    it(`editing control.duckdb directly (${what}) is refused on every command and reported by audit verify`, async () => {
      copyFileSync(control(), backup());
      await sql(control(), statement);
      const out = await expectTampered("dev");
      expect(out.controlRows.tampered.length).toBeGreaterThan(0);
      copyFileSync(backup(), control());
      expect((await d.run("admin", "audit", "verify")).code).toBe(0);
    });
  }

  it("a truncated chain with a lowered anchor no longer verifies", async () => {
    copyFileSync(control(), backup());
    const file = join(d.dir, "audit", "chain.jsonl");
    const original = readFileSync(file, "utf8");
    const lines = original.trimEnd().split("\n");
    const kept = lines.slice(0, -3);
    const last = JSON.parse(kept.at(-1)!) as AuditEntry;
    writeFileSync(file, kept.join("\n") + "\n");
    await sql(control(), `UPDATE meta SET value = '${JSON.stringify({ seq: last.seq, hash: last.hash })}' WHERE key = 'audit_head'`);
    const out = await expectTampered();
    expect(out.controlRows.tampered).toContainEqual({ table: "meta", key: '["audit_head"]', problem: "edited" });
    copyFileSync(backup(), control());
    writeFileSync(file, original);
  });

  it("a chain rewritten with recomputed hashes fails its seal-signed checkpoints", async () => {
    const entries = readEntries(join(d.dir, "audit", "chain.jsonl"));
    const info = JSON.parse(readFileSync(join(d.dir, "domain.json"), "utf8")) as { id: string };
    const ok = verifyChain(entries, undefined, checkpointVerifier(join(d.dir, "keys"), info.id, entries));
    expect(ok).toMatchObject({ ok: true });
    expect(ok.checkpoints!.count).toBeGreaterThan(0);
    // Rewrite entry 2 (before init's checkpoint) and re-link everything after it: every hash is
    // valid again, the signatures are not. (Entries after the last checkpoint are held by the MAC'd head instead.)
    const forged: AuditEntry[] = [];
    for (const [i, e] of entries.entries()) {
      const f = { ...e, prev: i === 0 ? e.prev : forged[i - 1].hash, details: i === 1 ? { ...e.details, name: "forged" } : e.details };
      forged.push({ ...f, hash: entryHash(f) });
    }
    expect(verifyChain(forged)).toMatchObject({ ok: true }); // hashes alone cannot tell
    const r = verifyChain(forged, undefined, checkpointVerifier(join(d.dir, "keys"), info.id, forged));
    expect(r.ok).toBe(false);
    expect(r.problem).toMatch(/checkpoint .* not signed by the domain seal/);
  });

  it("a torn last line is reported as repairable, not tampering, and the next write truncates it", async () => {
    const file = join(d.dir, "audit", "chain.jsonl");
    appendFileSync(file, '{"action":"org.add","actor":"adm');
    const v = await d.ok("admin", "audit", "verify");
    expect(v).toMatchObject({ ok: true, tornTail: { repairable: true } });
    const r = await d.run("admin", "org", "add", "--id", "p9", "--name", "后来的", "--kind", "provider");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/recovered: cut a torn audit tail/);
    const after = await d.ok("admin", "audit", "verify");
    expect(after.ok).toBe(true);
    expect(after.tornTail).toBeUndefined();
  });
});

import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { authenticate } from "../../runtime/auth/authenticate.js";
import { Domain } from "../../runtime/domain/domain.js";
import { initDomain } from "../../runtime/domain/init.js";
import { startLocalCluster, type LocalCluster } from "../../runtime/scale/local-cluster.js";
import { PgConnection } from "../../runtime/scale/pg-connection.js";
import { readPgAudit } from "../../runtime/scale/pg-audit.js";
import { deserialize, serialize } from "node:v8";
import pg from "pg";
import { sm3Hex } from "../../crypto/index.js";
import { awaitRemoteOutcome } from "../../runtime/scale/remote-run.js";
import type { JobOutcome } from "../../sandbox/index.js";
import { BlobStore } from "../../runtime/scale/blob-store.js";
import { awaitResult, enqueueRun } from "../../runtime/scale/job-queue.js";
import { putContent, putOutcome, storageKeys } from "../../runtime/scale/object-envelope.js";
import { recordedVaultExport } from "../../runtime/scale/vault-export.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress, reviewEgress } from "../../runtime/services/egress.js";
import { jobStatus, stagedParts, submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import type { Session } from "../../runtime/services/session.js";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { tempDir, TEST_CONTROL, writeCsv } from "../helpers/fixture.js";
import { ensureWorkerBuilt, makeLibrary, sqlJob } from "../sandbox/fixtures.js";

/** Every file under `dir`, as bytes (what the bucket's disks hold). */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, bytes: readFileSync(p) });
  }
  return out;
}

describe.runIf(TEST_CONTROL === "postgresql")("staging through the bucket under the SM4 envelope: hosts hand back digests, the owner verifies and stages", () => {
  const t = tempDir("shuyu-scale-staging-");
  let cluster: LocalCluster;
  let domain: Domain;
  let admin: Session;
  let alice: Session;
  let rev: Session;
  let names: string[];
  const saved = process.env.SHUYU_S3_ENVELOPE;
  const MARKER = "STAGED-MARKER";
  const model = join(t.dir, "count.js");

  beforeAll(async () => {
    ensureWorkerBuilt();
    process.env.SHUYU_S3_ENVELOPE = "sm4";
    cluster = await startLocalCluster({ root: join(t.dir, "cluster"), hosts: 1, adminUrl: inject("pgAdminUrl") });
    const init = await initDomain({ dir: join(t.dir, "domain"), operator: "测试运营公司", control: cluster.controlUrl });
    domain = await Domain.open(join(t.dir, "domain"));
    const session = async (token: string): Promise<Session> => ({ domain, principal: await authenticate(domain, token) });
    admin = await session(init.token);
    await addOrg(admin, { id: "wjw", name: "卫健委", kind: "provider" });
    await addOrg(admin, { id: "dev1", name: "开发一", kind: "developer" });
    const tok = async (id: string, name: string, org: string, roles: string[]) => (await addAccount(admin, { id, name, org, roles })).token;
    const prov = await session(await tok("pw", "王提供", "wjw", ["provider"]));
    alice = await session(await tok("alice", "张三", "dev1", ["developer"]));
    rev = await session(await tok("rev", "李审查", "operator", ["reviewer"]));
    const rng = createRng(7);
    const rows = Array.from({ length: 300 }, (_, i) => [fakePersonName(rng), fakeResidentId(rng), i % 2 ? "F" : "M", 1000 + ((i * 37) % 9000)]);
    names = rows.map((r) => String(r[0]));
    const file = writeCsv(join(t.dir, "people.csv"), ["name", "id_number", "gender", "income"], rows);
    await ingestDataset(admin, { id: "people", file, provider: "wjw", grade: 2, subject: ["id_number"] });
    await addAgreement(admin, { id: "agr1", org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-12-31" });
    await submitScenario(alice, { id: "stats", purpose: "按性别统计人口数量用于公共服务规划", grants: ["people:name,id_number,gender,income"], until: "2027-06-30" });
    await approveScenario(admin, "stats");
    await approveScenario(prov, "stats");
    const sql = `SELECT gender, count(*)::INTEGER AS n, '${MARKER}-' || gender AS tag FROM people GROUP BY gender ORDER BY gender`;
    writeFileSync(model, `export default async (ctx) => ({ tables: { by_gender: (await ctx.query(${JSON.stringify(sql)})).columns } });`);
  });
  afterAll(async () => {
    domain?.close();
    await cluster?.stop();
    if (saved === undefined) delete process.env.SHUYU_S3_ENVELOPE;
    else process.env.SHUYU_S3_ENVELOPE = saved;
    t.cleanup();
  });

  it("an ordinary run: the host stores the outcome sealed, hands back its digest; the owner stages it and it is releasable; the bucket holds no plaintext", async () => {
    const outcomes: string[] = [];
    cluster.onObjectCreated((key) => key.startsWith("out/") && outcomes.push(key));
    const job = await submitJob(alice, { scenario: "stats", model });
    expect(job.state).toBe("succeeded");
    const status = await jobStatus(admin, job.id);
    expect(cluster.hosts.map((h) => h.id)).toContain(status.worker);
    const parts = await stagedParts(admin, job.id);
    expect(parts.find((p) => p.kind === "table")).toMatchObject({ rows: 2 });
    // The outcome went through the bucket (under this job's folder), and the owner removed it after staging.
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(new RegExp(`^out/${job.id}/[0-9a-f]{64}$`));
    expect(() => statSync(cluster.objectPath(outcomes[0]))).toThrow();
    // Every library object is sealed (sm4/<key id>/<SM3>), and no raw value is anywhere in the bucket's files.
    const files = filesUnder(join(t.dir, "cluster", "s3"));
    expect(files.some((f) => f.path.includes(`${join("libraries", "sm4")}`))).toBe(true);
    expect(files.some((f) => /libraries\/sm3\//.test(f.path))).toBe(false);
    for (const f of files) {
      for (const n of names.slice(0, 20)) expect(f.bytes.includes(Buffer.from(n)), `${n} in ${f.path}`).toBe(false);
      expect(f.bytes.includes(Buffer.from("PAR1")), f.path).toBe(false);
    }
    // Ingest on a scale-out owner exported the version to the bucket too, sealed (runtime/scale/vault-export.ts).
    const exported = await recordedVaultExport(domain, "people", 1);
    expect(exported?.name).toBe(`vault/sm4/${storageKeys(domain.paths.keys).keyId}/${exported?.sm3}`);
    expect(files.some((f) => f.path.includes(join("libraries", "vault", "sm4")))).toBe(true);
    const req = await requestEgress(alice, { job: job.id, form: "dataset" });
    const rel = await reviewEgress(rev, req.id, "approve", "聚合结果单元格充足");
    expect(rel.state).toBe("released");
  });

  it("an outcome object changed in the bucket before the owner fetches it is refused: the job fails OUTCOME_TAMPERED, nothing staged, audited", async () => {
    const tampered: string[] = [];
    // s3rver calls this as it stores the host's PUT, before it answers: the bytes change under the host's feet.
    cluster.onObjectCreated((key) => {
      if (!key.startsWith("out/") || tampered.length) return;
      const path = cluster.objectPath(key);
      const bytes = readFileSync(path);
      bytes[bytes.length - 40] ^= 0x01;
      writeFileSync(path, bytes);
      tampered.push(key);
    });
    const job = await submitJob(alice, { scenario: "stats", model });
    expect(tampered).toHaveLength(1);
    expect(tampered[0].startsWith(`out/${job.id}/`)).toBe(true);
    const status = await jobStatus(admin, job.id);
    expect(status).toMatchObject({ state: "failed", reason: "OUTCOME_TAMPERED", error: { code: "OUTCOME_TAMPERED" } });
    expect((await stagedParts(admin, job.id)).filter((p) => p.kind === "table")).toHaveLength(0);
    const pg = await PgConnection.connect(cluster.controlUrl);
    try {
      const entry = (await readPgAudit(pg)).find((e) => e.object === `job:${job.id}` && e.action === "job.failed");
      expect(entry?.details).toMatchObject({ reason: "OUTCOME_TAMPERED", errorCode: "OUTCOME_TAMPERED", worker: status.worker });
    } finally {
      await pg.end();
    }
    // The refused object stays in the bucket for whoever investigates.
    expect(statSync(cluster.objectPath(tampered[0])).isFile()).toBe(true);
    await expect(requestEgress(alice, { job: job.id, form: "dataset" })).rejects.toThrow();
  });

  it("a host given the wrong key for a sealed library file, or a changed ciphertext, refuses the run (LIBRARY_TAMPERED); the right key runs", async () => {
    const lib = await makeLibrary(t.dir, "lib", { people: "SELECT i AS id, i % 5 AS g FROM range(500) t(i)" });
    const file = readFileSync(lib.views[0].file);
    const keys = storageKeys(domain.paths.keys);
    const store = new BlobStore(cluster.s3);
    const pg = await PgConnection.connect(cluster.controlUrl);
    try {
      const ref = await putContent(store, file, { keys });
      const wrong = storageKeys(t.dir).objectKey(ref.sm3);
      const run = async (job: string, key: string | undefined, object = ref.name) => {
        await pg.run("BEGIN");
        await enqueueRun(pg, { job, spec: sqlJob(lib, "SELECT g, count(*) AS n FROM people GROUP BY g"), files: [{ name: lib.views[0].file.split("/").pop()!, sm3: ref.sm3, bytes: ref.bytes, object, ...(key ? { key } : {}) }], outcome: {} });
        await pg.run("COMMIT");
        const handed = deserialize((await awaitResult(cluster.controlUrl, job, 90_000)).outcome) as JobOutcome & { shuyuOutcome?: string };
        return handed;
      };
      expect(await run("x-wrong-key", Buffer.from(wrong).toString("hex"))).toMatchObject({ state: "failed", reason: "LIBRARY_TAMPERED" });
      expect(await run("x-no-key", undefined)).toMatchObject({ state: "failed", reason: "LIBRARY_TAMPERED" });
      // The sealed object with one byte changed in the bucket (the host has no verified copy cached: it never opened it).
      const path = cluster.objectPath(ref.name);
      const good = readFileSync(path);
      const bad = Buffer.from(good);
      bad[30] ^= 0x01;
      writeFileSync(path, bad);
      expect(await run("x-flipped", ref.key)).toMatchObject({ state: "failed", reason: "LIBRARY_TAMPERED" });
      writeFileSync(path, good);
      // The right key: the host runs it and hands back a reference (the outcome went to the bucket).
      expect(await run("x-right-key", ref.key)).toMatchObject({ shuyuOutcome: "s3" });
    } finally {
      await pg.end();
      store.close();
    }
  });

  it("a host cannot point the owner at another object, nor hand back an unsealed outcome under the envelope (OUTCOME_TAMPERED)", async () => {
    const keys = storageKeys(domain.paths.keys);
    const out = { url: cluster.controlUrl, s3: cluster.s3, keys };
    const store = new BlobStore(cluster.s3);
    // What a host may do with the worker role: finish a run it claimed with any reference it likes.
    const host = new pg.Client({ connectionString: cluster.workerUrl });
    await host.connect();
    const ownerDb = new pg.Client({ connectionString: cluster.controlUrl });
    await ownerDb.connect();
    const complete = async (job: string, ref: unknown) => {
      // The row shuyu_claim would leave, written by the owner so the cluster's own host cannot take the run first.
      const token = `evil-host/${job}`;
      await ownerDb.query("SELECT graphile_worker.add_job('shuyu_run', json_build_object('job', $1::text), job_key => $1, max_attempts => 2, run_at => now() + interval '1 day')", [job]);
      await ownerDb.query("UPDATE graphile_worker._private_jobs SET locked_by = $2, locked_at = now(), attempts = 1 WHERE key = $1", [job, token]);
      await host.query("SELECT shuyu_complete($1, $2, $3, $4)", [token, job, serialize({ shuyuOutcome: "s3", ref }), 0]);
    };
    try {
      const outcome = serialize({ state: "succeeded", outputs: { tables: {}, logs: [] }, queries: 0 });
      // Another job's sealed outcome, well formed: refused because it is not this job's.
      const other = await putOutcome(store, "job-other", outcome, keys.publicKey);
      await complete("job-a", other);
      expect((await awaitRemoteOutcome(out, "job-a")).outcome).toMatchObject({ state: "failed", reason: "OUTCOME_TAMPERED" });
      // This job's outcome in the clear while the envelope is on.
      const plain = await putOutcome(store, "job-b", outcome);
      await complete("job-b", plain);
      expect((await awaitRemoteOutcome(out, "job-b")).outcome).toMatchObject({ state: "failed", reason: "OUTCOME_TAMPERED" });
      // A library object's name dressed as an outcome.
      await complete("job-c", { name: `sm3/${sm3Hex(outcome)}`, sm3: sm3Hex(outcome), bytes: outcome.length });
      expect((await awaitRemoteOutcome(out, "job-c")).outcome).toMatchObject({ state: "failed", reason: "OUTCOME_TAMPERED" });
      // The same job's sealed outcome is taken (and removed from the bucket).
      const good = await putOutcome(store, "job-d", outcome, keys.publicKey);
      await complete("job-d", good);
      expect((await awaitRemoteOutcome(out, "job-d")).outcome).toMatchObject({ state: "succeeded" });
      expect(await store.has(good.name)).toBe(false);
    } finally {
      await host.end();
      await ownerDb.end();
      store.close();
    }
  });
});

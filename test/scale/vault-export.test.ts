import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../../runtime/auth/authenticate.js";
import { exec, ident, one } from "../../runtime/domain/db.js";
import { Domain } from "../../runtime/domain/domain.js";
import { tableDigest } from "../../runtime/jobs/staged-digest.js";
import type { S3Settings } from "../../runtime/scale/blob-store.js";
import { storageKeys } from "../../runtime/scale/object-envelope.js";
import { exportVaultVersion, fetchVaultVersion, recordedVaultExport, restoreVaultVersion, vaultCacheDir, type VaultStore } from "../../runtime/scale/vault-export.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import type { Session } from "../../runtime/services/session.js";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { cli, newDomain, tempDir, writeCsv } from "../helpers/fixture.js";

/** Every file s3rver keeps under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: { code?: string }) => e.code ?? String(e),
  );
}

describe("the raw vault at scale: dataset versions as Parquet partitions in the bucket (real s3rver, real DuckDB)", () => {
  const t = tempDir("shuyu-vault-export-");
  const s3Dir = join(t.dir, "s3");
  let srv: S3rver;
  let s3: S3Settings;
  let env: Awaited<ReturnType<typeof newDomain>>;
  let domain: Domain;
  let admin: Session;
  let names: string[];
  const table = "ds_people_v1";
  const objectFile = (name: string) => join(s3Dir, s3.bucket, `${name}._S3rver_object`);
  const wipe = async () => {
    await domain.exclusive(() => exec(domain.vault, `DROP TABLE IF EXISTS ${ident(table)}`));
    rmSync(vaultCacheDir(domain), { recursive: true, force: true });
  };
  const digest = () => domain.exclusive(() => tableDigest(domain.vault, table));
  const envRef = () => env;

  beforeAll(async () => {
    srv = new S3rver({ address: "127.0.0.1", port: 0, directory: s3Dir, silent: true });
    const { port } = await srv.run();
    s3 = { endpoint: `http://127.0.0.1:${port}`, bucket: "vault", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    env = await newDomain();
    domain = await Domain.open(env.dir);
    admin = { domain, principal: await authenticate(domain, env.adminToken) };
    await addOrg(admin, { id: "wjw", name: "卫健委", kind: "provider" });
    const rng = createRng(11);
    // Text, integers, dates, decimals and an empty (NULL) cell: the types ingest produces, round-tripped through Parquet.
    const rows = Array.from({ length: 250 }, (_, i) => [fakePersonName(rng), fakeResidentId(rng), i % 2 ? "F" : "M", 1000 + ((i * 37) % 9000), `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`, i % 7 ? (i / 8).toFixed(3) : ""]);
    names = rows.map((r) => String(r[0]));
    const v = await ingestDataset(admin, { id: "people", file: writeCsv(join(t.dir, "people.csv"), ["name", "id_number", "gender", "income", "birth", "score"], rows), provider: "wjw", grade: 2, subject: ["id_number"] });
    expect(v.columns.map((c) => c.type)).toEqual(expect.arrayContaining(["DATE"]));
  });
  afterAll(async () => {
    domain?.close();
    await srv?.close();
    env?.cleanup();
    t.cleanup();
  });

  it("export, wipe the local copy, restore from the bucket: the same content and the same partition SM3s", async () => {
    const store: VaultStore = { s3 };
    const before = await digest();
    const r = await exportVaultVersion(admin, "people", { partRows: 100, store });
    expect(r).toMatchObject({ dataset: "people", version: 1, parts: 3, rows: 250 });
    expect(r.manifest.name).toBe(`vault/sm3/${r.manifest.sm3}`);
    expect(await recordedVaultExport(domain, "people", 1)).toEqual(r.manifest);
    await wipe();
    expect(await domain.exclusive(() => one(domain.vault, "SELECT 1 AS x FROM duckdb_tables() WHERE table_name = ?", [table]))).toBeUndefined();
    const restored = await restoreVaultVersion(admin, "people", 1, store);
    expect(restored).toMatchObject({ rows: 250, parts: 3, table });
    expect(await digest()).toBe(before);
    // The same version exported again from the restored table gives the very same manifest (same partitions, same SM3).
    const again = await exportVaultVersion(admin, "people", { partRows: 100, store });
    expect(again.manifest.sm3).toBe(r.manifest.sm3);
    // A restore over a vault that still holds the table is refused (nothing to restore).
    expect(await code(restoreVaultVersion(admin, "people", 1, store))).toBe("VAULT_TABLE_PRESENT");
  });

  it("a tampered partition in the bucket is refused (VAULT_PARTITION_TAMPERED) and nothing is rebuilt", async () => {
    const store: VaultStore = { s3 };
    const ref = (await recordedVaultExport(domain, "people", 1))!;
    const manifest = JSON.parse(readFileSync(objectFile(ref.name), "utf8")) as { parts: { object: string }[] };
    const path = objectFile(manifest.parts[1].object);
    const good = readFileSync(path);
    const bad = Buffer.from(good);
    bad[bad.length >> 1] ^= 0x01;
    writeFileSync(path, bad);
    await wipe();
    expect(await code(restoreVaultVersion(admin, "people", 1, store))).toBe("VAULT_PARTITION_TAMPERED");
    expect(await domain.exclusive(() => one(domain.vault, "SELECT 1 AS x FROM duckdb_tables() WHERE table_name = ?", [table]))).toBeUndefined();
    // A manifest changed in the bucket (a partition dropped) no longer hashes to what the control store recorded.
    writeFileSync(path, good);
    const mpath = objectFile(ref.name);
    const mgood = readFileSync(mpath);
    writeFileSync(mpath, JSON.stringify({ ...JSON.parse(mgood.toString()), parts: manifest.parts.slice(0, 2) }));
    expect(await code(restoreVaultVersion(admin, "people", 1, store))).toBe("VAULT_PARTITION_TAMPERED");
    writeFileSync(mpath, mgood);
    await restoreVaultVersion(admin, "people", 1, store);
  });

  it("a cached partition changed on the owner's disk is fetched and verified again, never read as it is", async () => {
    const store: VaultStore = { s3 };
    const first = await fetchVaultVersion(domain, "people", 1, store);
    const f = first.files[0];
    rmSync(f, { force: true });
    writeFileSync(f, "PAR1 not the partition", { mode: 0o600 });
    const second = await fetchVaultVersion(domain, "people", 1, store);
    expect(second.files[0]).toBe(f);
    expect(readFileSync(f).toString("latin1").startsWith("PAR1")).toBe(true);
    expect(readFileSync(f).length).toBe(first.manifest.parts[0].bytes);
  });

  it("under the SM4 envelope the partitions and the manifest are sealed: the bucket holds no raw value, and restore needs the domain's key", async () => {
    const keys = storageKeys(domain.paths.keys);
    const sealed: VaultStore = { s3, keys };
    const before = await digest();
    const r = await exportVaultVersion(admin, "people", { partRows: 100, store: sealed });
    expect(r.manifest.name).toBe(`vault/sm4/${keys.keyId}/${r.manifest.sm3}`);
    const sealedFiles = filesUnder(join(s3Dir, s3.bucket, "vault", "sm4"));
    expect(sealedFiles.filter((f) => f.endsWith("._S3rver_object"))).toHaveLength(4);
    for (const f of sealedFiles) {
      const bytes = readFileSync(f);
      for (const n of names.slice(0, 25)) expect(bytes.includes(Buffer.from(n)), f).toBe(false);
      expect(bytes.includes(Buffer.from("PAR1")), f).toBe(false);
    }
    await wipe();
    expect(await code(restoreVaultVersion(admin, "people", 1, { s3 }))).toBe("S3_ENVELOPE_REQUIRED");
    // Another domain's storage key does not open this domain's partitions.
    const otherKeys = storageKeys(join(t.dir));
    expect(await code(restoreVaultVersion(admin, "people", 1, { s3, keys: { ...otherKeys, keyId: keys.keyId } }))).toBe("VAULT_PARTITION_TAMPERED");
    await restoreVaultVersion(admin, "people", 1, sealed);
    expect(await digest()).toBe(before);
  });

  it("the CLI: shuyu dataset export-vault, then restore-vault after the vault lost the table (the domain's own S3 settings: sealed even with the envelope off)", async () => {
    const before = await digest();
    domain.close();
    const env = { SHUYU_S3_ENDPOINT: s3.endpoint, SHUYU_S3_BUCKET: s3.bucket, SHUYU_S3_ACCESS_KEY: s3.accessKeyId, SHUYU_S3_SECRET_KEY: s3.secretAccessKey, SHUYU_S3_ENVELOPE: "" };
    const run = (...args: string[]) => cli(["--domain", env_.dir, "--token", env_.adminToken, "--json", ...args], env);
    const env_ = envRef();
    const exported = await run("dataset", "export-vault", "people");
    expect(exported.code, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ dataset: "people", version: 1, rows: 250, parts: 1 });
    // Raw data is never put in the clear: the domain's own vault store seals, whatever SHUYU_S3_ENVELOPE says.
    expect(JSON.parse(exported.stdout).manifest.name).toMatch(/^vault\/sm4\//);
    const present = await run("dataset", "restore-vault", "people", "1");
    expect(present.code, present.stdout + present.stderr).toBe(3);
    expect(present.stdout + present.stderr).toMatch(/VAULT_TABLE_PRESENT/);
    domain = await Domain.open(env_.dir);
    await wipe();
    domain.close();
    const restored = await run("dataset", "restore-vault", "people", "1");
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ rows: 250, parts: 1, table });
    domain = await Domain.open(env_.dir);
    admin = { domain, principal: await authenticate(domain, env_.adminToken) };
    expect(await digest()).toBe(before);
  }, 120_000);
});

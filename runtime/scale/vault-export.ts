import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sm3Hex } from "../../crypto/index.js";
import { authorize } from "../../policies/authz/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { all, exec, ident, literal, one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import type { Session } from "../services/session.js";
import { BlobStore, s3FromEnv, type S3Settings } from "./blob-store.js";
import { getVerified, putContent, storageKeys, type ObjectRef, type StorageKeys } from "./object-envelope.js";

/**
 * The raw vault at scale (issue 18): each dataset version exported to Parquet partitions in the
 * S3-compatible bucket, content-addressed (`vault/sm3/<SM3>`, or sealed `vault/sm4/<key id>/<SM3>`
 * under the envelope), with a manifest per version naming every partition by SM3. The manifest's
 * own reference is kept in the owner's control store (a MAC'd `meta` row): the bucket is never
 * trusted for what a version holds. The owner rebuilds a version from the bucket into a local
 * verified cache (DOMAIN/vault-cache/…, each file checked against its SM3 again before DuckDB reads
 * it) and then into the vault; DuckDB never reads the bucket (no httpfs).
 */
export const VAULT_MANIFEST_FORMAT = "shuyu-vault-version/1";

/** Rows per Parquet partition (SHUYU_VAULT_PART_ROWS; 1 M by default: tens of MB compressed for typical public tables). */
const DEFAULT_PART_ROWS = Number(process.env.SHUYU_VAULT_PART_ROWS) > 0 ? Number(process.env.SHUYU_VAULT_PART_ROWS) : 1_000_000;

/** One version's manifest, as stored in the bucket. */
export interface VaultManifest {
  format: typeof VAULT_MANIFEST_FORMAT;
  dataset: string;
  version: number;
  table: string;
  rows: number;
  sourceSm3: string;
  /** The vault table's columns and DuckDB types: a restore that reads back other types is refused. */
  columns: { name: string; type: string }[];
  /** Partitions in row order: rowid ranges [from, to) of the vault table. */
  parts: { object: string; sm3: string; bytes: number; rows: number; from: number; to: number }[];
}

/** Where a domain's vault objects go: the bucket from SHUYU_S3_*, and the key that seals them. */
export interface VaultStore {
  s3: S3Settings;
  keys?: StorageKeys;
}

/**
 * The vault's bucket settings when SHUYU_S3_ENDPOINT is set (undefined otherwise). Raw data is
 * always sealed under the domain's storage key, whatever SHUYU_S3_ENVELOPE says: that setting is
 * for libraries and outcomes (granted columns, read by hosts); the raw vault is read by the owner
 * alone, so sealing it costs no key distribution, and a bucket outside the owner's disk must not
 * hold raw records in the clear.
 */
export function vaultStoreOf(domain: Domain): VaultStore | undefined {
  if (!process.env.SHUYU_S3_ENDPOINT) return undefined;
  return { s3: s3FromEnv(), keys: storageKeys(domain.paths.keys) };
}

/** A vault table's columns and types, in order. */
async function columnsOf(domain: Domain, table: string): Promise<{ name: string; type: string }[]> {
  return (await all<{ column_name: string; column_type: string }>(domain.vault, `DESCRIBE ${ident(table)}`)).map((c) => ({ name: c.column_name, type: c.column_type }));
}

const metaKey = (dataset: string, version: number) => `vault_export:${dataset}:${version}`;

/** The local verified cache of vault partitions. */
export function vaultCacheDir(domain: Domain): string {
  return join(domain.paths.dir, "vault-cache");
}

async function versionRow(domain: Domain, dataset: string, version?: number): Promise<{ version: number; vault_table: string; row_count: number; source_sm3: string }> {
  const row = version === undefined
    ? await one<{ version: number; vault_table: string; row_count: number; source_sm3: string }>(domain.control, "SELECT version, vault_table, row_count, source_sm3 FROM datasets WHERE id = ? AND state = 'current'", [dataset])
    : await one<{ version: number; vault_table: string; row_count: number; source_sm3: string }>(domain.control, "SELECT version, vault_table, row_count, source_sm3 FROM datasets WHERE id = ? AND version = ? AND state <> 'purged'", [dataset, version]);
  if (!row) throw new ShuyuError("invalid", "NOT_FOUND", `dataset '${dataset}'${version === undefined ? "" : ` version ${version}`} does not exist`, { details: { what: "dataset", id: dataset } });
  return { ...row, version: Number(row.version), row_count: Number(row.row_count) };
}

/**
 * Exports one dataset version to Parquet partitions in the bucket and records its manifest
 * (a `dataset.vault-export` audit entry and the manifest's reference, in one transaction).
 */
export async function exportVaultVersion(s: Session, dataset: string, opts: { version?: number; partRows?: number; store?: VaultStore } = {}): Promise<{ dataset: string; version: number; manifest: ObjectRef; parts: number; rows: number }> {
  authorize(s.principal, "dataset.ingest");
  const domain = s.domain;
  const target = opts.store ?? vaultStoreOf(domain);
  if (!target) throw new ShuyuError("usage", "S3_SETTINGS_MISSING", "SHUYU_S3_ENDPOINT is not set: the vault exports to S3-compatible storage (docs/scale-out.md)");
  const v = await versionRow(domain, dataset, opts.version);
  const partRows = opts.partRows ?? DEFAULT_PART_ROWS;
  const work = join(vaultCacheDir(domain), `.export-${randomBytes(6).toString("hex")}`);
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const store = new BlobStore(target.s3);
  try {
    await store.ensureBucket();
    const parts: VaultManifest["parts"] = [];
    // rowid ranges keep the vault's row order, partition by partition (ingest never deletes rows).
    const span = await domain.exclusive(() => one<{ hi: bigint | number | null }>(domain.vault, `SELECT max(rowid) AS hi FROM ${ident(v.vault_table)}`));
    const hi = span?.hi === null || span?.hi === undefined ? -1 : Number(span.hi);
    for (let from = 0, i = 0; from <= hi || (hi < 0 && i === 0); from += partRows, i++) {
      const to = from + partRows;
      const file = join(work, `part-${i}.parquet`);
      const rows = await domain.exclusive(async () => {
        await exec(domain.vault, `COPY (SELECT * FROM ${ident(v.vault_table)} WHERE rowid >= ${from} AND rowid < ${to} ORDER BY rowid) TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
        return Number((await one<{ n: bigint }>(domain.vault, `SELECT count(*) AS n FROM ${ident(v.vault_table)} WHERE rowid >= ${from} AND rowid < ${to}`))!.n);
      });
      const ref = await putContent(store, readFileSync(file), { prefix: "vault/", keys: target.keys });
      parts.push({ object: ref.name, sm3: ref.sm3, bytes: ref.bytes, rows, from, to });
      rmSync(file, { force: true });
      if (hi < 0) break;
    }
    const columns = await domain.exclusive(() => columnsOf(domain, v.vault_table));
    const manifest: VaultManifest = { format: VAULT_MANIFEST_FORMAT, dataset, version: v.version, table: v.vault_table, rows: v.row_count, sourceSm3: v.source_sm3, columns, parts };
    const mref = await putContent(store, Buffer.from(JSON.stringify(manifest)), { prefix: "vault/", keys: target.keys });
    const recorded: ObjectRef = { name: mref.name, sm3: mref.sm3, bytes: mref.bytes };
    await domain.mutate(async () => {
      await domain.control.run("INSERT OR REPLACE INTO meta VALUES (?, ?)", [metaKey(dataset, v.version), JSON.stringify(recorded)]);
      await domain.audit({
        actor: s.principal.accountId, action: "dataset.vault-export", object: `dataset:${dataset}`,
        details: { version: v.version, manifestSm3: mref.sm3, parts: parts.length, rows: v.row_count, sealed: !!target.keys },
      });
    });
    return { dataset, version: v.version, manifest: recorded, parts: parts.length, rows: v.row_count };
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The manifest reference the control store holds for a version, or undefined if it was never exported. */
export async function recordedVaultExport(domain: Domain, dataset: string, version: number): Promise<ObjectRef | undefined> {
  const row = await one<{ value: string }>(domain.control, "SELECT value FROM meta WHERE key = ?", [metaKey(dataset, version)]);
  return row ? (JSON.parse(row.value) as ObjectRef) : undefined;
}

/** The key a vault object opens with: derived from the owner's storage key when sealed. */
function refOf(name: string, sm3: string, bytes: number, keys: StorageKeys | undefined): ObjectRef {
  const sealed = /(^|\/)sm4\//.test(name);
  if (sealed && !keys) throw new ShuyuError("usage", "S3_ENVELOPE_REQUIRED", `${name} is sealed: set SHUYU_S3_ENVELOPE=sm4 to open it with the domain's storage key`);
  return { name, sm3, bytes, ...(sealed ? { key: Buffer.from(keys!.objectKey(sm3)).toString("hex") } : {}) };
}

/**
 * Fetches a version's partitions from the bucket into the local verified cache: the manifest
 * against the SM3 the control store recorded, each partition against the manifest, each
 * cached file again before use. Returns the local files in row order. VAULT_PARTITION_TAMPERED
 * for anything that does not verify.
 */
export async function fetchVaultVersion(domain: Domain, dataset: string, version: number, store?: VaultStore): Promise<{ manifest: VaultManifest; files: string[] }> {
  const target = store ?? vaultStoreOf(domain);
  if (!target) throw new ShuyuError("usage", "S3_SETTINGS_MISSING", "SHUYU_S3_ENDPOINT is not set: the vault's partitions live in S3-compatible storage (docs/scale-out.md)");
  const recorded = await recordedVaultExport(domain, dataset, version);
  if (!recorded) throw new ShuyuError("invalid", "VAULT_NOT_EXPORTED", `dataset '${dataset}' version ${version} was never exported to the bucket`, { details: { dataset, version } });
  const blobs = new BlobStore(target.s3);
  try {
    const code = "VAULT_PARTITION_TAMPERED";
    const manifest = JSON.parse((await getVerified(blobs, refOf(recorded.name, recorded.sm3, recorded.bytes, target.keys), code)).toString("utf8")) as VaultManifest;
    if (manifest.format !== VAULT_MANIFEST_FORMAT || manifest.dataset !== dataset || manifest.version !== version) {
      throw new ShuyuError("invalid", code, `the manifest of ${dataset} v${version} names another version`, { details: { dataset, version } });
    }
    const dir = join(vaultCacheDir(domain), dataset, `v${version}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files: string[] = [];
    for (const p of manifest.parts) {
      const path = join(dir, `${p.sm3}.parquet`);
      const cached = existsSync(path) && sm3Hex(readFileSync(path)) === p.sm3;
      if (!cached) {
        rmSync(path, { force: true });
        const bytes = await getVerified(blobs, refOf(p.object, p.sm3, p.bytes, target.keys), code);
        const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
        writeFileSync(tmp, bytes, { mode: 0o400 });
        renameSync(tmp, path);
      }
      // Verified on use, not only on download: the cache is a disk like any other.
      if (sm3Hex(readFileSync(path)) !== p.sm3) throw new ShuyuError("invalid", code, `cached partition ${path} changed after it was verified`, { details: { dataset, version, sm3: p.sm3 } });
      files.push(path);
    }
    return { manifest, files };
  } finally {
    blobs.close();
  }
}

/**
 * Rebuilds a version's vault table from the bucket (a lost or wiped vault copy): fetch and
 * verify into the local cache, load into a fresh table, check the row count, then rename it
 * into place and audit `dataset.vault-restore`. Refused while the vault still holds the table.
 */
export async function restoreVaultVersion(s: Session, dataset: string, version: number, store?: VaultStore): Promise<{ dataset: string; version: number; rows: number; parts: number; table: string }> {
  authorize(s.principal, "dataset.ingest");
  const domain = s.domain;
  const v = await versionRow(domain, dataset, version);
  const present = await all<{ t: string }>(domain.vault, "SELECT table_name AS t FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ?", [v.vault_table]);
  if (present.length) throw new ShuyuError("invalid", "VAULT_TABLE_PRESENT", `the vault still holds ${v.vault_table}: nothing to restore`, { details: { dataset, version } });
  const { manifest, files } = await fetchVaultVersion(domain, dataset, version, store);
  const tmp = `${v.vault_table}__restore_${randomBytes(4).toString("hex")}`;
  await domain.exclusive(async () => {
    await exec(domain.vault, `CREATE TABLE ${ident(tmp)} AS SELECT * FROM read_parquet([${files.map(literal).join(", ")}])`);
    const n = Number((await one<{ n: bigint }>(domain.vault, `SELECT count(*) AS n FROM ${ident(tmp)}`))!.n);
    if (n !== manifest.rows || n !== v.row_count) {
      await exec(domain.vault, `DROP TABLE ${ident(tmp)}`);
      throw new ShuyuError("invalid", "VAULT_PARTITION_TAMPERED", `the partitions hold ${n} rows; the catalog says ${v.row_count}`, { details: { dataset, version } });
    }
    // Parquet keeps DuckDB's types for what ingest produces; a type it would not keep is caught here, not in a job.
    const got = await columnsOf(domain, tmp);
    if (JSON.stringify(got) !== JSON.stringify(manifest.columns)) {
      await exec(domain.vault, `DROP TABLE ${ident(tmp)}`);
      throw new ShuyuError("internal", "VAULT_RESTORE_TYPES", `the partitions read back as (${got.map((c) => `${c.name} ${c.type}`).join(", ")}), not as exported`, { details: { dataset, version, exported: manifest.columns, got } });
    }
    await exec(domain.vault, `ALTER TABLE ${ident(tmp)} RENAME TO ${ident(v.vault_table)}`);
  });
  await domain.mutate(() =>
    domain.audit({ actor: s.principal.accountId, action: "dataset.vault-restore", object: `dataset:${dataset}`, details: { version, parts: files.length, rows: manifest.rows } }),
  );
  return { dataset, version, rows: manifest.rows, parts: files.length, table: v.vault_table };
}

/**
 * Called once by ingest: in scale-out mode (PostgreSQL control store and a bucket) the new
 * version is exported too. A failure leaves the ingest as it is and comes back as a warning
 * (`shuyu dataset export-vault` retries it).
 */
export async function exportAfterIngest(s: Session, dataset: string, version: number): Promise<string[]> {
  if (s.domain.controlKind !== "postgresql" || !process.env.SHUYU_S3_ENDPOINT) return [];
  try {
    await exportVaultVersion(s, dataset, { version });
    return [];
  } catch (err) {
    return [`version ${version} was not exported to the bucket (${err instanceof ShuyuError ? err.code : "INTERNAL"}); retry with: shuyu dataset export-vault ${dataset} ${version}`];
  }
}

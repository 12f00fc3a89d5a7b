/**
 * Backup and restore (HLJ 16, HB 17, ZJ 17: backup is a platform duty). A backup is a
 * consistent snapshot taken while the domain runs: inside the owner's exclusive section
 * (no write of this process interleaves; DuckDB admits no other writing process) both
 * stores are written with EXPORT DATABASE (an MVCC snapshot), with the audit chain, the
 * libraries, samples, staging, outbox and logs as files. The keys directory is sealed
 * under a key derived from an operator passphrase (SM4-CTR + HMAC-SM3). A manifest lists
 * every file with its SM3 and is signed by the domain seal (GM/T 0010 SignedData);
 * `restore` checks all of it before it builds a new domain, whose chain then verifies.
 */
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { AEAD_KEY_BYTES, aeadOpen, aeadSeal, parseCertificate, signData, sm3Hex, verifySignedData } from "../../crypto/index.js";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { readEntries, verifyChain } from "../audit/chain.js";
import { now } from "../clock.js";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { SqlConnection } from "../domain/sql-connection.js";
import { all, exec, ident, literal, openDuckDB } from "../domain/db.js";
import { Domain, type DomainInfo } from "../domain/domain.js";
import { writeFileDurable } from "../domain/durable-file.js";
import { domainPaths } from "../domain/layout.js";
import { loadSeal } from "../domain/seal.js";
import type { Session } from "../services/session.js";

export const BACKUP_FORMAT = "shuyu-backup/1";
const KDF_ITERATIONS = 200_000;
/** Directories copied as files (the stores, chain and keys are handled apart). */
const FILE_DIRS = ["libraries", "samples", "staging", "outbox", "logs"] as const;

/** What manifest.json records. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  domain: DomainInfo;
  createdAt: string;
  createdBy: string;
  auditHead: { seq: number; hash: string } | null;
  sealSm3: string;
  keys: { file: "keys.sealed"; kdf: "PBKDF2-HMAC-SM3"; iterations: number; salt: string };
  files: { path: string; sm3: string; bytes: number }[];
}

function filesUnder(root: string, dir = root): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(root, join(dir, e.name)) : [join(dir, e.name)])).sort();
}

/**
 * Writes a store's persistent tables as `schema.json` (their CREATE statements) and one
 * Parquet file per table. Like EXPORT DATABASE, but blind to the connection's temporary
 * tables (EXPORT DATABASE fails on a connection holding one, measured on 1.5.6).
 * Run inside the exclusive section, each COPY reads the same committed state.
 */
async function exportStore(conn: SqlConnection, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tables = await all<{ table_name: string; sql: string }>(conn, "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary ORDER BY table_name");
  const schema = tables.map((t, i) => ({ table: t.table_name, sql: t.sql, file: `t${String(i).padStart(5, "0")}.parquet` }));
  for (const t of schema) await exec(conn, `COPY main.${ident(t.table)} TO ${literal(join(dir, t.file))} (FORMAT parquet, COMPRESSION zstd)`);
  writeFileSync(join(dir, "schema.json"), JSON.stringify(schema, null, 2) + "\n");
}

/** Recreates the tables exportStore wrote and loads their rows. */
async function importStore(conn: DuckDBConnection, dir: string): Promise<void> {
  const schema = JSON.parse(readFileSync(join(dir, "schema.json"), "utf8")) as { table: string; sql: string; file: string }[];
  for (const t of schema) {
    await exec(conn, t.sql);
    await exec(conn, `INSERT INTO main.${ident(t.table)} SELECT * FROM read_parquet(${literal(join(dir, t.file))})`);
  }
}

function passphraseKey(passphrase: string | undefined, salt: Buffer, iterations: number): Uint8Array {
  if (!passphrase || passphrase.length < 12) throw new ShuyuError("usage", "PASSPHRASE_REQUIRED", "a backup's keys are sealed under a passphrase of at least 12 characters: --passphrase-env VAR names the environment variable holding it");
  return pbkdf2Sync(passphrase, salt, iterations, AEAD_KEY_BYTES, "sm3");
}

/** Writes a sealed, consistent snapshot of the running domain into `out` (new or empty). */
export async function createBackup(s: Session, out: string, passphrase: string | undefined): Promise<{ dir: string; manifestSm3: string; files: number; auditHead: BackupManifest["auditHead"] }> {
  authorize(s.principal, "backup.create");
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) throw new ShuyuError("invalid", "DIRECTORY_NOT_EMPTY", `${out} exists and is not an empty directory`);
  const salt = randomBytes(16);
  const key = passphraseKey(passphrase, salt, KDF_ITERATIONS);
  const p = s.domain.paths;
  if (s.domain.controlKind !== "duckdb") {
    throw new ShuyuError("invalid", "BACKUP_SCALE_OUT", "this domain's control store is PostgreSQL: back it up with pg_dump beside the domain folder (docs/scale-out.md)");
  }
  const result = await s.domain.exclusive(async () => {
    mkdirSync(out, { recursive: true });
    await exportStore(s.domain.control, join(out, "control"));
    await exportStore(s.domain.vault, join(out, "vault"));
    mkdirSync(join(out, "audit"), { recursive: true });
    cpSync(p.audit, join(out, "audit", "chain.jsonl"));
    for (const d of FILE_DIRS) if (existsSync(join(p.dir, d))) cpSync(join(p.dir, d), join(out, "files", d), { recursive: true });
    cpSync(p.marker, join(out, "domain.json"));
    const keys = Object.fromEntries(filesUnder(p.keys).map((f) => [relative(p.keys, f), readFileSync(f).toString("base64")]));
    writeFileSync(join(out, "keys.sealed"), aeadSeal(key, Buffer.from(JSON.stringify(keys)), Buffer.from(BACKUP_FORMAT)), { mode: 0o600 });
    const head = await s.domain.auditAnchor();
    return { head: head ?? null };
  });
  const seal = loadSeal(p.keys);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT, domain: s.domain.info, createdAt: now().toISOString(), createdBy: s.principal.accountId, auditHead: result.head, sealSm3: seal.fingerprint,
    keys: { file: "keys.sealed", kdf: "PBKDF2-HMAC-SM3", iterations: KDF_ITERATIONS, salt: salt.toString("hex") },
    files: filesUnder(out).map((f) => {
      const data = readFileSync(f);
      return { path: relative(out, f), sm3: sm3Hex(data), bytes: data.length };
    }),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
  writeFileDurable(join(out, "manifest.json"), bytes);
  writeFileDurable(join(out, "manifest.sig"), Buffer.from(signData(bytes, { privateKey: seal.privateKey, certificate: seal.certificateDer, detached: true })));
  const manifestSm3 = sm3Hex(bytes);
  await s.domain.audit({ actor: s.principal.accountId, action: "backup.create", object: `domain:${s.domain.info.id}`, details: { dir: out, manifestSm3, files: manifest.files.length, auditHead: result.head } });
  return { dir: out, manifestSm3, files: manifest.files.length, auditHead: result.head };
}

/** Checks a backup's signature and every file's SM3; returns the manifest. */
export function verifyBackup(dir: string, pinnedCertSm3?: string): BackupManifest {
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f));
    } catch {
      throw new ShuyuError("invalid", "NOT_A_BACKUP", `${dir} holds no ${f}: not a shuyu backup`);
    }
  };
  const bytes = read("manifest.json");
  const v = verifySignedData(new Uint8Array(read("manifest.sig")), { content: new Uint8Array(bytes) });
  const manifest = JSON.parse(bytes.toString("utf8")) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new ShuyuError("invalid", "NOT_A_BACKUP", `unknown backup format ${manifest.format}`);
  if (sm3Hex(v.certificate.der) !== manifest.sealSm3) throw new ShuyuError("invalid", "BACKUP_TAMPERED", "the manifest is signed by another seal than the one it names");
  if (pinnedCertSm3 && pinnedCertSm3.toLowerCase() !== manifest.sealSm3) throw new ShuyuError("invalid", "SEAL_MISMATCH", `the backup is sealed by ${manifest.sealSm3}, not the pinned seal ${pinnedCertSm3}`);
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const f of manifest.files) {
    const data = read(f.path);
    if (sm3Hex(data) !== f.sm3) throw new ShuyuError("invalid", "BACKUP_TAMPERED", `${f.path} differs from the sealed manifest (SM3 mismatch)`, { details: { file: f.path } });
  }
  const extra = filesUnder(dir).map((f) => relative(dir, f)).filter((f) => f !== "manifest.json" && f !== "manifest.sig" && !listed.has(f));
  if (extra.length) throw new ShuyuError("invalid", "BACKUP_TAMPERED", `${extra.join(", ")} were added after the backup was sealed`, { details: { files: extra } });
  return manifest;
}

/** Rebuilds a domain in `target` (new or empty) from a verified backup. */
export async function restoreBackup(dir: string, target: string, passphrase: string | undefined, pinnedCertSm3?: string): Promise<{ dir: string; domain: string; entries: number; auditOk: boolean }> {
  const manifest = verifyBackup(dir, pinnedCertSm3);
  const key = passphraseKey(passphrase, Buffer.from(manifest.keys.salt, "hex"), manifest.keys.iterations);
  let keys: Record<string, string>;
  try {
    keys = JSON.parse(Buffer.from(aeadOpen(key, readFileSync(join(dir, "keys.sealed")), Buffer.from(BACKUP_FORMAT))).toString("utf8")) as Record<string, string>;
  } catch {
    throw new ShuyuError("denied", "WRONG_PASSPHRASE", "the passphrase does not open this backup's keys");
  }
  const cert = keys["seal.cert.pem"] ? parseCertificate(Buffer.from(keys["seal.cert.pem"], "base64").toString("utf8")) : undefined;
  if (!cert || sm3Hex(cert.der) !== manifest.sealSm3) throw new ShuyuError("invalid", "BACKUP_TAMPERED", "the sealed keys do not hold the seal that signed the manifest");
  if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) throw new ShuyuError("invalid", "DIRECTORY_NOT_EMPTY", `${target} exists and is not an empty directory`);
  const p = domainPaths(target);
  for (const d of [p.dir, p.auditDir, p.keys, p.libraries, p.samples, p.staging, p.outbox]) mkdirSync(d, { recursive: true });
  for (const [name, b64] of Object.entries(keys)) {
    mkdirSync(dirname(join(p.keys, name)), { recursive: true });
    writeFileDurable(join(p.keys, name), Buffer.from(b64, "base64"), 0o600);
  }
  for (const [store, file] of [["control", p.control], ["vault", p.vault]] as const) {
    const db = await openDuckDB(file);
    const c = await db.connect();
    try {
      await importStore(c, join(dir, store));
      await exec(c, "CHECKPOINT");
    } finally {
      c.closeSync();
      db.closeSync();
    }
  }
  cpSync(join(dir, "audit", "chain.jsonl"), p.audit);
  for (const d of FILE_DIRS) if (existsSync(join(dir, "files", d))) cpSync(join(dir, "files", d), join(p.dir, d), { recursive: true });
  // The chain must agree with the head the restored control store recorded, and every
  // protected row with its MAC (the control key came back with the keys): the restore
  // entry then goes through the write protocol like any other, re-sealing the audit head.
  const domain = await Domain.attach(p, manifest.domain);
  let entries = 0;
  let ok = false;
  try {
    // A backup of a domain older than row MACs has no control key: its first open seals the rows as found.
    await domain.loadRowMacs();
    const rows = await domain.scanControl(true);
    if (rows.tampered.length) throw new ShuyuError("invalid", "BACKUP_TAMPERED", `the restored control store fails its row MACs: ${rows.tampered.slice(0, 5).map((r) => `${r.table} ${r.key} (${r.problem})`).join(", ")}`, { details: { rows: rows.tampered.slice(0, 100) } });
    const v = verifyChain(readEntries(p.audit), await domain.auditAnchor());
    if (!v.ok) throw new ShuyuError("invalid", "BACKUP_TAMPERED", `the restored audit chain does not verify: ${v.problem}`);
    await domain.exclusive(() => domain.audit({ actor: "restore", action: "domain.restore", object: `domain:${manifest.domain.id}`, details: { from: dir, backupAt: manifest.createdAt, manifestSm3: sm3Hex(readFileSync(join(dir, "manifest.json"))) } }));
    entries = v.entries + 1;
    ok = true;
  } finally {
    domain.close();
  }
  // The marker last, as at init: a half-restored directory is not a domain.
  writeFileDurable(p.marker, readFileSync(join(dir, "domain.json")));
  return { dir: target, domain: manifest.domain.id, entries, auditOk: ok };
}

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { AEAD_ALGORITHM, aeadSeal, envelope, generateAeadKey, readPublicKey, signData, sm3Hex } from "../../crypto/index.js";
import { canonicalReleaseSql, DEFAULT_PRECISION } from "../../policies/disclosure/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { now } from "../clock.js";
import { all, exec, ident, literal } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { writeFileDurable } from "../domain/durable-file.js";
import { loadSeal } from "../domain/seal.js";
import { packTar, type TarEntry } from "./tar.js";

export const PACKAGE_FORMAT = "shuyu-package/1";

/** Everything a released product's manifest states (DESIGN §9). */
export interface PackageInput {
  product: string;
  form: string;
  scenario: { id: string; purpose: string; agreement: string; org: string };
  datasets: { dataset: string; columns: string[] }[];
  job: { id: string; codeSm3: string };
  desensitization: unknown;
  findings: { rule: string; severity: string }[];
  reviewers: { by: string; org: string; at: string }[];
  requestedBy: string;
  /** Released tables; `columns` (with types) lets the writer round floats; the gate's row number column is never written. */
  tables: { name: string; vaultTable: string; columns?: { name: string; type: string }[] }[];
  /** Significant digits of floating values (scenario policy; default 6). */
  precision?: number;
  model?: unknown;
  report?: string;
  index?: number[];
  /** PEM of an SM2 public key (or certificate): data files are wrapped to it. */
  recipientPem?: string;
}

export interface ManifestFile {
  path: string;
  sm3: string;
  bytes: number;
  /** Set when the stored file is sealed to a recipient: the SM3 of the plaintext inside (AAD = its original path). */
  plainSm3?: string;
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  product: string;
  form: string;
  domain: { id: string; operator: string; sealSm3: string };
  scenario: PackageInput["scenario"];
  datasets: PackageInput["datasets"];
  job: PackageInput["job"];
  desensitization: unknown;
  checks: PackageInput["findings"];
  reviewers: PackageInput["reviewers"];
  requestedBy: string;
  releasedAt: string;
  encryption: null | { algorithm: string; recipientSm3: string };
  /** How the CSV copies differ from the data (spreadsheet formula guard). */
  csv: string;
  /** How released tables were written so that row order and low-order digits carry nothing. */
  canonical: { rowOrder: string; floatSignificantDigits: number };
  files: ManifestFile[];
}

/** What the manifest says about CSV files. */
export const CSV_NOTE =
  "CSV files: a text cell or header beginning with = + - @ TAB or CR is prefixed with ' so spreadsheets read it as text, not a formula; the Parquet files hold the values unchanged";

const FORMULA_START = "('=', '+', '-', '@', chr(9), chr(13))";
const PLAIN_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN|DATE|TIMESTAMP.*|TIME)$/;

/** A header or text value as the CSV shows it: a leading formula character is neutralised by a leading quote. */
export function csvText(v: string): string {
  return /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

/** The SELECT list that exports a vault table to CSV with formula-like text cells and headers quoted as text. */
async function csvSelect(domain: Domain, from: string): Promise<string> {
  const cols = await all<{ column_name: string; column_type: string }>(domain.vault, `DESCRIBE SELECT * FROM ${from}`);
  return cols
    .map((c) => {
      const col = ident(c.column_name);
      if (PLAIN_TYPES.test(c.column_type)) return `${col} AS ${ident(csvText(c.column_name))}`;
      const text = `CAST(${col} AS VARCHAR)`;
      return `CASE WHEN left(${text}, 1) IN ${FORMULA_START} THEN '''' || ${text} ELSE ${text} END AS ${ident(csvText(c.column_name))}`;
    })
    .join(", ");
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, "_");

/** The product's data files, exported from the vault's desensitized tables. */
async function dataFiles(domain: Domain, input: PackageInput): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const tmp = mkdtempSync(join(domain.paths.staging, ".pkg-"));
  const used = new Set<string>();
  try {
    for (const t of input.tables) {
      // Names of other scripts all map to '_': number a repeat instead of overwriting the first file.
      let stem = safeName(t.name);
      for (let n = 2; used.has(stem.toLowerCase()); n++) stem = `${safeName(t.name)}-${n}`;
      used.add(stem.toLowerCase());
      const base = join(tmp, stem);
      const columns = t.columns ?? (await all<{ column_name: string; column_type: string }>(domain.vault, `DESCRIBE SELECT * FROM ${ident(t.vaultTable)}`)).map((c) => ({ name: c.column_name, type: c.column_type }));
      const select = canonicalReleaseSql(t.vaultTable, columns, input.precision ?? DEFAULT_PRECISION);
      await exec(domain.vault, `COPY (${select}) TO ${literal(base + ".parquet")} (FORMAT parquet, COMPRESSION zstd)`);
      await exec(domain.vault, `COPY (SELECT ${await csvSelect(domain, `(${select})`)} FROM (${select})) TO ${literal(base + ".csv")} (FORMAT csv, HEADER true)`);
      out.push({ name: `data/${stem}.parquet`, data: readFileSync(base + ".parquet") });
      out.push({ name: `data/${stem}.csv`, data: readFileSync(base + ".csv") });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (input.model !== undefined) out.push({ name: "data/model.json", data: Buffer.from(JSON.stringify(input.model, null, 2)) });
  if (input.report !== undefined) out.push({ name: "data/report.md", data: Buffer.from(input.report) });
  if (input.index !== undefined) out.push({ name: "data/index.json", data: Buffer.from(JSON.stringify(input.index)) });
  return out;
}

/**
 * Builds the product package: manifest.json, the data files (optionally each in an SM4
 * envelope to the recipient), and manifest.sig, a GM/T 0010 SignedData over the manifest
 * by the domain seal with its certificate. Written once into outbox/ through the write
 * protocol: inside the caller's transaction (a release, whose product row registers it) or,
 * called alone, in one of its own (recovery then removes it, as no product row names it).
 */
export function sealPackage(domain: Domain, input: PackageInput): Promise<{ path: string; sm3: string; manifest: Manifest }> {
  return domain.mutate(() => writePackage(domain, input));
}

async function writePackage(domain: Domain, input: PackageInput): Promise<{ path: string; sm3: string; manifest: Manifest }> {
  const seal = loadSeal(domain.paths.keys);
  let files = await dataFiles(domain, input);
  const manifestFiles: ManifestFile[] = [];
  let recipientKey: Uint8Array | undefined;
  if (input.recipientPem) {
    try {
      recipientKey = readPublicKey(input.recipientPem);
    } catch (err) {
      throw new ShuyuError("invalid", "INVALID_RECIPIENT", `--recipient is not an SM2 public key PEM: ${(err as Error).message}`);
    }
  }
  if (recipientKey) {
    // Each file under one random AEAD key (fast for large data); only that key travels in a GM/T 0010 envelope.
    const key = generateAeadKey();
    files = files.map((f) => {
      const sealed = aeadSeal(key, f.data, Buffer.from(f.name));
      manifestFiles.push({ path: `${f.name}.sealed`, sm3: sm3Hex(sealed), bytes: sealed.length, plainSm3: sm3Hex(f.data) });
      return { name: `${f.name}.sealed`, data: sealed };
    });
    const wrapped = envelope(key, recipientKey);
    manifestFiles.push({ path: "key.p7m", sm3: sm3Hex(wrapped), bytes: wrapped.length });
    files.push({ name: "key.p7m", data: wrapped });
  } else {
    for (const f of files) manifestFiles.push({ path: f.name, sm3: sm3Hex(f.data), bytes: f.data.length });
  }
  const manifest: Manifest = {
    format: PACKAGE_FORMAT,
    product: input.product,
    form: input.form,
    domain: { id: domain.info.id, operator: domain.info.operator.name, sealSm3: seal.fingerprint },
    scenario: input.scenario,
    datasets: input.datasets,
    job: input.job,
    desensitization: input.desensitization,
    checks: input.findings,
    reviewers: input.reviewers,
    requestedBy: input.requestedBy,
    releasedAt: now().toISOString(),
    canonical: {
      rowOrder: "rows sorted by every column, left to right (ORDER BY ALL, NULLs last); the model's row order is not kept",
      floatSignificantDigits: input.precision ?? DEFAULT_PRECISION,
    },
    encryption: recipientKey ? { algorithm: `${AEAD_ALGORITHM}; key in key.p7m (GM/T 0010 EnvelopedData, SM2)`, recipientSm3: sm3Hex(recipientKey) } : null,
    csv: CSV_NOTE,
    files: manifestFiles,
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + "\n");
  const sig = signData(manifestBytes, { privateKey: seal.privateKey, certificate: seal.certificateDer, detached: true });
  const tar = packTar([{ name: "manifest.json", data: manifestBytes }, { name: "manifest.sig", data: sig }, ...files]);
  // Write protocol: the package lands under a temporary name; the rename follows the commit that registers it.
  const path = join(domain.paths.outbox, `${input.product}.tar`);
  writeFileDurable(domain.pendingPath(path), tar);
  return { path, sm3: sm3Hex(tar), manifest };
}

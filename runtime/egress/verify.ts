import { aeadOpen, openEnvelope, sm3Hex, verifySignedData } from "../../crypto/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { checkJsonInput } from "../../policies/limits.js";
import type { Manifest } from "./package.js";
import { PACKAGE_FORMAT } from "./package.js";
import { unpackTar } from "./tar.js";

/** What an outsider learns from a package that verifies. */
export interface PackageVerification {
  ok: true;
  product: string;
  form: string;
  signer: { subject: string; serialNumber: string };
  signingTime: string;
  certificateSm3: string;
  manifest: Manifest;
}

const fail = (part: string, message: string) => new ShuyuError("invalid", "PACKAGE_INVALID", `${part}: ${message}`, { details: { part } });

/**
 * Verifies a package with nothing but its bytes (DESIGN §9): the seal's signature over
 * the manifest, the certificate's self-signature and validity, every file's SM3, and
 * that no file is missing or extra. `pinnedCertSm3` pins the domain's seal.
 */
export function verifyPackage(bytes: Uint8Array, opts: { pinnedCertSm3?: string } = {}): PackageVerification {
  const entries = unpackTar(bytes);
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const manifestBytes = byName.get("manifest.json");
  const sig = byName.get("manifest.sig");
  if (!manifestBytes) throw fail("manifest.json", "missing");
  if (!sig) throw fail("manifest.sig", "missing");
  let verified;
  try {
    verified = verifySignedData(sig, { content: manifestBytes });
  } catch (err) {
    throw fail("manifest.sig", `the seal's signature does not verify over manifest.json (${(err as Error).message})`);
  }
  const certSm3 = sm3Hex(verified.certificate.der);
  if (opts.pinnedCertSm3 && opts.pinnedCertSm3.toLowerCase() !== certSm3) throw fail("manifest.sig", `signed by certificate ${certSm3}, not the pinned ${opts.pinnedCertSm3}`);
  let manifest: Manifest;
  try {
    const text = Buffer.from(manifestBytes).toString("utf8");
    checkJsonInput(text, "manifest.json", { maxBytes: 64 * 1024 * 1024 });
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    if (err instanceof ShuyuError) throw err;
    throw fail("manifest.json", "not JSON");
  }
  if (manifest.format !== PACKAGE_FORMAT) throw fail("manifest.json", `unknown format ${String(manifest.format)}`);
  if (manifest.domain?.sealSm3 !== certSm3) throw fail("manifest.json", "names a different seal certificate than the one that signed it");
  const listed = new Set<string>();
  for (const f of manifest.files) {
    listed.add(f.path);
    const data = byName.get(f.path);
    if (!data) throw fail(f.path, "listed in the manifest but missing");
    if (data.length !== f.bytes || sm3Hex(data) !== f.sm3) throw fail(f.path, "SM3 digest does not match the manifest (changed)");
  }
  for (const name of byName.keys()) {
    if (name !== "manifest.json" && name !== "manifest.sig" && !listed.has(name)) throw fail(name, "not listed in the manifest (added)");
  }
  return {
    ok: true,
    product: manifest.product,
    form: manifest.form,
    signer: { subject: verified.signer.subject, serialNumber: verified.signer.serialNumber },
    signingTime: verified.signingTime.toISOString(),
    certificateSm3: certSm3,
    manifest,
  };
}

/** Verifies, then decrypts a package sealed to the holder of `privateKey`; returns the plaintext files, each checked against its manifest SM3. */
export function openPackage(bytes: Uint8Array, privateKey: Uint8Array, opts: { pinnedCertSm3?: string } = {}): { verification: PackageVerification; files: { name: string; data: Uint8Array }[] } {
  const verification = verifyPackage(bytes, opts);
  const entries = new Map(unpackTar(bytes).map((e) => [e.name, e.data]));
  const wrapped = entries.get("key.p7m");
  if (!verification.manifest.encryption || !wrapped) {
    return { verification, files: verification.manifest.files.map((f) => ({ name: f.path, data: entries.get(f.path)! })) };
  }
  let key: Uint8Array;
  try {
    key = openEnvelope(wrapped, privateKey);
  } catch (err) {
    throw new ShuyuError("invalid", "NOT_THE_RECIPIENT", `key.p7m does not open with this private key (${(err as Error).message})`);
  }
  const files: { name: string; data: Uint8Array }[] = [];
  for (const f of verification.manifest.files) {
    if (!f.path.endsWith(".sealed")) continue;
    const name = f.path.slice(0, -".sealed".length);
    const data = aeadOpen(key, entries.get(f.path)!, Buffer.from(name));
    if (sm3Hex(data) !== f.plainSm3) throw fail(f.path, "decrypted content does not match the manifest's plaintext SM3");
    files.push({ name, data });
  }
  return { verification, files };
}

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { certificateToPem, createSelfSignedCertificate, parseCertificate, privateKeyToPem, publicKeyToPem, readPrivateKey, sm3Hex } from "../../crypto/index.js";
import { generateKeyPair } from "../../crypto/sm2/index.js";
import { writeFileDurable } from "./durable-file.js";

/** The domain seal (GY 26 电子印章): SM2 key, its certificate, and the fingerprint outsiders pin. */
export interface Seal {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
  certificateDer: Uint8Array;
  certificatePem: string;
  /** SM3 of the certificate DER, hex. */
  fingerprint: string;
}

const files = (keysDir: string) => ({
  key: join(keysDir, "seal.key.pem"),
  pub: join(keysDir, "seal.pub.pem"),
  cert: join(keysDir, "seal.cert.pem"),
  pass: join(keysDir, "seal.pass"),
});

/**
 * Creates the seal key pair and a self-signed sm2sign-with-sm3 certificate. The private key
 * is stored as PKCS#8 PBES2/SM4-CBC; its passphrase sits in keys/seal.pass (mode 0600)
 * unless SHUYU_SEAL_PASSPHRASE supplies it, so an operator can keep it off the disk.
 */
export async function createSeal(keysDir: string, operator: string, domainId: string): Promise<{ fingerprint: string }> {
  const f = files(keysDir);
  const pass = process.env.SHUYU_SEAL_PASSPHRASE ?? randomBytes(32).toString("base64url");
  if (!process.env.SHUYU_SEAL_PASSPHRASE) writeFileDurable(f.pass, pass, 0o600);
  const kp = generateKeyPair();
  const cert = createSelfSignedCertificate({
    subject: { commonName: `shuyu domain seal ${domainId}`, organization: operator, country: "CN" },
    privateKey: kp.privateKey,
    publicKey: kp.publicKey,
    days: 3650,
  });
  // Fewer PBKDF2 rounds than the interactive default: the passphrase is 256 random bits, not a human password.
  writeFileDurable(f.key, privateKeyToPem(kp.privateKey, { passphrase: pass, iterations: 10_000 }), 0o600);
  writeFileDurable(f.pub, publicKeyToPem(kp.publicKey));
  writeFileDurable(f.cert, certificateToPem(cert));
  return { fingerprint: sm3Hex(cert) };
}

/** Loads the seal (decrypting the private key). */
export function loadSeal(keysDir: string): Seal {
  const f = files(keysDir);
  const pass = process.env.SHUYU_SEAL_PASSPHRASE ?? readFileSync(f.pass, "utf8");
  const key = readPrivateKey(readFileSync(f.key), { passphrase: pass });
  const certificatePem = readFileSync(f.cert, "utf8");
  const parsed = parseCertificate(certificatePem);
  return { privateKey: key.privateKey, publicKey: key.publicKey, certificateDer: parsed.der, certificatePem, fingerprint: sm3Hex(parsed.der) };
}

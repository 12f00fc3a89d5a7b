import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import smCrypto from "sm-crypto";
import { afterAll, describe, expect, it } from "vitest";
import { envelope, openEnvelope } from "../../crypto/cms/enveloped-data.js";
import { signData, verifySignedData } from "../../crypto/cms/signed-data.js";
import { publicKeyToPem } from "../../crypto/keys/spki.js";
import { generateKeyPair } from "../../crypto/sm2/index.js";
import { certificateToPem, createSelfSignedCertificate } from "../../crypto/x509/certificate.js";
import { openssl, opensslStatus } from "./openssl-cli.js";

const dir = mkdtempSync(join(tmpdir(), "shuyu-cms-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const errorOf = (f: () => unknown): { code: string; details: Record<string, unknown> } => {
  try {
    f();
  } catch (err) {
    const e = err as { code?: string; details?: Record<string, unknown> };
    return { code: e.code ?? String(err), details: e.details ?? {} };
  }
  return { code: "none", details: {} };
};

const seal = generateKeyPair();
const cert = createSelfSignedCertificate({
  subject: { commonName: "domain seal", organization: "Operator", country: "CN" },
  privateKey: seal.privateKey,
  publicKey: seal.publicKey,
  notBefore: new Date("2026-01-01T00:00:00Z"),
  serialNumber: 0x5ea1n,
});
const signingTime = new Date("2026-11-25T02:20:07Z");
const manifest = Buffer.from(JSON.stringify({ product: "p-1", files: { "data.parquet": "ab".repeat(32) } }));

/** Walks forge's tree by child indexes. */
function at(node: forge.asn1.Asn1, ...path: number[]): forge.asn1.Asn1 {
  return path.reduce((n, i) => (n.value as forge.asn1.Asn1[])[i], node);
}

describe("GM/T 0010 SignedData (R6 electronic seal)", () => {
  it("R6: attached signature verifies and names the signer (certificate subject, serial) and signing time", () => {
    const der = signData(manifest, { privateKey: seal.privateKey, certificate: cert, signingTime });
    const v = verifySignedData(der);
    expect(v.signer.commonName).toBe("domain seal");
    expect(v.signer.subject).toBe("C=CN, O=Operator, CN=domain seal");
    expect(v.signer.serialNumber).toBe("5ea1");
    expect(v.signingTime.toISOString()).toBe(signingTime.toISOString());
    expect(Buffer.from(v.content).equals(manifest)).toBe(true);
    expect(hex(v.signer.publicKey)).toBe(hex(seal.publicKey));
    const other = Buffer.from(manifest);
    other[0] ^= 1;
    expect(errorOf(() => verifySignedData(der, { content: other })).details.what).toBe("content");
  });

  it("uses the GM/T 0010 / GM/T 0006 OIDs, as `openssl asn1parse` shows", () => {
    const der = signData(manifest, { privateKey: seal.privateKey, certificate: cert, signingTime });
    const dump = openssl(["asn1parse", "-inform", "DER"], der).toString();
    expect(dump).toContain("1.2.156.10197.6.1.4.2.2");
    expect(dump).toContain("1.2.156.10197.6.1.4.2.1");
    expect(dump).toMatch(/:sm3\b/);
    expect(dump).toMatch(/1\.2\.156\.10197\.1\.301\.1|sm2sign/i);
    expect(dump).toMatch(/:signingTime/);
    expect(dump).toMatch(/:messageDigest/);
  });

  it("the SignerInfo signature verifies with `openssl pkeyutl` (SM3, distid) over the attributes as a SET", () => {
    const der = signData(manifest, { privateKey: seal.privateKey, certificate: cert, signingTime });
    const root = forge.asn1.fromDer(Buffer.from(der).toString("latin1"), { decodeBitStrings: false } as never);
    const signedData = at(root, 1, 0);
    const signerInfo = at(signedData, (signedData.value as forge.asn1.Asn1[]).length - 1, 0);
    const attrs = at(signerInfo, 3);
    const asSet = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attrs.value as forge.asn1.Asn1[]);
    const attrsPath = join(dir, "attrs.der");
    const sigPath = join(dir, "sig.der");
    const pubPath = join(dir, "pub.pem");
    writeFileSync(attrsPath, Buffer.from(forge.asn1.toDer(asSet).getBytes(), "latin1"));
    writeFileSync(sigPath, Buffer.from(at(signerInfo, 5).value as string, "latin1"));
    writeFileSync(pubPath, publicKeyToPem(seal.publicKey));
    const args = ["pkeyutl", "-verify", "-pubin", "-inkey", pubPath, "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", attrsPath, "-sigfile", sigPath];
    const r = opensslStatus(args);
    expect(r.stdout + r.stderr).toMatch(/Signature Verified Successfully/);
  });

  it("detached: needs the content, accepts the right content, rejects a changed one naming the digest", () => {
    const der = signData(manifest, { privateKey: seal.privateKey, certificate: cert, detached: true, signingTime });
    expect(Buffer.from(der).includes(manifest)).toBe(false);
    expect(errorOf(() => verifySignedData(der)).code).toBe("CONTENT_REQUIRED");
    expect(verifySignedData(der, { content: manifest }).signer.commonName).toBe("domain seal");
    const changed = Buffer.from(manifest);
    changed[5] ^= 1;
    const e = errorOf(() => verifySignedData(der, { content: changed }));
    expect(e.code).toBe("SIGNATURE_INVALID");
    expect(e.details.what).toBe("message digest");
  });

  it("attack: a changed byte anywhere in an attached SignedData fails with SIGNATURE_INVALID", () => {
    const der = signData(manifest, { privateKey: seal.privateKey, certificate: cert, signingTime });
    const accepted: number[] = [];
    const otherCodes = new Set<string>();
    // Every 4th byte (SM2 verification in JavaScript is the cost), plus the whole signature tail.
    const positions = [...Array(der.length).keys()].filter((i) => i % 4 === 1 || i > der.length - 80);
    for (const i of positions) {
      const bad = Buffer.from(der);
      bad[i] ^= 0x04;
      const e = errorOf(() => verifySignedData(bad));
      if (e.code === "none") accepted.push(i);
      else if (e.code !== "SIGNATURE_INVALID") otherCodes.add(e.code);
    }
    expect(accepted).toEqual([]);
    expect([...otherCodes]).toEqual([]);
  });

  it("attack: a signature by another key over a copied certificate, and an untrusted signer, are refused", () => {
    const mallory = generateKeyPair();
    expect(errorOf(() => signData(manifest, { privateKey: mallory.privateKey, certificate: cert })).code).toBe("KEY_CERT_MISMATCH");
    const selfMade = createSelfSignedCertificate({ subject: { commonName: "domain seal", organization: "Operator", country: "CN" }, ...mallory });
    const der = signData(manifest, { privateKey: mallory.privateKey, certificate: selfMade });
    expect(verifySignedData(der).signer.commonName).toBe("domain seal"); // a look-alike verifies on its own…
    const e = errorOf(() => verifySignedData(der, { trustedPublicKey: seal.publicKey }));
    expect(e.code).toBe("SIGNATURE_INVALID"); // …but not against the domain's trusted key
    expect(e.details.what).toBe("signer");
  });

  it("attack: a signing time outside the certificate's validity is refused", () => {
    const der = signData(manifest, { privateKey: seal.privateKey, certificate: cert, signingTime: new Date("2025-06-01T00:00:00Z") });
    const e = errorOf(() => verifySignedData(der));
    expect(e.code).toBe("SIGNATURE_INVALID");
    expect(e.details.what).toBe("certificate");
  });
});

describe("R6 GM/T 0010 EnvelopedData", () => {
  it("round-trips to a bare public key, a PEM public key and a certificate recipient", () => {
    const bob = generateKeyPair();
    const content = randomBytes(5000);
    expect(hex(openEnvelope(envelope(content, bob.publicKey), bob.privateKey))).toBe(hex(content));
    expect(hex(openEnvelope(envelope(content, publicKeyToPem(bob.publicKey)), bob.privateKey))).toBe(hex(content));
    const bobCert = createSelfSignedCertificate({ subject: { commonName: "bob" }, ...bob });
    const env = envelope(content, certificateToPem(bobCert));
    expect(hex(openEnvelope(env, bob.privateKey, { certificate: bobCert }))).toBe(hex(content));
    expect(hex(openEnvelope(env, bob.privateKey))).toBe(hex(content));
    expect(errorOf(() => openEnvelope(env, generateKeyPair().privateKey)).code).toBe("ENVELOPE_NOT_FOR_KEY");
  });

  it("is standard SM2 + SM4-CBC: sm-crypto recovers the key from SM2Cipher, `openssl enc -d -sm4-cbc` the content", () => {
    const bob = generateKeyPair();
    const content = randomBytes(777);
    const der = envelope(content, bob.publicKey);
    const dump = openssl(["asn1parse", "-inform", "DER"], der).toString();
    expect(dump).toContain("1.2.156.10197.6.1.4.2.3");
    expect(dump).toMatch(/1\.2\.156\.10197\.1\.301\.3|sm2encrypt/i);
    expect(dump).toMatch(/sm4-cbc|1\.2\.156\.10197\.1\.104\.2/);
    const root = forge.asn1.fromDer(Buffer.from(der).toString("latin1"), { decodeBitStrings: false } as never);
    const env = at(root, 1, 0);
    const ri = at(env, 1, 0);
    const sm2Cipher = forge.asn1.fromDer(at(ri, 3).value as string);
    const num = (n: forge.asn1.Asn1) => Buffer.from(n.value as string, "latin1").toString("hex").replace(/^00(?=[0-9a-f]{64}$)/, "").padStart(64, "0");
    const c1c3c2 = num(at(sm2Cipher, 0)) + num(at(sm2Cipher, 1)) + Buffer.from(at(sm2Cipher, 2).value as string, "latin1").toString("hex") + Buffer.from(at(sm2Cipher, 3).value as string, "latin1").toString("hex");
    const key = Buffer.from(smCrypto.sm2.doDecrypt(c1c3c2, hex(bob.privateKey), 1, { output: "array" }) as unknown as number[]);
    expect(key.length).toBe(16);
    const eci = at(env, 2);
    const iv = Buffer.from(at(eci, 1, 1).value as string, "latin1");
    const ct = Buffer.from(at(eci, 2).value as string, "latin1");
    const plain = openssl(["enc", "-d", "-sm4-cbc", "-K", key.toString("hex"), "-iv", iv.toString("hex")], ct);
    expect(plain.equals(content)).toBe(true);
  });

  it("serves several recipients, each with their own key", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const der = envelope(Buffer.from("for both"), [a.publicKey, b.publicKey]);
    expect(Buffer.from(openEnvelope(der, a.privateKey)).toString()).toBe("for both");
    expect(Buffer.from(openEnvelope(der, b.privateKey)).toString()).toBe("for both");
  });

  it("attack: another key cannot open it; a changed wrapped key is detected (SM2 C3)", () => {
    const bob = generateKeyPair();
    const eve = generateKeyPair();
    const der = Buffer.from(envelope(randomBytes(64), bob.publicKey));
    expect(errorOf(() => openEnvelope(der, eve.privateKey)).code).toBe("ENVELOPE_NOT_FOR_KEY");
    // The SM2 ciphertext's C3 hash (inside encryptedKey) detects a changed key byte.
    const root = forge.asn1.fromDer(der.toString("latin1"), { decodeBitStrings: false } as never);
    const wrapped = Buffer.from(at(root, 1, 0, 1, 0, 3).value as string, "latin1");
    const pos = der.indexOf(wrapped) + wrapped.length - 1;
    const badKey = Buffer.from(der);
    badKey[pos] ^= 1;
    expect(errorOf(() => openEnvelope(badKey, bob.privateKey)).code).toMatch(/ENVELOPE_DECRYPT_FAILED/);
  });
});

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import forge from "node-forge";
import smCrypto from "sm-crypto";
import { afterAll, describe, expect, it } from "vitest";
import { decryptPkcs8, encryptPkcs8 } from "../../crypto/keys/pbes2.js";
import { decodePkcs8, encodePkcs8, privateKeyToPem, readPrivateKey } from "../../crypto/keys/pkcs8.js";
import { fromPem } from "../../crypto/keys/pem.js";
import { decodeSpki, encodeSpki, publicKeyToPem, readPublicKey } from "../../crypto/keys/spki.js";
import { generateKeyPair } from "../../crypto/sm2/index.js";
import { openssl, opensslStatus } from "./openssl-cli.js";

const dir = mkdtempSync(join(tmpdir(), "shuyu-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
let n = 0;
const file = (name: string, data?: string | Uint8Array) => {
  const p = join(dir, `${n++}-${name}`);
  if (data !== undefined) writeFileSync(p, data);
  return p;
};
const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return "none";
};

/** The private scalar as `openssl pkey -text` prints it. */
function opensslPrivHex(path: string, extra: string[] = []): string {
  const text = openssl(["pkey", "-in", path, "-noout", "-text", ...extra]).toString();
  const m = /priv:\s*([\s\S]*?)\npub:/.exec(text);
  return (m?.[1] ?? "").replace(/[\s:]/g, "").replace(/^00(?=[0-9a-f]{64}$)/, "");
}

describe("PKCS#8 and SPKI interop with OpenSSL", () => {
  it("reads `openssl genpkey -algorithm SM2` keys and re-encodes them byte for byte", () => {
    const keyPath = file("k.pem");
    openssl(["genpkey", "-algorithm", "SM2", "-out", keyPath]);
    const key = readPrivateKey(readFileSync(keyPath, "utf8"));
    expect(hex(key.privateKey)).toBe(opensslPrivHex(keyPath));
    const theirDer = openssl(["pkcs8", "-topk8", "-nocrypt", "-in", keyPath, "-outform", "DER"]);
    expect(hex(encodePkcs8(key.privateKey))).toBe(theirDer.toString("hex"));
    const theirPub = openssl(["pkey", "-in", keyPath, "-pubout"]).toString();
    expect(hex(readPublicKey(theirPub))).toBe(hex(key.publicKey));
    expect(publicKeyToPem(key.publicKey)).toBe(theirPub);
  });

  it("writes PKCS#8 and SPKI that `openssl pkey` reads with the same scalar and point", () => {
    const kp = generateKeyPair();
    const keyPath = file("ours.pem", privateKeyToPem(kp.privateKey));
    expect(opensslPrivHex(keyPath)).toBe(hex(kp.privateKey));
    const pubFromKey = openssl(["pkey", "-in", keyPath, "-pubout", "-outform", "DER"]);
    expect(hex(pubFromKey)).toBe(hex(encodeSpki(kp.publicKey)));
    const pubPath = file("ours.pub", publicKeyToPem(kp.publicKey));
    const text = openssl(["pkey", "-pubin", "-in", pubPath, "-noout", "-text"]).toString();
    expect(text).toMatch(/ASN1 OID: SM2/);
    expect(text.replace(/[\s:]/g, "")).toContain(hex(kp.publicKey));
  });

  it("reads OpenSSL's SEC 1 files ('SM2 PRIVATE KEY' from `openssl ec`, the same as 'EC PRIVATE KEY') and `ecparam -genkey` output", () => {
    const keyPath = file("k.pem");
    openssl(["genpkey", "-algorithm", "SM2", "-out", keyPath]);
    const sec1 = openssl(["ec", "-in", keyPath]).toString();
    expect(sec1).toContain("BEGIN SM2 PRIVATE KEY");
    expect(hex(readPrivateKey(sec1).privateKey)).toBe(opensslPrivHex(keyPath));
    // OpenSSL 1.1 and most tools label the same SEC 1 structure 'EC PRIVATE KEY'; OpenSSL 3 reads both.
    const ecLabelled = file("ec-label.pem", sec1.replaceAll("SM2 PRIVATE KEY", "EC PRIVATE KEY"));
    expect(opensslPrivHex(ecLabelled)).toBe(opensslPrivHex(keyPath));
    expect(hex(readPrivateKey(readFileSync(ecLabelled, "utf8")).privateKey)).toBe(opensslPrivHex(keyPath));
    const ecPath = file("ecparam.pem");
    openssl(["ecparam", "-name", "SM2", "-genkey", "-out", ecPath]);
    const ecText = readFileSync(ecPath, "utf8");
    expect(ecText).toContain("PARAMETERS-----");
    expect(hex(readPrivateKey(ecText).privateKey)).toBe(opensslPrivHex(ecPath));
  });
});

describe("encrypted PKCS#8 (PBES2, SM4-CBC)", () => {
  it("our PBKDF2-HMAC-SHA256 + SM4-CBC key opens with `openssl pkey -passin`", () => {
    const kp = generateKeyPair();
    const pem = privateKeyToPem(kp.privateKey, { passphrase: "correct horse 马", iterations: 2048 });
    expect(pem).toContain("BEGIN ENCRYPTED PRIVATE KEY");
    const path = file("enc.pem", pem);
    const dump = openssl(["asn1parse", "-in", path]).toString();
    expect(dump).toMatch(/hmacWithSHA256/);
    expect(dump).toMatch(/sm4-cbc/);
    expect(opensslPrivHex(path, ["-passin", "pass:correct horse 马"])).toBe(hex(kp.privateKey));
    expect(opensslStatus(["pkey", "-in", path, "-passin", "pass:wrong", "-noout"]).ok).toBe(false);
  });

  it("reads what `openssl pkcs8 -topk8 -v2 sm4-cbc -v2prf hmacWithSHA256` writes", () => {
    const keyPath = file("k.pem");
    openssl(["genpkey", "-algorithm", "SM2", "-out", keyPath]);
    const encPath = file("k.enc.pem");
    openssl(["pkcs8", "-topk8", "-v2", "sm4-cbc", "-v2prf", "hmacWithSHA256", "-in", keyPath, "-passout", "pass:s3cret", "-out", encPath]);
    const key = readPrivateKey(readFileSync(encPath, "utf8"), { passphrase: "s3cret" });
    expect(hex(key.privateKey)).toBe(opensslPrivHex(keyPath));
  });

  it.each(["1.2.156.10197.1.401.2", "1.2.156.10197.1.401.3.1"])(
    "reads PBKDF2-HMAC-SM3 (PRF OID %s) built independently with sm-crypto and `openssl enc`",
    (prfOid) => {
      const kp = generateKeyPair();
      const pkcs8 = Buffer.from(encodePkcs8(kp.privateKey));
      const pass = Buffer.from("口令-passphrase");
      const salt = randomBytes(8);
      const iv = randomBytes(16);
      const iterations = 300;
      // PBKDF2 (RFC 8018 §5.2), one block, with sm-crypto's HMAC-SM3.
      const hmac = (m: Uint8Array) => Buffer.from(smCrypto.sm3(Array.from(m), { key: Array.from(pass), mode: "hmac" }), "hex");
      let u = hmac(Buffer.concat([salt, Buffer.of(0, 0, 0, 1)]));
      const t = Buffer.from(u);
      for (let i = 1; i < iterations; i++) {
        u = hmac(u);
        for (let j = 0; j < t.length; j++) t[j] ^= u[j];
      }
      const key = t.subarray(0, 16);
      const encrypted = openssl(["enc", "-sm4-cbc", "-K", key.toString("hex"), "-iv", iv.toString("hex")], pkcs8);
      const a = forge.asn1;
      const U = a.Class.UNIVERSAL;
      const T = a.Type;
      const o = (s: string) => a.create(U, T.OID, false, a.oidToDer(s).getBytes());
      const os = (b: Buffer) => a.create(U, T.OCTETSTRING, false, b.toString("latin1"));
      const sq = (...x: forge.asn1.Asn1[]) => a.create(U, T.SEQUENCE, true, x);
      const der = sq(
        sq(o("1.2.840.113549.1.5.13"), sq(
          sq(o("1.2.840.113549.1.5.12"), sq(os(salt), a.create(U, T.INTEGER, false, a.integerToDer(iterations).getBytes()), sq(o(prfOid), a.create(U, T.NULL, false, "")))),
          sq(o("1.2.156.10197.1.104.2"), os(iv)),
        )),
        os(encrypted),
      );
      const derBytes = Buffer.from(a.toDer(der).getBytes(), "latin1");
      expect(hex(decryptPkcs8(derBytes, pass))).toBe(hex(pkcs8));
      const pem = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${derBytes.toString("base64")}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
      expect(hex(readPrivateKey(pem, { passphrase: pass }).privateKey)).toBe(hex(kp.privateKey));
    },
  );

  it("writes the HMAC-SM3 variant under GM/T 0006's OID and reads it back", () => {
    const kp = generateKeyPair();
    const der = encryptPkcs8(encodePkcs8(kp.privateKey), "pw", { prf: "sm3", iterations: 1000 });
    const dump = openssl(["asn1parse", "-inform", "DER"], der).toString();
    expect(dump).toContain("1.2.156.10197.1.401.2");
    expect(hex(decodePkcs8(decryptPkcs8(der, "pw")).privateKey)).toBe(hex(kp.privateKey));
  });

  it("attack: wrong or missing passphrase, and a hostile iteration count, are refused with typed errors", () => {
    const kp = generateKeyPair();
    const pem = privateKeyToPem(kp.privateKey, { passphrase: "right", iterations: 1000 });
    const wrong = ["wrong", "Right", "right "].map((p) => codeOf(() => readPrivateKey(pem, { passphrase: p })));
    // A wrong passphrase fails the padding check, or (rarely) yields garbage that is not a key.
    for (const c of wrong) expect(["PASSPHRASE_WRONG", "DER_INVALID", "DER_STRUCTURE"]).toContain(c);
    expect(codeOf(() => readPrivateKey(pem))).toBe("PASSPHRASE_REQUIRED");
    const der = Buffer.from(fromPem(pem, ["ENCRYPTED PRIVATE KEY"], "test").der);
    // Raise the PBKDF2 iteration count to 2^31-1: a file that would stall a naive reader for hours.
    const node = forge.asn1.fromDer(der.toString("latin1"));
    const kdfParams = (((node.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[])[1].value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
    const pbkdf2Params = kdfParams[1].value as forge.asn1.Asn1[];
    pbkdf2Params[1].value = forge.asn1.integerToDer(0x7fffffff).getBytes();
    const reencoded = Buffer.from(forge.asn1.toDer(node).getBytes(), "latin1");
    expect(codeOf(() => decryptPkcs8(reencoded, "right"))).toBe("PBKDF2_ITERATIONS");
  });
});

describe("key parsing attacks", () => {
  it("refuses keys on other curves with KEY_NOT_SM2", () => {
    const p256 = file("p256.pem");
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p256]);
    expect(codeOf(() => readPrivateKey(readFileSync(p256, "utf8")))).toBe("KEY_NOT_SM2");
    const pub = openssl(["pkey", "-in", p256, "-pubout"]).toString();
    expect(codeOf(() => readPublicKey(pub))).toBe("KEY_NOT_SM2");
  });

  it("refuses a public point off the curve", () => {
    const kp = generateKeyPair();
    const spki = Buffer.from(encodeSpki(kp.publicKey));
    spki[spki.length - 1] ^= 0x01;
    expect(() => decodeSpki(spki)).toThrow();
  });

  it("refuses a PKCS#8 whose embedded public key belongs to another key", () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const der = Buffer.from(encodePkcs8(a.privateKey));
    const at = der.indexOf(Buffer.from(a.publicKey));
    expect(at).toBeGreaterThan(0);
    Buffer.from(b.publicKey).copy(der, at);
    expect(codeOf(() => decodePkcs8(der))).toBe("SM2_PRIVATE_KEY_INVALID");
  });

  it("refuses BER (non-minimal length) where DER is required", () => {
    const spki = Buffer.from(encodeSpki(generateKeyPair().publicKey));
    expect(spki[1]).toBeLessThan(0x80);
    const ber = Buffer.concat([Buffer.of(0x30, 0x81, spki[1]), spki.subarray(2)]);
    expect(codeOf(() => decodeSpki(ber))).toBe("DER_INVALID");
    expect(codeOf(() => decodeSpki(Buffer.concat([spki, Buffer.of(0)])))).toBe("DER_INVALID");
  });
});

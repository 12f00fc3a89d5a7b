import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import smCrypto from "sm-crypto";
import { afterAll, describe, expect, it } from "vitest";
import { AEAD_HEADER_BYTES, AEAD_TAG_BYTES, aeadOpen, aeadOpenFile, aeadSeal, aeadSealFile, generateAeadKey } from "../../crypto/aead.js";
import { openssl } from "./openssl-cli.js";

const dir = mkdtempSync(join(tmpdir(), "shuyu-aead-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** RFC 5869 HKDF with sm-crypto's HMAC-SM3: an implementation independent of the code under test. */
function hkdfSm3(ikm: Uint8Array, info: string, length: number): Buffer {
  const hmac = (key: Uint8Array, msg: Uint8Array) => Buffer.from(smCrypto.sm3(Array.from(msg), { key: Array.from(key), mode: "hmac" }), "hex");
  const prk = hmac(Buffer.alloc(32), ikm);
  let t: Buffer = Buffer.alloc(0);
  const out: Buffer[] = [];
  for (let i = 1; Buffer.concat(out).length < length; i++) {
    t = hmac(prk, Buffer.concat([t, Buffer.from(info), Buffer.of(i)]));
    out.push(t);
  }
  return Buffer.concat(out).subarray(0, length);
}

describe("AEAD: SM4-CTR + HMAC-SM3 encrypt-then-MAC", () => {
  it("is exactly SM4-CTR and HMAC-SM3 under HKDF-SM3-derived keys (checked with openssl and sm-crypto)", () => {
    const key = generateAeadKey();
    const aad = Buffer.from("manifest v1");
    const pt = randomBytes(1000);
    const sealed = Buffer.from(aeadSeal(key, pt, aad));
    const iv = sealed.subarray(5, AEAD_HEADER_BYTES);
    const body = sealed.subarray(AEAD_HEADER_BYTES, sealed.length - AEAD_TAG_BYTES);
    const tag = sealed.subarray(sealed.length - AEAD_TAG_BYTES);
    const encKey = hkdfSm3(key, "shuyu aead v1 sm4-ctr key", 16);
    const macKey = hkdfSm3(key, "shuyu aead v1 hmac-sm3 key", 32);
    expect(encKey.equals(macKey.subarray(0, 16))).toBe(false);
    const expectedBody = openssl(["enc", "-sm4-ctr", "-K", encKey.toString("hex"), "-iv", iv.toString("hex")], pt);
    expect(body.equals(expectedBody)).toBe(true);
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(aad.length));
    const macInput = Buffer.concat([sealed.subarray(0, AEAD_HEADER_BYTES), len, aad, body]);
    expect(tag.toString("hex")).toBe(smCrypto.sm3(Array.from(macInput), { key: Array.from(macKey), mode: "hmac" }));
  });

  it("round-trips, including empty plaintext, and uses a fresh IV each time", () => {
    const key = generateAeadKey();
    for (const len of [0, 1, 16, 100_000]) {
      const pt = randomBytes(len);
      expect(Buffer.from(aeadOpen(key, aeadSeal(key, pt))).equals(pt)).toBe(true);
    }
    const a = Buffer.from(aeadSeal(key, Buffer.from("same")));
    const b = Buffer.from(aeadSeal(key, Buffer.from("same")));
    expect(a.equals(b)).toBe(false);
  });

  it("attack: flipping any single byte (header, ciphertext, tag) is detected", () => {
    const key = generateAeadKey();
    const sealed = Buffer.from(aeadSeal(key, randomBytes(200), Buffer.from("aad")));
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] ^= 0x01;
      expect(() => aeadOpen(key, bad, Buffer.from("aad")), `byte ${i}`).toThrow(/authentication failed|bad magic/);
    }
  });

  it("attack: wrong key, wrong associated data, truncation and appended bytes fail", () => {
    const key = generateAeadKey();
    const aad = Buffer.from("scenario-1");
    const sealed = Buffer.from(aeadSeal(key, randomBytes(64), aad));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return (err as { code: string }).code;
      }
      return "none";
    };
    expect(code(() => aeadOpen(generateAeadKey(), sealed, aad))).toBe("AEAD_AUTH_FAILED");
    expect(code(() => aeadOpen(key, sealed, Buffer.from("scenario-2")))).toBe("AEAD_AUTH_FAILED");
    expect(code(() => aeadOpen(key, sealed))).toBe("AEAD_AUTH_FAILED");
    expect(code(() => aeadOpen(key, sealed.subarray(0, sealed.length - 1), aad))).toBe("AEAD_AUTH_FAILED");
    expect(code(() => aeadOpen(key, Buffer.concat([sealed, Buffer.of(0)]), aad))).toBe("AEAD_AUTH_FAILED");
    expect(code(() => aeadOpen(key, sealed.subarray(0, 20), aad))).toBe("AEAD_FORMAT");
    expect(code(() => aeadOpen(randomBytes(16), sealed, aad))).toBe("AEAD_KEY_LENGTH");
  });
});

describe("AEAD files", () => {
  it("seals and opens a multi-megabyte file; the file format equals the in-memory one", async () => {
    const key = generateAeadKey();
    const plain = join(dir, "data.bin");
    const sealedPath = join(dir, "data.sealed");
    const back = join(dir, "data.back");
    writeFileSync(plain, randomBytes(3 * 1024 * 1024 + 7));
    await aeadSealFile(key, plain, sealedPath, Buffer.from("pkg"));
    expect(Buffer.from(aeadOpen(key, readFileSync(sealedPath), Buffer.from("pkg"))).equals(readFileSync(plain))).toBe(true);
    await aeadOpenFile(key, sealedPath, back, Buffer.from("pkg"));
    expect(readFileSync(back).equals(readFileSync(plain))).toBe(true);
  });

  it("attack: a changed byte in a sealed file leaves no plaintext behind", async () => {
    const key = generateAeadKey();
    const sealedPath = join(dir, "x.sealed");
    writeFileSync(sealedPath, aeadSeal(key, randomBytes(2 * 1024 * 1024)));
    const bad = readFileSync(sealedPath);
    bad[1024 * 1024 + 99] ^= 0x40;
    writeFileSync(sealedPath, bad);
    const out = join(dir, "x.out");
    await expect(aeadOpenFile(key, sealedPath, out)).rejects.toMatchObject({ code: "AEAD_AUTH_FAILED" });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});

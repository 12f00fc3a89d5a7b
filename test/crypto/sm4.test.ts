import { createCipheriv, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import smCrypto from "sm-crypto";
import { afterAll, describe, expect, it } from "vitest";
import {
  createSm4Encryptor, sm4CbcDecrypt, sm4CbcEncrypt, sm4Ctr, sm4DecryptFile, sm4EcbBlocks, sm4EncryptFile,
} from "../../crypto/sm4.js";
import { openssl } from "./openssl-cli.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "shuyu-sm4-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// GB/T 32907-2016 Appendix A: key = plaintext = 0123456789abcdeffedcba9876543210.
const STD_KEY = Buffer.from("0123456789abcdeffedcba9876543210", "hex");

describe("R6 SM4 (GB/T 32907) standard vectors", () => {
  it("example 1: one block encrypts to 681edf34d206965e86b3e94f536e4246 and decrypts back", () => {
    const ct = sm4EcbBlocks(STD_KEY, STD_KEY);
    expect(hex(ct)).toBe("681edf34d206965e86b3e94f536e4246");
    expect(hex(sm4EcbBlocks(STD_KEY, ct, "decrypt"))).toBe(hex(STD_KEY));
  });

  it("example 2: 1,000,000 iterations give 595298c7c6fd271f0402f804c33d3f66", () => {
    // One OpenSSL ECB context reused for every block: the million-fold loop runs in about a second.
    const cipher = createCipheriv("sm4-ecb", STD_KEY, null).setAutoPadding(false);
    let block: Buffer = Buffer.from(STD_KEY);
    for (let i = 0; i < 1_000_000; i++) block = cipher.update(block);
    expect(block.toString("hex")).toBe("595298c7c6fd271f0402f804c33d3f66");
  });
});

describe("SM4 block function against sm-crypto", () => {
  it("ECB over random keys and blocks agrees both ways", () => {
    for (let i = 0; i < 20; i++) {
      const key = randomBytes(16);
      const blocks = randomBytes(16 * (1 + (i % 4)));
      const theirs = smCrypto.sm4.encrypt(Array.from(blocks), key.toString("hex"), { padding: "none", output: "array" });
      expect(hex(sm4EcbBlocks(key, blocks))).toBe(Buffer.from(theirs).toString("hex"));
      expect(hex(sm4EcbBlocks(key, Uint8Array.from(theirs), "decrypt"))).toBe(hex(blocks));
    }
  });
});

describe("SM4-CBC with PKCS#7", () => {
  it("agrees with sm-crypto on random keys, IVs and lengths, and decrypts sm-crypto's output", () => {
    for (const len of [0, 1, 15, 16, 17, 31, 32, 1000]) {
      const key = randomBytes(16);
      const iv = randomBytes(16);
      const pt = randomBytes(len);
      const theirs = smCrypto.sm4.encrypt(Array.from(pt), key.toString("hex"), { mode: "cbc", iv: iv.toString("hex"), output: "array" });
      expect(hex(sm4CbcEncrypt(key, iv, pt)), `length ${len}`).toBe(Buffer.from(theirs).toString("hex"));
      expect(hex(sm4CbcDecrypt(key, iv, Uint8Array.from(theirs)))).toBe(hex(pt));
    }
  });

  it("agrees with `openssl enc -sm4-cbc`", () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const pt = randomBytes(70_001);
    const theirs = openssl(["enc", "-sm4-cbc", "-K", key.toString("hex"), "-iv", iv.toString("hex")], pt);
    expect(hex(sm4CbcEncrypt(key, iv, pt))).toBe(theirs.toString("hex"));
  });

  it("rejects a wrong key or corrupted padding with SM4_DECRYPT_FAILED", () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const ct = sm4CbcEncrypt(key, iv, randomBytes(40));
    // A wrong key passes the padding check about 1 time in 256; try several keys.
    let failures = 0;
    for (let i = 0; i < 8; i++) {
      try {
        sm4CbcDecrypt(randomBytes(16), iv, ct);
      } catch (err) {
        expect((err as { code: string }).code).toBe("SM4_DECRYPT_FAILED");
        failures++;
      }
    }
    expect(failures).toBeGreaterThanOrEqual(6);
    expect(() => sm4CbcDecrypt(key, iv, ct.subarray(0, 40))).toThrow(/multiple of 16/);
  });

  it("refuses keys and IVs of the wrong length", () => {
    expect(() => sm4CbcEncrypt(randomBytes(15), randomBytes(16), Buffer.of(1))).toThrow(/16 bytes/);
    expect(() => sm4CbcEncrypt(randomBytes(16), randomBytes(8), Buffer.of(1))).toThrow(/IVs are 16 bytes/);
  });
});

describe("SM4-CTR", () => {
  it("agrees with `openssl enc -sm4-ctr` and inverts itself", () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const pt = randomBytes(100_003);
    const ct = sm4Ctr(key, iv, pt);
    expect(ct.length).toBe(pt.length);
    expect(hex(ct)).toBe(openssl(["enc", "-sm4-ctr", "-K", key.toString("hex"), "-iv", iv.toString("hex")], pt).toString("hex"));
    expect(hex(sm4Ctr(key, iv, ct))).toBe(hex(pt));
  });

  it("carries the counter across the whole 128-bit block like OpenSSL", () => {
    const key = randomBytes(16);
    const iv = Buffer.from("00000000000000000000ffffffffffff", "hex");
    const pt = randomBytes(64);
    expect(hex(sm4Ctr(key, iv, pt))).toBe(openssl(["enc", "-sm4-ctr", "-K", key.toString("hex"), "-iv", iv.toString("hex")], pt).toString("hex"));
  });

  it("streams in odd-sized pieces with the same result as one shot", () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const pt = randomBytes(5000);
    const enc = createSm4Encryptor("ctr", key, iv);
    const parts: Buffer[] = [];
    for (let i = 0; i < pt.length; i += 333) parts.push(enc.update(pt.subarray(i, i + 333)));
    parts.push(enc.final());
    expect(hex(Buffer.concat(parts))).toBe(hex(sm4Ctr(key, iv, pt)));
  });
});

describe("SM4 file streaming", () => {
  it.each(["cbc", "ctr"] as const)("encrypts a multi-megabyte file with %s as openssl does and decrypts it back", async (mode) => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const plain = join(dir, `${mode}.plain`);
    const enc = join(dir, `${mode}.enc`);
    const back = join(dir, `${mode}.back`);
    writeFileSync(plain, randomBytes(3 * 1024 * 1024 + 5));
    await sm4EncryptFile(mode, key, iv, plain, enc);
    const theirs = openssl(["enc", `-sm4-${mode}`, "-K", key.toString("hex"), "-iv", iv.toString("hex"), "-in", plain]);
    expect(readFileSync(enc).equals(theirs)).toBe(true);
    await sm4DecryptFile(mode, key, iv, enc, back);
    expect(readFileSync(back).equals(readFileSync(plain))).toBe(true);
  });

  it("reports a bad CBC file as SM4_DECRYPT_FAILED", async () => {
    // Fixed inputs: with random ones, 1 flip in ~256 still leaves valid PKCS#7 padding.
    const key = Buffer.alloc(16, 1);
    const iv = Buffer.alloc(16, 2);
    const enc = join(dir, "bad.enc");
    const ct = Buffer.from(sm4CbcEncrypt(key, iv, Buffer.alloc(100, 3)));
    ct[ct.length - 1] ^= 0xff;
    writeFileSync(enc, ct);
    await expect(sm4DecryptFile("cbc", key, iv, enc, join(dir, "bad.out"))).rejects.toMatchObject({ code: "SM4_DECRYPT_FAILED" });
  });
});

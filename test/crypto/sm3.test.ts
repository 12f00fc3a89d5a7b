import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import smCrypto from "sm-crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createSm3, hmacSm3, sm3, sm3File, sm3Hex, sm3Stream } from "../../crypto/sm3.js";
import { openssl } from "./openssl-cli.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const dir = mkdtempSync(join(tmpdir(), "shuyu-sm3-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("R6 SM3 (GB/T 32905)", () => {
  it("matches the standard's example 1: 'abc'", () => {
    expect(sm3Hex("abc")).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  });

  it("matches the standard's example 2: 'abcd' x 16 (512 bits)", () => {
    expect(hex(sm3(Buffer.from("abcd".repeat(16))))).toBe("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  });

  it("agrees with sm-crypto on random inputs of many lengths", () => {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 1000, 4097]) {
      const data = randomBytes(len);
      expect(sm3Hex(data), `length ${len}`).toBe(smCrypto.sm3(Array.from(data)));
    }
  });

  it("incremental updates equal the one-shot digest", () => {
    const data = randomBytes(10_000);
    const h = createSm3();
    for (let i = 0; i < data.length; i += 777) h.update(data.subarray(i, i + 777));
    expect(h.digest("hex")).toBe(sm3Hex(data));
  });

  it("streams a multi-megabyte file and agrees with `openssl dgst -sm3`", async () => {
    const path = join(dir, "big.bin");
    writeFileSync(path, randomBytes(5 * 1024 * 1024 + 13));
    const expected = openssl(["dgst", "-sm3", "-r", path]).toString().split(" ")[0];
    expect(hex(await sm3File(path))).toBe(expected);
  });

  it("hashes a readable stream", async () => {
    const parts = [randomBytes(100), randomBytes(70_000), randomBytes(3)];
    expect(hex(await sm3Stream(Readable.from(parts)))).toBe(smCrypto.sm3(Array.from(Buffer.concat(parts))));
  });
});

describe("HMAC-SM3", () => {
  it("agrees with sm-crypto's HMAC on random keys and messages", () => {
    for (const [klen, mlen] of [[16, 0], [32, 100], [64, 64], [100, 3000]]) {
      const key = randomBytes(klen);
      const msg = randomBytes(mlen);
      expect(hex(hmacSm3(key, msg)), `key ${klen} msg ${mlen}`).toBe(smCrypto.sm3(Array.from(msg), { key: Array.from(key), mode: "hmac" }));
    }
  });

  it("agrees with `openssl dgst -sm3 -mac HMAC`", () => {
    const key = randomBytes(32);
    const msg = randomBytes(5000);
    const out = openssl(["dgst", "-sm3", "-mac", "HMAC", "-macopt", `hexkey:${key.toString("hex")}`, "-r"], msg).toString().split(" ")[0];
    expect(hex(hmacSm3(key, msg))).toBe(out);
  });

  it("changes with any change of key or message", () => {
    const key = randomBytes(32);
    const msg = randomBytes(64);
    const base = hex(hmacSm3(key, msg));
    const k2 = Buffer.from(key);
    k2[0] ^= 1;
    const m2 = Buffer.from(msg);
    m2[63] ^= 0x80;
    expect(hex(hmacSm3(k2, msg))).not.toBe(base);
    expect(hex(hmacSm3(key, m2))).not.toBe(base);
  });
});

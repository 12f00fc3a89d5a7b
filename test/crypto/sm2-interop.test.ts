/**
 * SM2 interoperability in both directions with two independent implementations: sm-crypto
 * (pure JavaScript) and the OpenSSL 3 command line (`openssl pkeyutl` with SM3 and distid).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import smCrypto from "sm-crypto";
import { afterAll, describe, expect, test } from "vitest";
import { decrypt, encrypt, generateKeyPair, publicKeyFromPrivate, sign, verify } from "../../crypto/sm2/index.js";

const sm2c = smCrypto.sm2;
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));

describe("sm-crypto", () => {
  test("shuyu signs, sm-crypto verifies; sm-crypto signs, shuyu verifies (random keys and messages)", () => {
    for (let i = 0; i < 6; i++) {
      const msg = randomBytes(1 + i * 37);
      const ours = generateKeyPair();
      const sig = sign(msg, ours.privateKey);
      expect(sm2c.doVerifySignature(Array.from(msg), toHex(sig), toHex(ours.publicKey), { hash: true, der: true })).toBe(true);

      const theirs = sm2c.generateKeyPairHex();
      const theirSig = sm2c.doSignature(Array.from(msg), theirs.privateKey, { hash: true, der: true });
      expect(verify(msg, fromHex(theirSig), fromHex(theirs.publicKey))).toBe(true);
      expect(toHex(publicKeyFromPrivate(fromHex(theirs.privateKey)))).toBe(theirs.publicKey);
    }
  });

  test("a non-default user ID interoperates", () => {
    const msg = randomBytes(50);
    const ours = generateKeyPair();
    const sig = sign(msg, ours.privateKey, { id: "bob@shuyu.example" });
    expect(sm2c.doVerifySignature(Array.from(msg), toHex(sig), toHex(ours.publicKey), { hash: true, der: true, userId: "bob@shuyu.example" })).toBe(true);
    const theirs = sm2c.generateKeyPairHex();
    const theirSig = sm2c.doSignature(Array.from(msg), theirs.privateKey, { hash: true, der: true, userId: "bob@shuyu.example" });
    expect(verify(msg, fromHex(theirSig), fromHex(theirs.publicKey), { id: "bob@shuyu.example" })).toBe(true);
  });

  test("encryption both ways in both component orders (sm-crypto omits C1's 04 prefix)", () => {
    const ours = generateKeyPair();
    const theirs = sm2c.generateKeyPairHex();
    for (const [mode, smMode] of [["C1C3C2", 1], ["C1C2C3", 0]] as const) {
      const pt = randomBytes(77);
      const ct = encrypt(pt, ours.publicKey, { mode });
      const got = sm2c.doDecrypt(toHex(ct).slice(2), toHex(ours.privateKey), smMode, { output: "array" }) as unknown as number[];
      expect(toHex(Uint8Array.from(got))).toBe(toHex(pt));

      const theirCt = sm2c.doEncrypt(Array.from(pt), theirs.publicKey, smMode);
      expect(toHex(decrypt(fromHex("04" + theirCt), fromHex(theirs.privateKey), { mode }))).toBe(toHex(pt));
    }
  });
});

function opensslAvailable(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!opensslAvailable() && !process.env.CI)("OpenSSL command line", () => {
  const dir = mkdtempSync(join(tmpdir(), "shuyu-sm2-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]): Buffer => execFileSync("openssl", args, { stdio: ["pipe", "pipe", "pipe"] });
  const path = (name: string): string => join(dir, name);

  /** A fresh OpenSSL SM2 key; d and the public point parsed from `openssl pkey -text`. */
  function opensslKey(name: string): { d: Uint8Array; pub: Uint8Array; keyPem: string; pubPem: string } {
    const keyPem = path(`${name}.pem`), pubPem = path(`${name}.pub.pem`);
    run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", keyPem]);
    run(["pkey", "-in", keyPem, "-pubout", "-out", pubPem]);
    const text = run(["pkey", "-in", keyPem, "-text", "-noout"]).toString();
    const block = (label: string): string => {
      const m = new RegExp(`${label}:\\n((?:\\s+[0-9a-f:]+\\n)+)`).exec(text);
      if (!m) throw new Error(`no ${label} in openssl output:\n${text}`);
      return m[1].replace(/[\s:]/g, "");
    };
    const d = block("priv").padStart(64, "0").slice(-64);
    return { d: fromHex(d), pub: fromHex(block("pub")), keyPem, pubPem };
  }

  test("OpenSSL's public point equals shuyu's d·G", () => {
    const k = opensslKey("derive");
    expect(toHex(publicKeyFromPrivate(k.d))).toBe(toHex(k.pub));
  });

  test("openssl pkeyutl -sign (SM3, distid) → shuyu verify, and shuyu sign → openssl pkeyutl -verify", () => {
    const k = opensslKey("sig");
    for (const [i, id] of ["1234567812345678", "carol@shuyu.example"].entries()) {
      const msg = randomBytes(200 + i);
      writeFileSync(path("msg"), msg);
      run(["pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-pkeyopt", `distid:${id}`, "-inkey", k.keyPem, "-in", path("msg"), "-out", path("ossl.sig")]);
      const theirSig = new Uint8Array(readFileSync(path("ossl.sig")));
      expect(verify(msg, theirSig, k.pub, { id })).toBe(true);
      expect(verify(Buffer.concat([msg, Buffer.from([0])]), theirSig, k.pub, { id })).toBe(false);

      writeFileSync(path("ours.sig"), sign(msg, k.d, { id }));
      const out = run(["pkeyutl", "-verify", "-rawin", "-digest", "sm3", "-pkeyopt", `distid:${id}`, "-pubin", "-inkey", k.pubPem, "-sigfile", path("ours.sig"), "-in", path("msg")]);
      expect(out.toString()).toContain("Signature Verified Successfully");
    }
  });

  /** GM/T 0009 ASN.1 ciphertext SEQUENCE { x, y INTEGER, C3, C2 OCTET STRING } ↔ C1C3C2. */
  function asn1ToC1C3C2(der: Uint8Array): Uint8Array {
    let pos = 0;
    const len = (): number => {
      const first = der[pos++];
      if (first < 0x80) return first;
      let n = 0;
      for (let i = 0; i < (first & 0x7f); i++) n = (n << 8) | der[pos++];
      return n;
    };
    const tlv = (tag: number): Uint8Array => {
      expect(der[pos++]).toBe(tag);
      const l = len();
      const v = der.subarray(pos, pos + l);
      pos += l;
      return v;
    };
    expect(der[pos++]).toBe(0x30);
    len();
    const coord = (b: Uint8Array): string => toHex(b).replace(/^(00)+/, "").padStart(64, "0");
    const x = coord(tlv(0x02)), y = coord(tlv(0x02));
    const c3 = toHex(tlv(0x04)), c2 = toHex(tlv(0x04));
    return fromHex("04" + x + y + c3 + c2);
  }

  function c1c3c2ToAsn1(ct: Uint8Array): Uint8Array {
    const int = (b: Uint8Array): Buffer => {
      let v = Buffer.from(b);
      while (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) v = v.subarray(1);
      if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
      return Buffer.concat([Buffer.from([0x02, v.length]), v]);
    };
    const octets = (b: Uint8Array): Buffer => Buffer.concat([Buffer.from([0x04, b.length]), b]);
    const body = Buffer.concat([int(ct.subarray(1, 33)), int(ct.subarray(33, 65)), octets(ct.subarray(65, 97)), octets(ct.subarray(97))]);
    return Buffer.concat([Buffer.from([0x30, 0x81, body.length]), body]);
  }

  test("openssl pkeyutl -encrypt → shuyu decrypt, and shuyu encrypt → openssl pkeyutl -decrypt", () => {
    const k = opensslKey("enc");
    const pt = randomBytes(40);
    writeFileSync(path("pt"), pt);
    run(["pkeyutl", "-encrypt", "-pubin", "-inkey", k.pubPem, "-in", path("pt"), "-out", path("ossl.ct")]);
    const theirs = asn1ToC1C3C2(new Uint8Array(readFileSync(path("ossl.ct"))));
    expect(toHex(decrypt(theirs, k.d))).toBe(toHex(pt));

    writeFileSync(path("ours.ct"), c1c3c2ToAsn1(encrypt(pt, k.pub)));
    const out = run(["pkeyutl", "-decrypt", "-inkey", k.keyPem, "-in", path("ours.ct")]);
    expect(toHex(out)).toBe(toHex(pt));
  });
});

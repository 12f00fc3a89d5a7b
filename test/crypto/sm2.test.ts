/**
 * SM2 against the worked examples on the recommended curve (GB/T 32918.5-2017 / GM/T 0003.5
 * appendix: the same figures appear in OpenSSL's, BoringSSL's and other implementations'
 * test suites), plus round trips and API behaviour.
 */
import { describe, expect, test } from "vitest";
import { ShuyuError } from "../../policies/errors.js";
import {
  computeZ, decodeSignatureDer, decrypt, encodeSignatureDer, encrypt, generateKeyPair, publicKeyFromPrivate, SM2_DEFAULT_ID, sign, signRaw,
  validatePublicKey, verify,
} from "../../crypto/sm2/index.js";

const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex").toUpperCase();
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));

// GB/T 32918.5-2017 Appendix A (recommended curve).
const D = hex("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8");
const XA = "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020";
const YA = "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13";
const PUB = hex("04" + XA + YA);
const K = 0x59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21n;
const Z_A = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3";
const R = 0xf5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3n;
const S = 0xb1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aan;
// Encryption example: same key and k, plaintext "encryption standard".
const C1 = "04" + "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73" + "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0";
const C3 = "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766";
const C2 = "21886CA989CA9C7D58087307CA93092D651EFA";

function compress(pub: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = 0x02 | (pub[64] & 1);
  out.set(pub.subarray(1, 33), 1);
  return out;
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ShuyuError) return err.code;
    throw err;
  }
  return "no error";
}

describe("GB/T 32918.5 worked examples (recommended curve)", () => {
  test("public key of the example private key", () => {
    expect(toHex(publicKeyFromPrivate(D))).toBe("04" + XA + YA);
  });

  test("Z_A with the default ID", () => {
    expect(SM2_DEFAULT_ID).toBe("1234567812345678");
    expect(toHex(computeZ(PUB))).toBe(Z_A);
    expect(toHex(computeZ(PUB, utf8("1234567812345678")))).toBe(Z_A);
  });

  test("signature of 'message digest' with the example k", () => {
    const { r, s } = signRaw(utf8("message digest"), D, { k: K });
    expect(r).toBe(R);
    expect(s).toBe(S);
    const der = sign(utf8("message digest"), D, { k: K, publicKey: PUB });
    expect(decodeSignatureDer(der)).toEqual({ r: R, s: S });
    expect(verify(utf8("message digest"), encodeSignatureDer(R, S), PUB)).toBe(true);
    expect(verify(utf8("message digest"), encodeSignatureDer(R, S), compress(PUB))).toBe(true);
  });

  test("encryption of 'encryption standard' with the example k, both component orders", () => {
    expect(toHex(encrypt(utf8("encryption standard"), PUB, { k: K }))).toBe(C1 + C3 + C2);
    expect(toHex(encrypt(utf8("encryption standard"), PUB, { k: K, mode: "C1C2C3" }))).toBe(C1 + C2 + C3);
    expect(Buffer.from(decrypt(hex(C1 + C3 + C2), D)).toString()).toBe("encryption standard");
    expect(Buffer.from(decrypt(hex(C1 + C2 + C3), D, { mode: "C1C2C3" })).toString()).toBe("encryption standard");
  });
});

describe("round trips and API behaviour", () => {
  test("fresh keys sign and verify; compressed and uncompressed keys agree", () => {
    for (let i = 0; i < 8; i++) {
      const kp = generateKeyPair();
      expect(kp.privateKey.length).toBe(32);
      expect(kp.publicKey.length).toBe(65);
      expect(toHex(publicKeyFromPrivate(kp.privateKey))).toBe(toHex(kp.publicKey));
      const msg = utf8(`message ${i}`);
      const sig = sign(msg, kp.privateKey, { id: "alice@example" });
      expect(verify(msg, sig, kp.publicKey, { id: "alice@example" })).toBe(true);
      expect(verify(msg, sig, compress(kp.publicKey), { id: utf8("alice@example") })).toBe(true);
      expect(verify(msg, sig, kp.publicKey)).toBe(false); // other ID
      expect(toHex(computeZ(compress(kp.publicKey)))).toBe(toHex(computeZ(kp.publicKey)));
      validatePublicKey(compress(kp.publicKey));
    }
  });

  test("repeated verification with one key (per-key table path) accepts and rejects correctly", () => {
    const kp = generateKeyPair();
    const other = generateKeyPair();
    // 24 × 3 verifications: past the 64 uses after which the verifier builds the key's table.
    for (let i = 0; i < 24; i++) {
      const msg = utf8(`seal ${i}`);
      const sig = sign(msg, kp.privateKey);
      expect(verify(msg, sig, kp.publicKey)).toBe(true);
      expect(verify(utf8(`seal ${i}!`), sig, kp.publicKey)).toBe(false);
      expect(verify(msg, sign(msg, other.privateKey), kp.publicKey)).toBe(false);
    }
  });

  test("signatures are randomized, each verifies", () => {
    const kp = generateKeyPair();
    const a = sign(utf8("x"), kp.privateKey);
    const b = sign(utf8("x"), kp.privateKey);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(verify(utf8("x"), a, kp.publicKey) && verify(utf8("x"), b, kp.publicKey)).toBe(true);
  });

  test("encrypt/decrypt round trips for empty, short and multi-block plaintexts", () => {
    const kp = generateKeyPair();
    for (const len of [0, 1, 31, 32, 33, 100, 1000]) {
      const pt = new Uint8Array(len).map((_, i) => (i * 7 + len) & 0xff);
      for (const mode of ["C1C3C2", "C1C2C3"] as const) {
        const ct = encrypt(pt, kp.publicKey, { mode });
        expect(ct.length).toBe(97 + len);
        expect(toHex(decrypt(ct, kp.privateKey, { mode }))).toBe(toHex(pt));
      }
    }
  });

  test("sign rejects a publicKey that does not belong to the private key", () => {
    const kp = generateKeyPair();
    expect(code(() => sign(utf8("m"), D, { publicKey: kp.publicKey }))).toBe("INVALID_PUBLIC_KEY");
  });

  test("private keys outside [1, n − 2] or of the wrong size are refused", () => {
    const n = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123";
    const nMinus1 = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122";
    for (const bad of [new Uint8Array(32), hex(n), hex(nMinus1), new Uint8Array(31).fill(1), new Uint8Array(33).fill(1)]) {
      expect(code(() => publicKeyFromPrivate(bad))).toBe("INVALID_PRIVATE_KEY");
      expect(code(() => sign(utf8("m"), bad))).toBe("INVALID_PRIVATE_KEY");
    }
  });

  test("unknown cipher mode is a usage error", () => {
    const kp = generateKeyPair();
    expect(code(() => encrypt(utf8("m"), kp.publicKey, { mode: "C2C1C3" as "C1C3C2" }))).toBe("INVALID_CIPHER_MODE");
  });
});

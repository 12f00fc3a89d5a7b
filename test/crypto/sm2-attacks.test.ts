/**
 * Attacks on SM2 verification, key parsing, DER parsing and decryption. A forged or mangled
 * input must never verify: verify() either returns false or throws a ShuyuError
 * (MALFORMED_SIGNATURE for non-strict DER, INVALID_PUBLIC_KEY for keys that are not curve points).
 */
import { describe, expect, test } from "vitest";
import { ShuyuError } from "../../policies/errors.js";
import { decodeSignatureDer, decrypt, encodeSignatureDer, encrypt, generateKeyPair, sign, validatePublicKey, verify } from "../../crypto/sm2/index.js";
import { N } from "../../crypto/sm2/curve.js";
import { P } from "../../crypto/sm2/field.js";

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));
const hex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, "hex"));
const big32 = (x: bigint): string => x.toString(16).padStart(64, "0");

function outcome(fn: () => boolean): string {
  try {
    return fn() ? "VALID" : "invalid";
  } catch (err) {
    if (err instanceof ShuyuError) return err.code;
    throw err;
  }
}

const kp = generateKeyPair();
const msg = utf8("egress package manifest digest");
const good = sign(msg, kp.privateKey);
const { r, s } = decodeSignatureDer(good);

/** DER of two INTEGER contents given as raw hex (no re-encoding), for hand-made encodings. */
function rawDer(rHex: string, sHex: string): Uint8Array {
  const int = (h: string): string => "02" + (h.length / 2).toString(16).padStart(2, "0") + h;
  const body = int(rHex) + int(sHex);
  return hex("30" + (body.length / 2).toString(16).padStart(2, "0") + body);
}

describe("signature values out of range never verify", () => {
  test("sanity: the untouched signature verifies (on both the cold and the cached-table path)", () => {
    // The verifier builds a per-key table after 64 uses; the attacks below then run against it.
    for (let i = 0; i < 70; i++) expect(verify(msg, good, kp.publicKey)).toBe(true);
  });

  test.each([
    ["r = 0", 0n, s],
    ["s = 0", r, 0n],
    ["r = n", N, s],
    ["s = n", r, N],
    ["r = n + r", N + r, s],
    ["s = n + s", r, N + s],
    ["r + s = n", r, N - r],
    ["r = 2^256 − 1", (1n << 256n) - 1n, s],
  ])("%s", (_name, rr, ss) => {
    const der = rawDer(rr === 0n ? "00" : (rr.toString(16).length % 2 ? "0" : "") + rr.toString(16), ss === 0n ? "00" : (ss.toString(16).length % 2 ? "0" : "") + ss.toString(16));
    // Values with the top bit set need a 00 pad to stay positive: build those with the encoder.
    const sig = rr > 0n && ss > 0n ? encodeSignatureDer(rr, ss) : der;
    for (let i = 0; i < 3; i++) expect(outcome(() => verify(msg, sig, kp.publicKey))).not.toBe("VALID");
  });

  test("a signature whose R is the point at infinity is rejected", () => {
    // With d known, s + (r + s)·d ≡ 0 makes s·G + t·P = O for any r.
    const d = BigInt("0x" + Buffer.from(kp.privateKey).toString("hex"));
    const rr = 12345n;
    const inv = (x: bigint): bigint => {
      let [a, b, u, v] = [((x % N) + N) % N, N, 1n, 0n];
      while (a) {
        const q = b / a;
        [a, b, u, v] = [b - q * a, a, v - q * u, u];
      }
      return ((v % N) + N) % N;
    };
    const ss = (((-rr * d) % N) + N) % N * inv(1n + d) % N;
    expect((ss + (rr + ss) * d) % N).toBe(0n);
    for (let i = 0; i < 3; i++) expect(verify(msg, encodeSignatureDer(rr, ss), kp.publicKey)).toBe(false);
  });

  test("(r, n − s) and swapped (s, r) do not verify", () => {
    expect(verify(msg, encodeSignatureDer(r, N - s), kp.publicKey)).toBe(false);
    expect(verify(msg, encodeSignatureDer(s, r), kp.publicKey)).toBe(false);
  });
});

describe("malformed DER is refused (MALFORMED_SIGNATURE)", () => {
  const rH = big32(r), sH = big32(s);
  const pad = (h: string): string => (parseInt(h.slice(0, 2), 16) & 0x80 ? "00" + h : h);
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["truncated by one byte", good.subarray(0, good.length - 1)],
    ["only the SEQUENCE header", good.subarray(0, 2)],
    ["trailing garbage", new Uint8Array([...good, 0x00])],
    ["SEQUENCE length too long", new Uint8Array([0x30, good[1] + 1, ...good.subarray(2)])],
    ["SEQUENCE length too short", new Uint8Array([0x30, good[1] - 1, ...good.subarray(2)])],
    ["indefinite length", new Uint8Array([0x30, 0x80, ...good.subarray(2), 0, 0])],
    ["long-form length for a short SEQUENCE", new Uint8Array([0x30, 0x81, good[1], ...good.subarray(2)])],
    ["wrong outer tag", new Uint8Array([0x31, ...good.subarray(1)])],
    ["wrong INTEGER tag", new Uint8Array([0x30, good[1], 0x03, ...good.subarray(3)])],
    ["non-minimal integer (extra leading zero)", rawDer("00" + pad(rH), pad(sH))],
    ["non-minimal zero (00 00)", rawDer("0000", pad(sH))],
    ["negative r", rawDer("80" + rH.slice(2), pad(sH))],
    ["negative s (top bit set, no pad)", rawDer(pad(rH), "ff" + sH.slice(2))],
    ["empty INTEGER", rawDer("", pad(sH))],
    ["third INTEGER inside the SEQUENCE", (() => {
      const body = Buffer.from(rawDer(pad(rH), pad(sH)).subarray(2)).toString("hex") + "020101";
      return hex("30" + (body.length / 2).toString(16) + body);
    })()],
    ["34-byte INTEGER", rawDer("01" + "00".repeat(33), pad(sH))],
  ];
  test.each(cases)("%s", (_name, der) => {
    expect(outcome(() => verify(msg, der, kp.publicKey))).toBe("MALFORMED_SIGNATURE");
    expect(() => decodeSignatureDer(der)).toThrow(ShuyuError);
  });

  test("encodeSignatureDer refuses non-positive components", () => {
    expect(() => encodeSignatureDer(0n, 1n)).toThrow(ShuyuError);
    expect(() => encodeSignatureDer(1n, -1n)).toThrow(ShuyuError);
  });
});

describe("bad public keys are refused (INVALID_PUBLIC_KEY)", () => {
  const x = kp.publicKey.subarray(1, 33), y = kp.publicKey.subarray(33, 65);
  const yFlipped = new Uint8Array(y);
  yFlipped[31] ^= 1;
  const cases: [string, Uint8Array][] = [
    ["off-curve point (y bit flipped)", new Uint8Array([4, ...x, ...yFlipped])],
    ["point at infinity, 1-byte encoding", new Uint8Array([0])],
    ["point at infinity as 04‖0‖0", new Uint8Array(65).fill(0, 1).fill(4, 0, 1)],
    ["x = p", hex("04" + big32(P) + Buffer.from(y).toString("hex"))],
    ["y = p", hex("04" + Buffer.from(x).toString("hex") + big32(P))],
    ["coordinates all ones", hex("04" + "ff".repeat(64))],
    ["hybrid prefix 06", new Uint8Array([6, ...x, ...y])],
    ["64 bytes without prefix", new Uint8Array([...x, ...y])],
    ["compressed prefix with 65 bytes", new Uint8Array([2, ...x, ...y])],
    ["compressed x = p", hex("02" + big32(P))],
    ["truncated", kp.publicKey.subarray(0, 64)],
  ];
  test.each(cases)("%s", (_name, pub) => {
    expect(() => validatePublicKey(pub)).toThrow(ShuyuError);
    expect(outcome(() => verify(msg, good, pub))).toBe("INVALID_PUBLIC_KEY");
    expect(() => encrypt(msg, pub)).toThrow(ShuyuError);
  });

  test("compressed x that is not on the curve", () => {
    // Half of all x have no curve point; walk from 1 to find one.
    let bad: Uint8Array | null = null;
    for (let xi = 1n; xi < 100n && !bad; xi++) {
      const cand = hex("02" + big32(xi));
      try {
        validatePublicKey(cand);
      } catch {
        bad = cand;
      }
    }
    expect(bad).not.toBeNull();
    expect(outcome(() => verify(msg, good, bad as Uint8Array))).toBe("INVALID_PUBLIC_KEY");
  });

  test("x-coordinate ≥ p with a y that would satisfy the equation mod p is refused", () => {
    // A curve point with a small x (found by trying x = 0, 1, …); x + p is the same x mod p.
    const modPow = (b: bigint, e: bigint): bigint => {
      let acc = 1n;
      for (b %= P; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) acc = (acc * b) % P;
      return acc;
    };
    const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
    for (let xi = 0n; xi < 200n; xi++) {
      const rhs = (((xi * xi * xi - 3n * xi + B) % P) + P) % P;
      const yi = modPow(rhs, (P + 1n) / 4n);
      if ((yi * yi) % P !== rhs) continue;
      validatePublicKey(hex("04" + big32(xi) + big32(yi))); // the honest encoding is a valid key
      expect(() => validatePublicKey(hex("04" + big32(xi + P) + big32(yi)))).toThrow(ShuyuError);
      expect(() => validatePublicKey(hex((yi & 1n ? "03" : "02") + big32(xi + P)))).toThrow(ShuyuError);
      return;
    }
    throw new Error("no curve point with small x found");
  });
});

describe("tampering never verifies", () => {
  test("every single-bit flip of the message is rejected", () => {
    for (let bit = 0; bit < msg.length * 8; bit += 7) {
      const m = new Uint8Array(msg);
      m[bit >> 3] ^= 1 << (bit & 7);
      expect(verify(m, good, kp.publicKey)).toBe(false);
    }
  });

  test("every single-bit flip of the signature is rejected or refused", () => {
    for (let bit = 0; bit < good.length * 8; bit++) {
      const sig = new Uint8Array(good);
      sig[bit >> 3] ^= 1 << (bit & 7);
      expect(["invalid", "MALFORMED_SIGNATURE"]).toContain(outcome(() => verify(msg, sig, kp.publicKey)));
    }
  });

  test("another key, another ID or an empty message do not verify", () => {
    const other = generateKeyPair();
    expect(verify(msg, good, other.publicKey)).toBe(false);
    expect(verify(msg, good, kp.publicKey, { id: "1234567812345679" })).toBe(false);
    expect(verify(new Uint8Array(0), good, kp.publicKey)).toBe(false);
  });
});

describe("decryption of forged ciphertexts fails with DECRYPT_FAILED", () => {
  const pt = utf8("sealed SM4 key material 0123456789");
  const ct = encrypt(pt, kp.publicKey);
  const failure = (c: Uint8Array, key: Uint8Array = kp.privateKey, mode: "C1C3C2" | "C1C2C3" = "C1C3C2"): string => {
    try {
      decrypt(c, key, { mode });
      return "DECRYPTED";
    } catch (err) {
      return err instanceof ShuyuError ? err.code : String(err);
    }
  };
  test.each([
    ["C1 y flipped (off curve)", 64],
    ["C1 prefix changed", 0],
    ["C3 flipped", 70],
    ["C2 flipped", 100],
    ["last byte flipped", ct.length - 1],
  ])("%s", (_name, at) => {
    const c = new Uint8Array(ct);
    c[at] ^= 1;
    expect(failure(c)).toBe("DECRYPT_FAILED");
  });
  test("truncated, extended, wrong key, wrong order", () => {
    expect(failure(ct.subarray(0, ct.length - 1))).toBe("DECRYPT_FAILED");
    expect(failure(ct.subarray(0, 96))).toBe("DECRYPT_FAILED");
    expect(failure(new Uint8Array([...ct, 0]))).toBe("DECRYPT_FAILED");
    expect(failure(ct, generateKeyPair().privateKey)).toBe("DECRYPT_FAILED");
    expect(failure(ct, kp.privateKey, "C1C2C3")).toBe("DECRYPT_FAILED");
    expect(new TextDecoder().decode(decrypt(ct, kp.privateKey))).toBe("sealed SM4 key material 0123456789");
  });
});

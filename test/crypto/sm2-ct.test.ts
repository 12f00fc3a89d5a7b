import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fe, normalize, normalizeFallbackCount, P } from "../../crypto/sm2/field.js";
import { generateKeyPair, sign, verify } from "../../crypto/sm2/index.js";
import * as S from "../../crypto/sm2/scalar-ct.js";

const N = S.N_BIG;
const big = (b: Uint8Array) => BigInt("0x" + Buffer.from(b).toString("hex"));
const randomBelowN = () => big(randomBytes(32)) % N;
const modInv = (a: bigint): bigint => {
  let [r0, r1, s0, s1] = [((a % N) + N) % N, N, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % N) + N) % N;
};
const R_INV = modInv((1n << 256n) % N);
const EDGES = [0n, 1n, 2n, N - 1n, N - 2n, N >> 1n, (1n << 255n) % N, (1n << 128n) - 1n];

describe("constant-time scalars mod n (SM2 signing without BigInt on secrets)", () => {
  it("Montgomery product, sum, difference and inverse agree with BigInt on edge and random values", () => {
    const values = [...EDGES, ...Array.from({ length: 300 }, randomBelowN)];
    const o = S.scalar();
    for (let i = 0; i < values.length; i++) {
      const a = values[i], b = values[(i * 7 + 3) % values.length];
      const A = S.scalarFromPublic(a), B = S.scalarFromPublic(b);
      S.montMul(o, A, B);
      expect(S.scalarToPublic(o)).toBe((a * b * R_INV) % N);
      S.addMod(o, A, B);
      expect(S.scalarToPublic(o)).toBe((a + b) % N);
      S.subMod(o, A, B);
      expect(S.scalarToPublic(o)).toBe((((a - b) % N) + N) % N);
      if (a !== 0n) {
        const m = S.scalar(), inv = S.scalar();
        S.toMont(m, A);
        S.invertMont(inv, m);
        S.fromMont(inv, inv);
        expect((S.scalarToPublic(inv) * a) % N).toBe(1n);
      }
    }
  });

  it("range and zero checks give the right verdict at every boundary", () => {
    const lo = S.ONE_SCALAR, hi = S.N_MINUS_2_SCALAR;
    for (const [v, inside] of [[0n, 0], [1n, 1], [N - 2n, 1], [N - 1n, 0], [N, 0], [(1n << 256n) - 1n, 0]] as const) {
      expect(S.inRangeBit(S.scalarFromPublic(v), lo, hi)).toBe(inside);
    }
    expect(S.isZeroBit(S.scalarFromPublic(0n))).toBe(1);
    expect(S.isZeroBit(S.scalarFromPublic(1n << 200n))).toBe(0);
  });

  it("the odd representative of k is k or k + n, always odd, for the regular recoding", () => {
    for (const k of [...EDGES, ...Array.from({ length: 100 }, randomBelowN)]) {
      const bytes = S.oddRepresentativeBytes(S.scalarFromPublic(k));
      const v = BigInt("0x" + Buffer.from(bytes).reverse().toString("hex"));
      expect(v % 2n).toBe(1n);
      expect(v === k || v === k + N).toBe(true);
    }
  });

  it("field normalisation is exact in three fixed passes for loose limbs (the fallback never runs)", () => {
    const before = normalizeFallbackCount();
    const o = fe();
    for (let t = 0; t < 5000; t++) {
      const a = fe();
      let expected = 0n;
      for (let i = 15; i >= 0; i--) {
        a[i] = Math.floor((Math.random() * 2 - 1) * 2 ** 21);
        expected = expected * 65536n + BigInt(a[i]);
      }
      normalize(o, a);
      let got = 0n;
      for (let i = 15; i >= 0; i--) got = got * 65536n + BigInt(o[i]);
      expect(got).toBe(((expected % P) + P) % P);
    }
    expect(normalizeFallbackCount()).toBe(before);
  });

  it("keys from the constant-time path sign and verify, and a flipped bit fails", () => {
    for (let i = 0; i < 20; i++) {
      const kp = generateKeyPair();
      const msg = randomBytes(40);
      const sig = sign(msg, kp.privateKey);
      expect(verify(msg, sig, kp.publicKey)).toBe(true);
      msg[0] ^= 1;
      expect(verify(msg, sig, kp.publicKey)).toBe(false);
    }
  });
});

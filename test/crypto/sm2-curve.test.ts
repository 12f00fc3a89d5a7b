/**
 * The SM2 field and curve internals against a plain BigInt reference written here (affine
 * double-and-add, `%` reduction): limb multiply/square/invert, and every scalar-multiplication
 * path (constant-time fixed-base, constant-time variable-base, wNAF and per-key tables).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import * as F from "../../crypto/sm2/field.js";
import { buildFixedTable, fromAffine, GX, GY, mulDoublePublic, mulFixed, mulG, mulPoint, N, toAffine } from "../../crypto/sm2/curve.js";
import { xMatches } from "../../crypto/sm2/signature.js";

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn; // GB/T 32918.5
const m = (x: bigint): bigint => ((x % P) + P) % P;
const rnd = (mod: bigint): bigint => BigInt("0x" + randomBytes(40).toString("hex")) % mod;

function inv(x: bigint): bigint {
  let [a, b, u, v] = [m(x), P, 1n, 0n];
  while (a) {
    const q = b / a;
    [a, b, u, v] = [b - q * a, a, v - q * u, u];
  }
  return m(v);
}

type Pt = { x: bigint; y: bigint } | null;
function addRef(p: Pt, q: Pt): Pt {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x && m(p.y + q.y) === 0n) return null;
  const l = p.x === q.x ? m((3n * p.x * p.x - 3n) * inv(2n * p.y)) : m((q.y - p.y) * inv(q.x - p.x));
  const x = m(l * l - p.x - q.x);
  return { x, y: m(l * (p.x - x) - p.y) };
}
function mulRef(k: bigint, p: Pt): Pt {
  let acc: Pt = null;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    acc = addRef(acc, acc);
    if ((k >> i) & 1n) acc = addRef(acc, p);
  }
  return acc;
}
const G = { x: GX, y: GY };

describe("field arithmetic modulo p on 16-bit limbs", () => {
  test("mul, sqr, invert match BigInt on random and loose (signed, unreduced) inputs", () => {
    expect(F.P).toBe(P);
    for (let i = 0; i < 200; i++) {
      const x = rnd(P), y = rnd(P);
      const a = F.fromBigInt(x), b = F.fromBigInt(y), o = F.fe();
      F.mul(o, a, b);
      expect(F.toBigInt(o)).toBe(m(x * y));
      F.sqr(o, a);
      expect(F.toBigInt(o)).toBe(m(x * x));
      const l = F.fe();
      F.scale(l, b, 8);
      F.sub(l, a, l);
      F.sub(l, l, b);
      F.mul(o, l, l);
      expect(F.toBigInt(o)).toBe(m((x - 9n * y) ** 2n));
      for (let k = 0; k < 16; k++) expect(Math.abs(o[k])).toBeLessThan(65536 + 16384);
      F.invert(o, a);
      expect(m(F.toBigInt(o) * x)).toBe(1n);
    }
  });

  test("limbs at the documented bound 2^21 do not lose precision", () => {
    const value = (arr: Float64Array): bigint => arr.reduceRight((acc, v) => acc * 65536n + BigInt(v), 0n);
    const big = F.fe().fill(2 ** 21 - 1), neg = F.fe().fill(-(2 ** 21 - 1)), o = F.fe();
    F.mul(o, big, neg);
    expect(F.toBigInt(o)).toBe(m(value(big) * value(neg)));
    F.sqr(o, neg);
    expect(F.toBigInt(o)).toBe(m(value(neg) ** 2n));
  });

  test("normalize and isZero on edge values", () => {
    for (const v of [0n, 1n, P - 1n, P, P + 1n, (1n << 256n) - 1n]) expect(F.toBigInt(F.fromBigInt(v))).toBe(m(v));
    expect(F.isZero(F.fromBigInt(P))).toBe(true);
    expect(F.isZero(F.fromBigInt(1n))).toBe(false);
    const neg = F.fe();
    F.sub(neg, F.fe(), F.fromBigInt(P - 1n));
    expect(F.toBigInt(neg)).toBe(1n);
  });
});

describe("scalar multiplication", () => {
  const edge = [1n, 2n, 3n, 63n, 64n, 65n, N - 1n, N - 2n, N - 64n, (1n << 255n) + 1n, (1n << 252n) - 1n, N >> 1n];
  const scalars = [...edge, ...Array.from({ length: 6 }, () => rnd(N - 1n) + 1n)];

  test("k·G (constant-time fixed base) matches the reference, including edge scalars", () => {
    for (const k of scalars) expect(toAffine(mulG(k))).toEqual(mulRef(k, G));
    expect(toAffine(mulG(N))).toBeNull();
    expect(toAffine(mulG(0n))).toBeNull();
  });

  test("k·P (constant-time variable base) matches the reference", () => {
    const Q = mulRef(rnd(N - 1n) + 1n, G) as { x: bigint; y: bigint };
    for (const k of scalars.slice(0, 10)) expect(toAffine(mulPoint(Q.x, Q.y, k))).toEqual(mulRef(k, Q));
    expect(toAffine(mulPoint(Q.x, Q.y, N))).toBeNull();
  });

  test("u·G + v·P (wNAF and per-key table paths) match the reference", () => {
    const Q = mulRef(rnd(N - 1n) + 1n, G) as { x: bigint; y: bigint };
    const table = buildFixedTable(Q.x, Q.y);
    for (const [u, v] of [[1n, 1n], [N - 1n, 1n], [5n, N - 1n], [rnd(N), rnd(N)], [rnd(N), rnd(N)]]) {
      const want = addRef(mulRef(u, G), mulRef(v, Q));
      expect(toAffine(mulDoublePublic(u, v, Q.x, Q.y, null))).toEqual(want);
      expect(toAffine(mulDoublePublic(u, v, Q.x, Q.y, table))).toEqual(want);
      expect(toAffine(mulFixed(table, v, true))).toEqual(mulRef(v, Q));
    }
    // u·G + v·P = O when P = G and u + v = n: the exceptional addition is handled.
    const gTable = buildFixedTable(GX, GY);
    expect(toAffine(mulDoublePublic(7n, N - 7n, GX, GY, null))).toBeNull();
    expect(toAffine(mulDoublePublic(7n, N - 7n, GX, GY, gTable))).toBeNull();
    expect(toAffine(mulDoublePublic(7n, 7n, GX, GY, null))).toEqual(mulRef(14n, G));
  });
});

describe("verification's x-coordinate check", () => {
  test("x(R) ≥ n (possible since n < p) is matched through the candidate r − e + n", () => {
    const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n; // GB/T 32918.5
    const modPow = (b: bigint, e: bigint): bigint => {
      let acc = 1n;
      for (b = m(b); e > 0n; e >>= 1n, b = m(b * b)) if (e & 1n) acc = m(acc * b);
      return acc;
    };
    // A curve point whose x lies in [n, p): try x = n, n + 1, …
    let pt: { x: bigint; y: bigint } | null = null;
    for (let x = N; !pt; x++) {
      const rhs = m(x * x * x - 3n * x + B);
      const y = modPow(rhs, (P + 1n) / 4n);
      if (m(y * y) === rhs) pt = { x, y };
    }
    // The same point with a random Z: (x·Z², y·Z³, Z).
    const R = fromAffine(pt.x, pt.y);
    const z = rnd(P - 1n) + 1n;
    const zf = F.fromBigInt(z);
    R.x = F.fromBigInt(m(pt.x * z * z));
    R.y = F.fromBigInt(m(pt.y * z * z * z));
    R.z = zf;
    const e = rnd(N);
    const r = (e + pt.x) % N;
    expect(xMatches(R, r, e)).toBe(true);
    expect(xMatches(R, (r + 1n) % N, e)).toBe(false);
  });
});

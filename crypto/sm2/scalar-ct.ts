/**
 * Constant-time arithmetic modulo the SM2 group order n, for secret scalars (d, k, (1+d)^−1).
 *
 * BigInt timing depends on the values' lengths, so secrets never become BigInts: a scalar is
 * 16 limbs of 16 bits in a Float64Array (value = Σ limb[i]·2^(16i)), every operation runs the
 * same instruction sequence for every value (no data-dependent branch, loop bound or memory
 * index), and selections are arithmetic (x + bit·(y − x)). Multiplication is Montgomery's
 * (CIOS, R = 2^256) with delayed carries: a column collects at most 32 products of 16-bit
 * limbs, so every intermediate stays below 2^53 and is exact in a double. Reductions use
 * Math.floor (one roundsd instruction on x86-64), never `%` (V8 takes an integer fast path
 * whose timing depends on the operand).
 */
import { randomBytes } from "node:crypto";

/** A scalar: 16 limbs of 16 bits, little-endian; canonical when in [0, n). */
export type Scalar = Float64Array;

const RADIX = 65536;
const INV_RADIX = 1 / 65536;

/** n as BigInt: public, used only to derive constants and in tests. */
export const N_BIG = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;

function limbsOf(x: bigint, count = 16): Float64Array {
  const o = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    o[i] = Number(x & 0xffffn);
    x >>= 16n;
  }
  return o;
}

const N_LIMBS = limbsOf(N_BIG);
/** −n^−1 mod 2^16 (public constant of the Montgomery reduction). */
const N0_INV = Number((((1n << 16n) - modInverseSmall(N_BIG & 0xffffn, 1n << 16n)) % (1n << 16n)));
/** R^2 mod n, to enter the Montgomery domain. */
const R2 = limbsOf((1n << 512n) % N_BIG);
/** The exponent n − 2 of Fermat inversion, most significant bit first (public). */
const N_MINUS_2_BITS = (N_BIG - 2n).toString(2);

function modInverseSmall(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

/** A new zero scalar. */
export function scalar(): Scalar {
  return new Float64Array(16);
}

/** Scalar from 32 big-endian bytes (not reduced: callers check the range). */
export function scalarFromBytes(b: Uint8Array): Scalar {
  const o = scalar();
  for (let i = 0; i < 16; i++) o[i] = b[31 - 2 * i] | (b[30 - 2 * i] << 8);
  return o;
}

/** 32 big-endian bytes of a canonical scalar. */
export function scalarToBytes(a: Scalar): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 16; i++) {
    const v = a[i];
    out[31 - 2 * i] = v & 0xff;
    out[30 - 2 * i] = (v >>> 8) & 0xff;
  }
  return out;
}

/** Scalar from a PUBLIC BigInt in [0, 2^256) (r, e, test vectors). */
export function scalarFromPublic(x: bigint): Scalar {
  return limbsOf(x);
}

/** BigInt of a canonical scalar that is PUBLIC from now on (the signature's s). */
export function scalarToPublic(a: Scalar): bigint {
  let x = 0n;
  for (let i = 15; i >= 0; i--) x = (x << 16n) | BigInt(a[i]);
  return x;
}

/** One carry pass over `len` limbs of t (non-negative or signed); returns the carry out. */
function carry(t: Float64Array, len: number): number {
  let c = 0;
  for (let i = 0; i < len; i++) {
    const v = t[i] + c;
    c = Math.floor(v * INV_RADIX);
    t[i] = v - c * RADIX;
  }
  return c;
}

const subScratch = new Float64Array(16);

/**
 * o = t − n when t ≥ n, else t, for t with limbs in [0, 2^16) plus a top carry `hi` (0 or 1):
 * the subtraction always runs and the result is chosen by arithmetic on the borrow.
 */
function reduceOnce(o: Scalar, t: Float64Array, hi: number): void {
  const u = subScratch;
  let c = 0;
  for (let i = 0; i < 16; i++) {
    const v = t[i] - N_LIMBS[i] + c;
    c = Math.floor(v * INV_RADIX);
    u[i] = v - c * RADIX;
  }
  // (hi·2^256 + t) − n ≥ 0 exactly when hi + c ≥ 0. With t < 2n, hi = 1 forces c = −1, so
  // hi + c ∈ {−1, 0} and keepU = 1 + hi + c is the bit "t ≥ n".
  const keepU = 1 + hi + c;
  for (let i = 0; i < 16; i++) o[i] = t[i] + keepU * (u[i] - t[i]);
}

const mt = new Float64Array(17);

/** o = a·b·R^−1 mod n for canonical a, b (Montgomery product; o may alias a or b). */
export function montMul(o: Scalar, a: Scalar, b: Scalar): void {
  const t = mt;
  t.fill(0);
  for (let i = 0; i < 16; i++) {
    const ai = a[i];
    for (let j = 0; j < 16; j++) t[j] += ai * b[j];
    const t0 = t[0];
    const lo = t0 - Math.floor(t0 * INV_RADIX) * RADIX;
    const mm = lo * N0_INV;
    const m = mm - Math.floor(mm * INV_RADIX) * RADIX;
    for (let j = 0; j < 16; j++) t[j] += m * N_LIMBS[j];
    // t[0] is now a multiple of 2^16: shift one limb down, carrying its high part.
    const c = t[0] * INV_RADIX;
    for (let j = 0; j < 15; j++) t[j] = t[j + 1];
    t[15] = 0;
    t[0] += c;
  }
  const hi = carry(t, 16);
  reduceOnce(o, t, hi);
}

const at = new Float64Array(16);

/** o = (a + b) mod n for canonical a, b. */
export function addMod(o: Scalar, a: Scalar, b: Scalar): void {
  for (let i = 0; i < 16; i++) at[i] = a[i] + b[i];
  const hi = carry(at, 16);
  reduceOnce(o, at, hi);
}

/** o = (a − b) mod n for canonical a, b. */
export function subMod(o: Scalar, a: Scalar, b: Scalar): void {
  for (let i = 0; i < 16; i++) at[i] = a[i] - b[i] + N_LIMBS[i];
  const hi = carry(at, 16);
  reduceOnce(o, at, hi);
}

/** 1 when a is zero (all limbs), else 0 — no early exit. */
export function isZeroBit(a: Scalar): number {
  let acc = 0;
  for (let i = 0; i < 16; i++) acc |= a[i];
  return ((acc - 1) >>> 31) & 1;
}

/** 1 when lo ≤ a ≤ hi for canonical-limb a (range check of d and k), computed through borrows only. */
export function inRangeBit(a: Scalar, lo: Scalar, hi: Scalar): number {
  let c1 = 0, c2 = 0;
  for (let i = 0; i < 16; i++) {
    const v1 = a[i] - lo[i] + c1;
    c1 = Math.floor(v1 * INV_RADIX);
    const v2 = hi[i] - a[i] + c2;
    c2 = Math.floor(v2 * INV_RADIX);
  }
  return (c1 + 1) * (c2 + 1); // each carry is 0 (no borrow) or −1
}

/** a·R mod n (into the Montgomery domain). */
export function toMont(o: Scalar, a: Scalar): void {
  montMul(o, a, R2);
}

const ONE = limbsOf(1n);

/** a·R^−1 mod n (out of the Montgomery domain). */
export function fromMont(o: Scalar, a: Scalar): void {
  montMul(o, a, ONE);
}

/**
 * o = a^−1 in the Montgomery domain (aM = a·R ↦ a^−1·R) by Fermat, a^(n−2): the exponent is
 * the public constant n − 2, so the square-and-multiply pattern is the same for every a.
 */
export function invertMont(o: Scalar, aM: Scalar): void {
  const acc = scalar();
  acc.set(aM);
  for (let i = 1; i < N_MINUS_2_BITS.length; i++) {
    montMul(acc, acc, acc);
    if (N_MINUS_2_BITS[i] === "1") montMul(acc, acc, aM);
  }
  o.set(acc);
}

const ONE_S = limbsOf(1n);
const N_MINUS_1 = limbsOf(N_BIG - 1n);

/** A uniformly random scalar in [1, max] (default n − 1) by rejection from the CSPRNG. */
export function randomScalarCt(max: Scalar = N_MINUS_1): Scalar {
  for (;;) {
    const k = scalarFromBytes(randomBytes(32));
    // The branch reveals only that a discarded candidate was out of range.
    if (inRangeBit(k, ONE_S, max) === 1) return k;
  }
}

/** The constant n − 2 as a scalar (largest valid private key). */
export const N_MINUS_2_SCALAR: Scalar = limbsOf(N_BIG - 2n);
/** The constant 1 as a scalar. */
export const ONE_SCALAR: Scalar = ONE_S;

/**
 * 36 little-endian bytes of k' = k when k is odd, k + n when k is even (both ≡ k mod n, odd,
 * < 2^257), for the regular signed-digit recoding; the addition of n always runs.
 */
export function oddRepresentativeBytes(k: Scalar): Uint8Array {
  const even = 1 - (k[0] & 1);
  const t = new Float64Array(17);
  for (let i = 0; i < 16; i++) t[i] = k[i] + even * N_LIMBS[i];
  t[16] = carry(t, 16);
  const out = new Uint8Array(36);
  for (let i = 0; i < 17; i++) {
    const v = t[i];
    out[2 * i] = v & 0xff;
    out[2 * i + 1] = (v >>> 8) & 0xff;
  }
  return out;
}

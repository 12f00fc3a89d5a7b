/**
 * SM2 recommended curve (GB/T 32918.5): y² = x³ − 3x + b over F_p, prime order n, cofactor 1.
 * Points in Jacobian coordinates (X/Z², Y/Z³) on the limb field of field.ts; Z ≡ 0 is infinity.
 * Scalar multiplication uses the "regular" signed odd-digit recoding (Joye–Tunstall): every
 * digit is odd and non-zero, so the sequence of doublings and additions is the same for every
 * scalar of the same length and no zero digit is skipped; table entries are read by scanning the
 * whole window (constant-time select). What remains variable-time is listed in README.md.
 */
import { add, fe, fromBigInt, invert, isZero, mul, normalize, P, scale, sqr, sub, toBigInt, type Fe } from "./field.js";
import { oddRepresentativeBytes, randomScalarCt, scalarFromPublic, type Scalar } from "./scalar-ct.js";

/** Curve order n. */
export const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
/** Coefficient a = p − 3. */
export const A = P - 3n;
/** Coefficient b. */
export const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
/** Base point G, x-coordinate. */
export const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
/** Base point G, y-coordinate. */
export const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

/** A point in Jacobian coordinates. */
export interface Jac {
  x: Fe;
  y: Fe;
  z: Fe;
}

/** A fresh point (infinity). */
export function jac(): Jac {
  return { x: fe(), y: fe(), z: fe() };
}

function copyJac(o: Jac, p: Jac): void {
  o.x.set(p.x);
  o.y.set(p.y);
  o.z.set(p.z);
}

function setInfinity(o: Jac): void {
  o.x.fill(0);
  o.y.fill(0);
  o.y[0] = 1;
  o.z.fill(0);
}

/**
 * Fast infinity test for the addition formulas. Infinity only ever arises from setInfinity
 * (exact zero limbs); dbl keeps those limbs exactly zero (Z3 = (Y+0)² − Y² − 0² computes the
 * same limbs twice), and a sum with H ≢ 0 has Z3 = 2·Z1·H ≢ 0. So Z ≡ 0 iff every limb is 0.
 */
function zIsZero(z: Fe): boolean {
  let acc = 0;
  for (let i = 0; i < 16; i++) acc |= z[i];
  return acc === 0;
}

// Scratch registers: JS is single-threaded and none of these functions re-enters itself
// (add* calls dbl on a collision, and dbl has its own set).
const dDelta = fe(), dGamma = fe(), dBeta = fe(), dAlpha = fe(), dT1 = fe(), dT2 = fe(), dX3 = fe(), dZ3 = fe();

/** o = 2p (a = −3, dbl-2001-b). o may alias p. */
export function dbl(o: Jac, p: Jac): void {
  sqr(dDelta, p.z);
  sqr(dGamma, p.y);
  mul(dBeta, p.x, dGamma);
  sub(dT1, p.x, dDelta);
  add(dT2, p.x, dDelta);
  mul(dAlpha, dT1, dT2);
  scale(dAlpha, dAlpha, 3);
  // Z3 = (Y + Z)² − γ − δ
  add(dT1, p.y, p.z);
  sqr(dZ3, dT1);
  sub(dZ3, dZ3, dGamma);
  sub(dZ3, dZ3, dDelta);
  // X3 = α² − 8β
  sqr(dX3, dAlpha);
  scale(dT1, dBeta, 8);
  sub(dX3, dX3, dT1);
  // Y3 = α(4β − X3) − 8γ²
  scale(dT1, dBeta, 4);
  sub(dT1, dT1, dX3);
  mul(dT1, dAlpha, dT1);
  sqr(dT2, dGamma);
  scale(dT2, dT2, 8);
  sub(o.y, dT1, dT2);
  o.x.set(dX3);
  o.z.set(dZ3);
}

const mZ1Z1 = fe(), mU2 = fe(), mS2 = fe(), mH = fe(), mHH = fe(), mI = fe(), mJ = fe(), mR = fe(), mV = fe(), mT = fe(), mX3 = fe(), mY3 = fe(), mZ3 = fe();

/** o = p + (qx, qy, 1) (madd-2007-bl, handles infinity and p = ±q). o may alias p. */
export function addMixed(o: Jac, p: Jac, qx: Fe, qy: Fe): void {
  if (zIsZero(p.z)) {
    o.x.set(qx);
    o.y.set(qy);
    o.z.fill(0);
    o.z[0] = 1;
    return;
  }
  sqr(mZ1Z1, p.z);
  mul(mU2, qx, mZ1Z1);
  mul(mS2, qy, p.z);
  mul(mS2, mS2, mZ1Z1);
  sub(mH, mU2, p.x);
  sub(mR, mS2, p.y);
  scale(mR, mR, 2);
  if (isZero(mH)) {
    // Exceptional case, reached only for special scalars (public or negligible probability).
    if (isZero(mR)) dbl(o, p);
    else setInfinity(o);
    return;
  }
  sqr(mHH, mH);
  scale(mI, mHH, 4);
  mul(mJ, mH, mI);
  mul(mV, p.x, mI);
  // X3 = r² − J − 2V
  sqr(mX3, mR);
  sub(mX3, mX3, mJ);
  sub(mX3, mX3, mV);
  sub(mX3, mX3, mV);
  // Y3 = r(V − X3) − 2·Y1·J
  sub(mT, mV, mX3);
  mul(mY3, mR, mT);
  mul(mT, p.y, mJ);
  scale(mT, mT, 2);
  sub(mY3, mY3, mT);
  // Z3 = (Z1 + H)² − Z1Z1 − HH
  add(mT, p.z, mH);
  sqr(mZ3, mT);
  sub(mZ3, mZ3, mZ1Z1);
  sub(mZ3, mZ3, mHH);
  o.x.set(mX3);
  o.y.set(mY3);
  o.z.set(mZ3);
}

const aZ1Z1 = fe(), aZ2Z2 = fe(), aU1 = fe(), aU2 = fe(), aS1 = fe(), aS2 = fe(), aH = fe(), aI = fe(), aJ = fe(), aR = fe(), aV = fe(), aT = fe(), aX3 = fe(), aY3 = fe(), aZ3 = fe();

/** o = p + q (add-2007-bl, handles infinity and p = ±q). o may alias p or q. */
export function addJac(o: Jac, p: Jac, q: Jac): void {
  if (zIsZero(p.z)) {
    copyJac(o, q);
    return;
  }
  if (zIsZero(q.z)) {
    copyJac(o, p);
    return;
  }
  sqr(aZ1Z1, p.z);
  sqr(aZ2Z2, q.z);
  mul(aU1, p.x, aZ2Z2);
  mul(aU2, q.x, aZ1Z1);
  mul(aS1, p.y, q.z);
  mul(aS1, aS1, aZ2Z2);
  mul(aS2, q.y, p.z);
  mul(aS2, aS2, aZ1Z1);
  sub(aH, aU2, aU1);
  sub(aR, aS2, aS1);
  scale(aR, aR, 2);
  if (isZero(aH)) {
    if (isZero(aR)) dbl(o, p);
    else setInfinity(o);
    return;
  }
  scale(aT, aH, 2);
  sqr(aI, aT);
  mul(aJ, aH, aI);
  mul(aV, aU1, aI);
  sqr(aX3, aR);
  sub(aX3, aX3, aJ);
  sub(aX3, aX3, aV);
  sub(aX3, aX3, aV);
  sub(aT, aV, aX3);
  mul(aY3, aR, aT);
  mul(aT, aS1, aJ);
  scale(aT, aT, 2);
  sub(aY3, aY3, aT);
  add(aT, p.z, q.z);
  sqr(aZ3, aT);
  sub(aZ3, aZ3, aZ1Z1);
  sub(aZ3, aZ3, aZ2Z2);
  mul(aZ3, aZ3, aH);
  o.x.set(aX3);
  o.y.set(aY3);
  o.z.set(aZ3);
}

/** Affine coordinates of p as canonical BigInts, or null for infinity. */
export function toAffine(p: Jac): { x: bigint; y: bigint } | null {
  if (isZero(p.z)) return null;
  const zi = fe(), zi2 = fe(), t = fe();
  invert(zi, p.z);
  sqr(zi2, zi);
  mul(t, p.x, zi2);
  const x = toBigInt(t);
  mul(zi2, zi2, zi);
  mul(t, p.y, zi2);
  return { x, y: toBigInt(t) };
}

/** The Jacobian point (x, y, 1) for affine BigInt coordinates. */
export function fromAffine(x: bigint, y: bigint): Jac {
  const z = fe();
  z[0] = 1;
  return { x: fromBigInt(x), y: fromBigInt(y), z };
}

// ---- scalar recoding -------------------------------------------------------------------

/**
 * Signed odd digits of an odd k' < 2^257 given as 36 little-endian bytes (see
 * oddRepresentativeBytes: k' = k or k + n, both ≡ k mod n), in [−(2^w − 1), 2^w − 1], count
 * digits of w bits: k' = Σ d_i·2^(wi). Digit i is bits [wi, wi + w] of k' with the lowest forced
 * to 1, minus 2^w — derived from the Joye–Tunstall recurrence, so no data-dependent branch is needed.
 */
function recode(bytes: Uint8Array, w: number, count: number): Int32Array {
  const d = new Int32Array(count);
  const mask = (1 << (w + 1)) - 1;
  for (let i = 0; i < count; i++) {
    const pos = w * i;
    const byte = pos >> 3;
    const v = ((bytes[byte] | (bytes[byte + 1] << 8)) >>> (pos & 7)) & mask;
    d[i] = i === count - 1 ? v | 1 : (v | 1) - (1 << w);
  }
  return d;
}

/** The odd representative's bytes of a PUBLIC BigInt scalar (reduced mod n here). */
function publicScalarBytes(k: bigint): Uint8Array {
  return oddRepresentativeBytes(scalarFromPublic(((k % N) + N) % N));
}

/**
 * Tables used with secret scalars hold canonical limbs packed two per int32 (low half, high
 * half), so the constant-time scan below touches half the memory with integer AND/OR only.
 */
type PackedTable = Int32Array;

/** Constant-time: acc = entry idx of `count` entries of `words` int32 each, by a full scan. */
function selectPacked(acc: Int32Array, table: PackedTable, base: number, count: number, words: number, idx: number): void {
  acc.fill(0);
  for (let j = 0; j < count; j++) {
    const mask = -((((j ^ idx) - 1) >>> 31) & 1);
    const off = base + j * words;
    for (let l = 0; l < words; l++) acc[l] |= table[off + l] & mask;
  }
}

/** selectPacked for 16-word entries, unrolled so the accumulators stay in registers. */
function selectPacked16(acc: Int32Array, table: PackedTable, base: number, count: number, idx: number): void {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0, a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0, a15 = 0;
  for (let j = 0, off = base; j < count; j++, off += 16) {
    const m = -((((j ^ idx) - 1) >>> 31) & 1);
    a0 |= table[off + 0] & m;
    a1 |= table[off + 1] & m;
    a2 |= table[off + 2] & m;
    a3 |= table[off + 3] & m;
    a4 |= table[off + 4] & m;
    a5 |= table[off + 5] & m;
    a6 |= table[off + 6] & m;
    a7 |= table[off + 7] & m;
    a8 |= table[off + 8] & m;
    a9 |= table[off + 9] & m;
    a10 |= table[off + 10] & m;
    a11 |= table[off + 11] & m;
    a12 |= table[off + 12] & m;
    a13 |= table[off + 13] & m;
    a14 |= table[off + 14] & m;
    a15 |= table[off + 15] & m;
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
  acc[4] = a4;
  acc[5] = a5;
  acc[6] = a6;
  acc[7] = a7;
  acc[8] = a8;
  acc[9] = a9;
  acc[10] = a10;
  acc[11] = a11;
  acc[12] = a12;
  acc[13] = a13;
  acc[14] = a14;
  acc[15] = a15;
}

/** Unpacks words [from, from + 8) into 16 limbs of o. */
function unpack(o: Fe, w: Int32Array, from: number): void {
  for (let l = 0; l < 8; l++) {
    const v = w[from + l];
    o[2 * l] = v & 0xffff;
    o[2 * l + 1] = v >>> 16;
  }
}

/** Packs 16 canonical limbs of a into 8 words of out at offset. */
function pack(out: Int32Array, off: number, a: Fe): void {
  for (let l = 0; l < 8; l++) out[off + l] = a[2 * l] | (a[2 * l + 1] << 16);
}

/** o = a, negated when d < 0, without a branch on d (limbs may go negative: loose form). */
function condNegate(o: Fe, d: number): void {
  const sign = 1 + 2 * (d >> 31); // +1 or −1
  for (let l = 0; l < 16; l++) o[l] *= sign;
}

/** Table index of a digit d (odd, |d| < 2^w): (|d| − 1)/2, without a branch. */
function digitIndex(d: number): number {
  const s = d >> 31;
  return ((d ^ s) - s) >>> 1;
}

// ---- fixed-base tables ----------------------------------------------------------------

const G_W = 6;
const G_WINDOWS = 43; // 6·42 ≥ 257 − 6: the last digit is ≤ 31
const G_ENTRIES = 1 << (G_W - 1); // odd multiples 1, 3, …, 63
const G_ROW = G_ENTRIES * 16;

/** An affine fixed-base table: window j holds (2i+1)·2^(6j)·Q for i < 32, x‖y packed in 16 words. */
export type FixedTable = PackedTable;

/** Builds the fixed-base table of the point (x, y): ~1,400 additions and one inversion. */
export function buildFixedTable(x: bigint, y: bigint): FixedTable {
  const table = new Int32Array(G_WINDOWS * G_ROW);
  let base = fromAffine(x, y);
  const pts: Jac[] = [];
  for (let j = 0; j < G_WINDOWS; j++) {
    const twice = jac();
    dbl(twice, base);
    const row: Jac[] = [base];
    for (let i = 1; i < G_ENTRIES; i++) {
      const p = jac();
      addJac(p, row[i - 1], twice);
      row.push(p);
    }
    pts.push(...row);
    const next = jac();
    copyJac(next, base);
    for (let i = 0; i < G_W; i++) dbl(next, next);
    base = next;
  }
  batchNormalize(pts, table);
  return table;
}

/** Writes packed affine x‖y of each point into out (Montgomery's trick: one inversion for all). */
function batchNormalize(pts: Jac[], out: Int32Array): void {
  const acc: Fe[] = [];
  let run = fe();
  run[0] = 1;
  for (const p of pts) {
    acc.push(run);
    const next = fe();
    mul(next, run, p.z);
    run = next;
  }
  const inv = fe();
  invert(inv, run);
  const zi = fe(), zi2 = fe(), t = fe();
  for (let i = pts.length - 1; i >= 0; i--) {
    mul(zi, inv, acc[i]);
    mul(inv, inv, pts[i].z);
    sqr(zi2, zi);
    mul(t, pts[i].x, zi2);
    normalize(t, t);
    pack(out, i * 16, t);
    mul(zi2, zi2, zi);
    mul(t, pts[i].y, zi2);
    normalize(t, t);
    pack(out, i * 16 + 8, t);
  }
}

let gTable: FixedTable | null = null;

/** The table of G, built on first use (~10 ms). */
function gTableNow(): FixedTable {
  gTable ??= buildFixedTable(GX, GY);
  return gTable;
}

const fSel = new Int32Array(16);
const fX = fe(), fY = fe();

/**
 * k·Q from Q's fixed-base table: 42 mixed additions, no doublings. With constantTime the
 * entries are read by a full scan of each row; without, directly (public scalars only).
 */
export function mulFixed(table: FixedTable, k: bigint, constantTime: boolean): Jac {
  return mulFixedDigits(table, recode(publicScalarBytes(k), G_W, G_WINDOWS), constantTime);
}

function mulFixedDigits(table: FixedTable, d: Int32Array, constantTime: boolean): Jac {
  const acc = jac();
  for (let j = G_WINDOWS - 1, first = true; j >= 0; j--, first = false) {
    const idx = digitIndex(d[j]);
    if (constantTime) selectPacked16(fSel, table, j * G_ROW, G_ENTRIES, idx);
    else fSel.set(table.subarray(j * G_ROW + idx * 16, j * G_ROW + idx * 16 + 16));
    unpack(fX, fSel, 0);
    unpack(fY, fSel, 8);
    condNegate(fY, d[j]);
    if (first) {
      acc.x.set(fX);
      acc.y.set(fY);
      acc.z[0] = 1;
    } else {
      addMixed(acc, acc, fX, fY);
    }
  }
  return acc;
}

/** k·G for a public BigInt k (reduced mod n first); same operation sequence and memory reads for every k. */
export function mulG(k: bigint): Jac {
  return mulFixed(gTableNow(), k, true);
}

/** k·G for a SECRET canonical scalar k: no BigInt, no branch or table index that depends on k. */
export function mulGSecret(k: Scalar): Jac {
  return mulFixedDigits(gTableNow(), recode(oddRepresentativeBytes(k), G_W, G_WINDOWS), true);
}

// ---- variable base ---------------------------------------------------------------------

const V_W = 5;
const V_WINDOWS = 52; // 5·51 ≥ 257 − 5: the last digit is ≤ 3
const V_ENTRIES = 1 << (V_W - 1); // odd multiples 1, 3, …, 31

/** Jacobian odd multiples P, 3P, …, (2·count − 1)P as x‖y‖z limbs. */
function oddMultiples(px: bigint, py: bigint, count: number): Float64Array {
  const p = fromAffine(px, py);
  const twice = jac();
  dbl(twice, p);
  const table = new Float64Array(count * 48);
  let prev = p;
  table.set(p.x, 0);
  table.set(p.y, 16);
  table.set(p.z, 32);
  for (let i = 1; i < count; i++) {
    const q = jac();
    addJac(q, prev, twice);
    table.set(q.x, i * 48);
    table.set(q.y, i * 48 + 16);
    table.set(q.z, i * 48 + 32);
    prev = q;
  }
  return table;
}

/** k·P for a point P given by affine BigInts (validated by the caller) and a public BigInt k. */
export function mulPoint(px: bigint, py: bigint, k: bigint): Jac {
  return mulPointDigits(px, py, recode(publicScalarBytes(k), V_W, V_WINDOWS));
}

/** k·P for a SECRET canonical scalar k (decryption's d, encryption's k); same sequence for every k. */
export function mulPointSecret(px: bigint, py: bigint, k: Scalar): Jac {
  return mulPointDigits(px, py, recode(oddRepresentativeBytes(k), V_W, V_WINDOWS));
}

function mulPointDigits(px: bigint, py: bigint, d: Int32Array): Jac {
  const multiples = oddMultiples(px, py, V_ENTRIES);
  // Canonical limbs, packed: x‖y in 16 words, z in 8 more.
  const table = new Int32Array(V_ENTRIES * 24);
  const t = fe();
  for (let i = 0; i < V_ENTRIES; i++) {
    for (let c = 0; c < 3; c++) {
      normalize(t, multiples.subarray(i * 48 + c * 16, i * 48 + c * 16 + 16));
      pack(table, i * 24 + c * 8, t);
    }
  }
  const sel = new Int32Array(24);
  const acc = jac(), q = jac();
  for (let j = V_WINDOWS - 1; j >= 0; j--) {
    selectPacked(sel, table, 0, V_ENTRIES, 24, digitIndex(d[j]));
    unpack(q.x, sel, 0);
    unpack(q.y, sel, 8);
    unpack(q.z, sel, 16);
    condNegate(q.y, d[j]);
    if (j === V_WINDOWS - 1) {
      copyJac(acc, q);
      continue;
    }
    for (let i = 0; i < V_W; i++) dbl(acc, acc);
    addJac(acc, acc, q);
  }
  return acc;
}

function loadJac(o: Jac, s: Float64Array): void {
  o.x.set(s.subarray(0, 16));
  o.y.set(s.subarray(16, 32));
  o.z.set(s.subarray(32, 48));
}

const NAF_W = 5;

/** Direct (variable-time) read of entry |d|/2 of a Jacobian table, negating y if d < 0. */
function readEntry(out: Float64Array, table: Float64Array, d: number): void {
  const off = (Math.abs(d) >>> 1) * 48;
  out.set(table.subarray(off, off + 48));
  if (d < 0) for (let l = 16; l < 32; l++) out[l] = -out[l];
}

/** Digits of every NAF, whatever its width, so two NAFs can be walked side by side. */
const NAF_LEN = 256 + 8 + 1;

/** Width-w NAF digits (w ≤ 8) of 0 ≤ k < 2^256, least significant first (public scalars only). */
function wnaf(k: bigint, w: number): Int8Array {
  const hex = k.toString(16).padStart(64, "0");
  const bits = new Uint8Array(NAF_LEN);
  for (let i = 0; i < 64; i++) {
    const nib = parseInt(hex[63 - i], 16);
    bits[4 * i] = nib & 1;
    bits[4 * i + 1] = (nib >> 1) & 1;
    bits[4 * i + 2] = (nib >> 2) & 1;
    bits[4 * i + 3] = (nib >> 3) & 1;
  }
  const naf = new Int8Array(NAF_LEN);
  let carry = 0;
  for (let i = 0; i < 257; ) {
    const b = bits[i] + carry;
    if (b !== 1) {
      carry = b >> 1;
      i++;
      continue;
    }
    let v = 1;
    for (let j = 1; j < w; j++) v += bits[i + j] << j;
    if (v >= 1 << (w - 1)) {
      v -= 1 << w;
      carry = 1;
    } else {
      carry = 0;
    }
    naf[i] = v;
    i += w;
  }
  return naf;
}

const G_NAF_W = 8;
let gNafTable: PackedTable | null = null;

/** Affine odd multiples G, 3G, …, 127G (packed), for the width-8 NAF of u in u·G + v·P. */
function gNafTableNow(): PackedTable {
  if (!gNafTable) {
    const count = 1 << (G_NAF_W - 2);
    const g = fromAffine(GX, GY);
    const twice = jac();
    dbl(twice, g);
    const pts: Jac[] = [g];
    for (let i = 1; i < count; i++) {
      const p = jac();
      addJac(p, pts[i - 1], twice);
      pts.push(p);
    }
    const table = new Int32Array(count * 16);
    batchNormalize(pts, table);
    gNafTable = table;
  }
  return gNafTable;
}

const vSel = new Float64Array(48);
const vGx = fe(), vGy = fe();

/**
 * u·G + v·P for verification (public inputs, variable time). With P's fixed-base table
 * (cached by the caller for keys that verify repeatedly) this needs no doublings at all;
 * otherwise one shared doubling chain with width-8 NAF for G and width-5 NAF for P.
 */
export function mulDoublePublic(u: bigint, v: bigint, px: bigint, py: bigint, pTable: FixedTable | null): Jac {
  if (pTable) {
    const a = mulFixed(gTableNow(), u, false);
    const b = mulFixed(pTable, v, false);
    addJac(a, a, b);
    return a;
  }
  const gt = gNafTableNow();
  const pt = oddMultiples(px, py, 1 << (NAF_W - 2));
  const nu = wnaf(((u % N) + N) % N, G_NAF_W);
  const nv = wnaf(((v % N) + N) % N, NAF_W);
  const acc = jac(), t = jac();
  setInfinity(acc);
  let top = NAF_LEN - 1;
  while (top >= 0 && nu[top] === 0 && nv[top] === 0) top--;
  for (let i = top; i >= 0; i--) {
    if (i !== top) dbl(acc, acc);
    const du = nu[i];
    if (du !== 0) {
      const off = (Math.abs(du) >>> 1) * 16;
      for (let l = 0; l < 8; l++) {
        const a = gt[off + l], b = gt[off + 8 + l];
        vGx[2 * l] = a & 0xffff;
        vGx[2 * l + 1] = a >>> 16;
        vGy[2 * l] = b & 0xffff;
        vGy[2 * l + 1] = b >>> 16;
      }
      if (du < 0) for (let l = 0; l < 16; l++) vGy[l] = -vGy[l];
      addMixed(acc, acc, vGx, vGy);
    }
    const dv = nv[i];
    if (dv !== 0) {
      readEntry(vSel, pt, dv);
      loadJac(t, vSel);
      addJac(acc, acc, t);
    }
  }
  return acc;
}

const NONCE_BATCH = 16;
const noncePool: { k: Scalar; x1: bigint }[] = [];

/**
 * A fresh random k in [1, n − 1] (a constant-time scalar, never a BigInt) with x(k·G), which is
 * public once r = e + x1 is. Pairs are made 16 at a time so that one field inversion (Montgomery's
 * trick) serves 16 signatures; each pair is handed out once and dropped.
 */
export function takeNonce(): { k: Scalar; x1: bigint } {
  if (noncePool.length === 0) {
    const ks: Scalar[] = [];
    const pts: Jac[] = [];
    for (let i = 0; i < NONCE_BATCH; i++) {
      ks.push(randomScalarCt());
      pts.push(mulGSecret(ks[i]));
    }
    const prefix: Fe[] = [];
    let run = fe();
    run[0] = 1;
    for (const p of pts) {
      prefix.push(run);
      const next = fe();
      mul(next, run, p.z);
      run = next;
    }
    const inv = fe(), zi = fe(), t = fe();
    invert(inv, run);
    for (let i = NONCE_BATCH - 1; i >= 0; i--) {
      mul(zi, inv, prefix[i]);
      mul(inv, inv, pts[i].z);
      sqr(t, zi);
      mul(t, pts[i].x, t);
      noncePool.push({ k: ks[i], x1: toBigInt(t) });
    }
  }
  return noncePool.pop() as { k: Scalar; x1: bigint };
}

/** Forces the G table to be built now (so the first signature is not slow). */
export function precomputeG(): void {
  gTableNow();
}

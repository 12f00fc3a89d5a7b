/** SM2 digital signatures (GB/T 32918.2) with SM3, Z_A and DER-encoded (r, s). */
import { createHash } from "node:crypto";
import { ShuyuError } from "../../policies/errors.js";
import { BoundedCache } from "./bounded-cache.js";
import { buildFixedTable, mulDoublePublic, mulGSecret, N, takeNonce, toAffine, type FixedTable, type Jac } from "./curve.js";
import { fe, fromBigInt, isZero, mul, P, sqr, sub } from "./field.js";
import { decodeSignatureDer, encodeSignatureDer } from "./der.js";
import { parsePrivateKey, publicPointOf } from "./private-key.js";
import { decodePoint, type AffinePoint } from "./point-codec.js";
import { bytesToBigInt, modN } from "./scalar.js";
import { addMod, invertMont, isZeroBit, montMul, ONE_SCALAR, scalar, scalarFromPublic, scalarToPublic, subMod, toMont, type Scalar } from "./scalar-ct.js";
import { idBytes, zOf } from "./z-digest.js";

/** Options for signing. `k` fixes the nonce and exists only for standard test vectors. */
export interface SignOptions {
  id?: string | Uint8Array;
  publicKey?: Uint8Array;
  k?: bigint;
}

/** Options for verification. */
export interface VerifyOptions {
  id?: string | Uint8Array;
}

interface SignerState {
  /** d in the Montgomery domain (d·R mod n), a constant-time scalar. */
  dM: Scalar;
  /** (1 + d)^−1 in the Montgomery domain: the one scalar inversion of signing, once per key, by Fermat. */
  dPlus1InvM: Scalar;
  publicKey: Uint8Array;
  point: AffinePoint;
}

// Keyed by SM3(d) so the map's keys are not the secrets themselves.
const signers = new BoundedCache<SignerState>(32);
/** A parsed public key and its uses since its fixed-base table was last built (or ever). */
interface KeyEntry {
  point: AffinePoint;
  uses: number;
}
const points = new BoundedCache<KeyEntry>(256);
/**
 * Fixed-base tables of public keys that verify repeatedly (the domain's seal key, a
 * certificate's issuer): 88 KB and about 17 verifications' work each, after which a
 * verification needs no doublings. A table is (re)built only after TABLE_AFTER_USES uses
 * without one, so a workload cycling through more hot keys than the cache holds pays at most
 * ~1/4 extra instead of rebuilding a table on every verification.
 */
const keyTables = new BoundedCache<FixedTable>(8);
const TABLE_AFTER_USES = 64;
const zs = new BoundedCache<Uint8Array>(256);

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

function signerFor(privateKey: Uint8Array): SignerState {
  const tag = createHash("sm3").update(privateKey).digest("hex");
  let st = signers.get(tag);
  if (!st) {
    const d = parsePrivateKey(privateKey);
    const publicKey = publicPointOf(d);
    const dM = scalar(), onePlusD = scalar(), inv = scalar();
    toMont(dM, d);
    addMod(onePlusD, d, ONE_SCALAR);
    toMont(onePlusD, onePlusD);
    invertMont(inv, onePlusD);
    st = { dM, dPlus1InvM: inv, publicKey, point: decodePoint(publicKey) };
    signers.set(tag, st);
  }
  return st;
}

function pointFor(publicKey: Uint8Array): { point: AffinePoint; key: string; entry: KeyEntry } {
  const key = hex(publicKey);
  let entry = points.get(key);
  if (!entry) {
    entry = { point: decodePoint(publicKey), uses: 0 };
    points.set(key, entry);
  }
  return { point: entry.point, key: pointKey(entry.point), entry };
}

function tableFor(entry: KeyEntry, key: string): FixedTable | null {
  let table = keyTables.get(key) ?? null;
  if (!table && ++entry.uses >= TABLE_AFTER_USES) {
    table = buildFixedTable(entry.point.x, entry.point.y);
    keyTables.set(key, table);
    entry.uses = 0;
  }
  return table;
}

/**
 * Whether (e + x(R)) mod n = r without converting R to affine: x(R) = X/Z² is one of
 * (r − e) mod n or that plus n (when below p), so compare X with candidate·Z² mod p.
 * Exported for the tests of the rare x(R) ≥ n case.
 */
export function xMatches(R: Jac, r: bigint, e: bigint): boolean {
  if (isZero(R.z)) return false;
  const z2 = fe(), t = fe();
  sqr(z2, R.z);
  for (let c = modN(r - e); c < P; c += N) {
    mul(t, fromBigInt(c), z2);
    sub(t, t, R.x);
    if (isZero(t)) return true;
  }
  return false;
}

/** Cache key of a point that is the same for its compressed and uncompressed encodings. */
function pointKey(p: AffinePoint): string {
  return p.x.toString(16) + ":" + p.y.toString(16);
}

function zFor(point: AffinePoint, pointKey: string, id: string | Uint8Array | undefined): Uint8Array {
  const idb = idBytes(id);
  const key = pointKey + "|" + hex(idb);
  let z = zs.get(key);
  if (!z) {
    z = zOf(point, idb);
    zs.set(key, z);
  }
  return z;
}

function digestE(z: Uint8Array, message: Uint8Array): bigint {
  return bytesToBigInt(createHash("sm3").update(z).update(message).digest());
}

/** Z_A = SM3(ENTL‖ID‖a‖b‖xG‖yG‖xA‖yA) for a public key (65 or 33 bytes) and user ID. */
export function computeZ(publicKey: Uint8Array, id?: string | Uint8Array): Uint8Array {
  const { point, key } = pointFor(publicKey);
  return new Uint8Array(zFor(point, key, id));
}

/** Signs message, returning (r, s) as BigInts. */
export function signRaw(message: Uint8Array, privateKey: Uint8Array, opts: SignOptions = {}): { r: bigint; s: bigint } {
  const st = signerFor(privateKey);
  if (opts.publicKey !== undefined) {
    const given = pointFor(opts.publicKey).point;
    if (given.x !== st.point.x || given.y !== st.point.y) {
      throw new ShuyuError("invalid", "INVALID_PUBLIC_KEY", "the publicKey passed to sign() does not belong to the private key; omit it or pass the matching key", { details: {} });
    }
  }
  const z = zFor(st.point, pointKey(st.point), opts.id);
  const e = digestE(z, message);
  if (opts.k !== undefined && (opts.k < 1n || opts.k >= N)) {
    throw new ShuyuError("usage", "INVALID_NONCE", "fixed k must lie in [1, n − 1]", { details: {} });
  }
  const rS = scalar(), rd = scalar(), diff = scalar(), sS = scalar(), rk = scalar();
  for (;;) {
    let k: Scalar, x1: bigint;
    if (opts.k !== undefined) {
      k = scalarFromPublic(opts.k);
      const p1 = toAffine(mulGSecret(k));
      if (!p1) throw new ShuyuError("internal", "INTERNAL", "k·G is infinity for k in [1, n − 1]");
      x1 = p1.x;
    } else {
      ({ k, x1 } = takeNonce());
    }
    // r = e + x1 mod n is public (it is half the signature); k, d and (1+d)^−1 stay limbs.
    const r = modN(e + x1);
    rS.set(scalarFromPublic(r));
    addMod(rk, rS, k);
    // r = 0 or r + k = n: a negligible-probability retry; the branch is on a public verdict.
    if (r === 0n || isZeroBit(rk) === 1) {
      if (opts.k !== undefined) throw new ShuyuError("usage", "INVALID_NONCE", "fixed k gives r = 0 or r + k = n; choose another", { details: {} });
      continue;
    }
    // s = (1 + d)^−1 · (k − r·d) mod n: montMul(r, d·R) = r·d, then montMul(·, (1+d)^−1·R).
    montMul(rd, rS, st.dM);
    subMod(diff, k, rd);
    montMul(sS, diff, st.dPlus1InvM);
    if (isZeroBit(sS) === 1) {
      if (opts.k !== undefined) throw new ShuyuError("usage", "INVALID_NONCE", "fixed k gives s = 0; choose another", { details: {} });
      continue;
    }
    return { r, s: scalarToPublic(sS) };
  }
}

/** Signs message with SM3/Z_A and returns DER SEQUENCE { r, s }. */
export function sign(message: Uint8Array, privateKey: Uint8Array, opts: SignOptions = {}): Uint8Array {
  const { r, s } = signRaw(message, privateKey, opts);
  return encodeSignatureDer(r, s);
}

/**
 * Verifies (r, s). Returns false for any signature that does not verify, including r or s
 * outside [1, n − 1]; throws INVALID_PUBLIC_KEY for a key that is not a valid curve point.
 */
export function verifyRaw(message: Uint8Array, sig: { r: bigint; s: bigint }, publicKey: Uint8Array, opts: VerifyOptions = {}): boolean {
  const { point, key, entry } = pointFor(publicKey);
  const { r, s } = sig;
  if (typeof r !== "bigint" || typeof s !== "bigint") return false;
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const t = modN(r + s);
  if (t === 0n) return false;
  const e = digestE(zFor(point, key, opts.id), message);
  return xMatches(mulDoublePublic(s, t, point.x, point.y, tableFor(entry, key)), r, e);
}

/**
 * Verifies a DER signature. Returns false when the signature does not verify; throws
 * MALFORMED_SIGNATURE for anything that is not strict DER and INVALID_PUBLIC_KEY for bad keys.
 */
export function verify(message: Uint8Array, signatureDer: Uint8Array, publicKey: Uint8Array, opts: VerifyOptions = {}): boolean {
  return verifyRaw(message, decodeSignatureDer(signatureDer), publicKey, opts);
}

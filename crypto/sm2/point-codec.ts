/** Encoding, decoding and validation of SM2 public points (GB/T 32918.1 §4.2.8–4.2.9). */
import { ShuyuError } from "../../policies/errors.js";
import { B } from "./curve.js";
import { P } from "./field.js";
import { bigIntTo32, bytesToBigInt } from "./scalar.js";

/** An affine point with canonical coordinates. */
export interface AffinePoint {
  x: bigint;
  y: bigint;
}

function badKey(reason: string, details: Record<string, unknown> = {}): ShuyuError {
  return new ShuyuError("invalid", "INVALID_PUBLIC_KEY", `SM2 public key rejected: ${reason}; expected 65 bytes 04‖x‖y or 33 bytes 02/03‖x of a point on the SM2 curve`, { details: { reason, ...details } });
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** y² for x on the curve: x³ − 3x + b mod p. */
function rhs(x: bigint): bigint {
  return (((x * x) % P) * x - 3n * x + B + 3n * P) % P;
}

/** Whether (x, y) with 0 ≤ x, y < p satisfies the curve equation. */
export function isOnCurve(x: bigint, y: bigint): boolean {
  return x >= 0n && x < P && y >= 0n && y < P && (y * y) % P === rhs(x);
}

/**
 * Parses and fully validates a public key: right length and prefix, coordinates < p, on the
 * curve. The point at infinity has no 33/65-byte encoding, and the cofactor is 1, so every
 * such point generates the full group of order n.
 */
export function decodePoint(pub: Uint8Array): AffinePoint {
  if (!(pub instanceof Uint8Array)) throw badKey("not a byte array");
  if (pub.length === 65 && pub[0] === 0x04) {
    const x = bytesToBigInt(pub.subarray(1, 33));
    const y = bytesToBigInt(pub.subarray(33, 65));
    if (x >= P || y >= P) throw badKey("coordinate not below p");
    if (!isOnCurve(x, y)) throw badKey("point is not on the SM2 curve");
    return { x, y };
  }
  if (pub.length === 33 && (pub[0] === 0x02 || pub[0] === 0x03)) {
    const x = bytesToBigInt(pub.subarray(1, 33));
    if (x >= P) throw badKey("coordinate not below p");
    const y2 = rhs(x);
    let y = modPow(y2, (P + 1n) / 4n, P); // p ≡ 3 (mod 4)
    if ((y * y) % P !== y2) throw badKey("x is not the abscissa of a curve point");
    if ((y & 1n) !== BigInt(pub[0] & 1)) y = P - y;
    return { x, y };
  }
  throw badKey("wrong length or prefix", { length: pub.length, prefix: pub[0] });
}

/** 65-byte uncompressed encoding 04‖x‖y. */
export function encodePoint(p: AffinePoint): Uint8Array {
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(bigIntTo32(p.x), 1);
  out.set(bigIntTo32(p.y), 33);
  return out;
}

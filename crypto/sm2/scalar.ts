/** Scalars modulo the SM2 group order n, as BigInt (a handful of operations per signature). */
import { randomBytes } from "node:crypto";
import { N } from "./curve.js";

/** Big-endian bytes → BigInt. */
export function bytesToBigInt(b: Uint8Array): bigint {
  return b.length === 0 ? 0n : BigInt("0x" + Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex"));
}

/** BigInt (0 ≤ x < 2^256) → 32 big-endian bytes. */
export function bigIntTo32(x: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(x.toString(16).padStart(64, "0"), "hex"));
}

/** x mod n in [0, n). */
export function modN(x: bigint): bigint {
  const r = x % N;
  return r < 0n ? r + N : r;
}

/** x^−1 mod m by the extended Euclidean algorithm (x ≢ 0). */
export function invMod(x: bigint, m: bigint): bigint {
  let a = ((x % m) + m) % m, b = m, u = 1n, v = 0n;
  while (a !== 0n) {
    const q = b / a;
    [a, b] = [b - q * a, a];
    [u, v] = [v - q * u, u];
  }
  if (b !== 1n) throw new Error("invMod: not invertible");
  return ((v % m) + m) % m;
}

/** A uniformly random scalar in [1, max] by rejection sampling from the CSPRNG. */
export function randomScalar(max: bigint = N - 1n): bigint {
  for (;;) {
    const k = bytesToBigInt(randomBytes(32));
    if (k >= 1n && k <= max) return k;
  }
}

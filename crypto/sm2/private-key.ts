/** SM2 private keys: parsing, generation and the public point d·G. */
import { ShuyuError } from "../../policies/errors.js";
import { mulG, N, toAffine } from "./curve.js";
import { encodePoint } from "./point-codec.js";
import { bigIntTo32, bytesToBigInt, randomScalar } from "./scalar.js";

/** An SM2 key pair: 32-byte private scalar d and 65-byte uncompressed public point 04‖x‖y. */
export interface Sm2KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** d from 32 bytes, checked to lie in [1, n − 2] (GB/T 32918.1 §6.1: 1 + d must be invertible). */
export function parsePrivateKey(privateKey: Uint8Array): bigint {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new ShuyuError("invalid", "INVALID_PRIVATE_KEY", "SM2 private key must be exactly 32 bytes (big-endian scalar d)", {
      details: { length: privateKey instanceof Uint8Array ? privateKey.length : null },
    });
  }
  const d = bytesToBigInt(privateKey);
  if (d < 1n || d > N - 2n) {
    throw new ShuyuError("invalid", "INVALID_PRIVATE_KEY", "SM2 private key d must satisfy 1 ≤ d ≤ n − 2; generate a new key", { details: {} });
  }
  return d;
}

/** 65-byte public key for scalar d. */
export function publicPointOf(d: bigint): Uint8Array {
  const p = toAffine(mulG(d));
  if (!p) throw new ShuyuError("internal", "INTERNAL", "d·G is infinity for a validated d");
  return encodePoint(p);
}

/** The uncompressed public key 04‖x‖y for a 32-byte private key. */
export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  return publicPointOf(parsePrivateKey(privateKey));
}

/** A fresh key pair from the CSPRNG. */
export function generateKeyPair(): Sm2KeyPair {
  const d = randomScalar(N - 2n);
  return { privateKey: bigIntTo32(d), publicKey: publicPointOf(d) };
}

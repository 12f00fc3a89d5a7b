/** SM2 private keys: parsing, generation and the public point d·G — d never becomes a BigInt. */
import { ShuyuError } from "../../policies/errors.js";
import { mulGSecret, toAffine } from "./curve.js";
import { encodePoint } from "./point-codec.js";
import { inRangeBit, N_MINUS_2_SCALAR, ONE_SCALAR, randomScalarCt, scalarFromBytes, scalarToBytes, type Scalar } from "./scalar-ct.js";

/** An SM2 key pair: 32-byte private scalar d and 65-byte uncompressed public point 04‖x‖y. */
export interface Sm2KeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

/** d from 32 bytes as a constant-time scalar, checked to lie in [1, n − 2] (GB/T 32918.1 §6.1: 1 + d must be invertible). */
export function parsePrivateKey(privateKey: Uint8Array): Scalar {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
    throw new ShuyuError("invalid", "INVALID_PRIVATE_KEY", "SM2 private key must be exactly 32 bytes (big-endian scalar d)", {
      details: { length: privateKey instanceof Uint8Array ? privateKey.length : null },
    });
  }
  const d = scalarFromBytes(privateKey);
  // The range check runs through borrows; only its (non-secret) verdict is branched on.
  if (inRangeBit(d, ONE_SCALAR, N_MINUS_2_SCALAR) !== 1) {
    throw new ShuyuError("invalid", "INVALID_PRIVATE_KEY", "SM2 private key d must satisfy 1 ≤ d ≤ n − 2; generate a new key", { details: {} });
  }
  return d;
}

/** 65-byte public key for the scalar d. */
export function publicPointOf(d: Scalar): Uint8Array {
  const p = toAffine(mulGSecret(d));
  if (!p) throw new ShuyuError("internal", "INTERNAL", "d·G is infinity for a validated d");
  return encodePoint(p);
}

/** The uncompressed public key 04‖x‖y for a 32-byte private key. */
export function publicKeyFromPrivate(privateKey: Uint8Array): Uint8Array {
  return publicPointOf(parsePrivateKey(privateKey));
}

/** A fresh key pair from the CSPRNG. */
export function generateKeyPair(): Sm2KeyPair {
  const d = randomScalarCt(N_MINUS_2_SCALAR);
  return { privateKey: scalarToBytes(d), publicKey: publicPointOf(d) };
}

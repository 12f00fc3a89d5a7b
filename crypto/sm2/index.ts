/** SM2 (GB/T 32918) signatures, verification and public-key encryption on the recommended curve. */
export { SM2_DEFAULT_ID } from "./z-digest.js";
export { generateKeyPair, publicKeyFromPrivate, type Sm2KeyPair } from "./private-key.js";
export { computeZ, sign, signRaw, verify, verifyRaw, type SignOptions, type VerifyOptions } from "./signature.js";
export { encodeSignatureDer, decodeSignatureDer } from "./der.js";
export { encrypt, decrypt, type CipherOptions, type Sm2CipherMode } from "./cipher.js";
export { precomputeG } from "./curve.js";

import { decodePoint } from "./point-codec.js";

/** Throws ShuyuError INVALID_PUBLIC_KEY unless publicKey is 04‖x‖y (65 bytes) or 02/03‖x (33 bytes) of a curve point. */
export function validatePublicKey(publicKey: Uint8Array): void {
  decodePoint(publicKey);
}

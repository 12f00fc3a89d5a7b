/** SM2 public-key encryption (GB/T 32918.4) with SM3 and its KDF; C1 is 04‖x1‖y1. */
import { createHash, timingSafeEqual } from "node:crypto";
import { ShuyuError } from "../../policies/errors.js";
import { mulGSecret, mulPointSecret, N, toAffine } from "./curve.js";
import { parsePrivateKey } from "./private-key.js";
import { decodePoint, encodePoint } from "./point-codec.js";
import { bigIntTo32 } from "./scalar.js";
import { randomScalarCt, scalarFromPublic } from "./scalar-ct.js";

/** Component order of the ciphertext: C1C3C2 is GB/T 32918.4-2016's, C1C2C3 the 2010 draft's. */
export type Sm2CipherMode = "C1C3C2" | "C1C2C3";

/** Options for encrypt/decrypt. */
export interface CipherOptions {
  mode?: Sm2CipherMode;
  /** Fixed ephemeral scalar for the standard's worked example only; never set it otherwise. */
  k?: bigint;
}

/** KDF(Z, klen) = SM3(Z‖ct=1) ‖ SM3(Z‖ct=2) ‖ … truncated to len bytes. */
function kdf(z: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const ct = new Uint8Array(4);
  for (let off = 0, i = 1; off < len; off += 32, i++) {
    new DataView(ct.buffer).setUint32(0, i);
    const h = createHash("sm3").update(z).update(ct).digest();
    out.set(h.subarray(0, Math.min(32, len - off)), off);
  }
  return out;
}

function allZero(b: Uint8Array): boolean {
  let acc = 0;
  for (const x of b) acc |= x;
  return acc === 0;
}

function checkMode(mode: string): Sm2CipherMode {
  if (mode !== "C1C3C2" && mode !== "C1C2C3") {
    throw new ShuyuError("usage", "INVALID_CIPHER_MODE", `SM2 cipher mode must be "C1C3C2" or "C1C2C3", got ${JSON.stringify(mode)}`, { details: { mode } });
  }
  return mode;
}

/** Encrypts plaintext to an SM2 public key: 04‖x1‖y1 ‖ C3 ‖ C2 (or C2 ‖ C3). */
export function encrypt(plaintext: Uint8Array, publicKey: Uint8Array, opts: CipherOptions = {}): Uint8Array {
  const mode = checkMode(opts.mode ?? "C1C3C2");
  const pb = decodePoint(publicKey);
  if (opts.k !== undefined && (opts.k < 1n || opts.k >= N)) {
    throw new ShuyuError("usage", "INVALID_NONCE", "fixed k must lie in [1, n − 1]", { details: {} });
  }
  for (;;) {
    // The ephemeral k is a secret: a constant-time scalar unless a test vector fixes it.
    const k = opts.k !== undefined ? scalarFromPublic(opts.k) : randomScalarCt();
    const c1 = toAffine(mulGSecret(k));
    const s2 = toAffine(mulPointSecret(pb.x, pb.y, k));
    if (!c1 || !s2) continue;
    const x2 = bigIntTo32(s2.x), y2 = bigIntTo32(s2.y);
    const t = kdf(Buffer.concat([x2, y2]), plaintext.length);
    if (plaintext.length > 0 && allZero(t)) {
      if (opts.k !== undefined) throw new ShuyuError("usage", "INVALID_NONCE", "fixed k gives an all-zero key stream; choose another", { details: {} });
      continue;
    }
    const c2 = new Uint8Array(plaintext.length);
    for (let i = 0; i < c2.length; i++) c2[i] = plaintext[i] ^ t[i];
    const c3 = createHash("sm3").update(x2).update(plaintext).update(y2).digest();
    const out = new Uint8Array(65 + 32 + c2.length);
    out.set(encodePoint(c1), 0);
    if (mode === "C1C3C2") {
      out.set(c3, 65);
      out.set(c2, 97);
    } else {
      out.set(c2, 65);
      out.set(c3, 65 + c2.length);
    }
    return out;
  }
}

function failed(reason: string): ShuyuError {
  return new ShuyuError("invalid", "DECRYPT_FAILED", "SM2 decryption failed: the ciphertext is damaged, uses the other component order, or was made for another key", { details: { reason } });
}

/** Decrypts an SM2 ciphertext; throws DECRYPT_FAILED on any malformed or forged input. */
export function decrypt(ciphertext: Uint8Array, privateKey: Uint8Array, opts: CipherOptions = {}): Uint8Array {
  const mode = checkMode(opts.mode ?? "C1C3C2");
  const d = parsePrivateKey(privateKey);
  if (!(ciphertext instanceof Uint8Array) || ciphertext.length < 97 || ciphertext[0] !== 0x04) throw failed("too short or C1 not uncompressed");
  let c1;
  try {
    c1 = decodePoint(ciphertext.subarray(0, 65));
  } catch {
    throw failed("C1 is not a curve point");
  }
  const len = ciphertext.length - 97;
  const c3 = mode === "C1C3C2" ? ciphertext.subarray(65, 97) : ciphertext.subarray(65 + len);
  const c2 = mode === "C1C3C2" ? ciphertext.subarray(97) : ciphertext.subarray(65, 65 + len);
  const s2 = toAffine(mulPointSecret(c1.x, c1.y, d));
  if (!s2) throw failed("d·C1 is infinity");
  const x2 = bigIntTo32(s2.x), y2 = bigIntTo32(s2.y);
  const t = kdf(Buffer.concat([x2, y2]), len);
  if (len > 0 && allZero(t)) throw failed("KDF output is all zero");
  const m = new Uint8Array(len);
  for (let i = 0; i < len; i++) m[i] = c2[i] ^ t[i];
  const u = createHash("sm3").update(x2).update(m).update(y2).digest();
  if (!timingSafeEqual(u, c3)) throw failed("C3 does not match");
  return m;
}

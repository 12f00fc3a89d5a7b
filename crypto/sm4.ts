/**
 * SM4 (GB/T 32907) through Node's OpenSSL: CBC with PKCS#7 padding and CTR, one-shot
 * and streaming. ECB is exposed only for the standard's block vectors.
 */
import { createCipheriv, createDecipheriv, type Cipheriv, type Decipheriv } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { invalid } from "../policies/errors.js";
import { BoundedCache } from "./sm2/bounded-cache.js";

export const SM4_KEY_BYTES = 16;
export const SM4_BLOCK_BYTES = 16;
export type Sm4Mode = "cbc" | "ctr";
const FILE_CHUNK_BYTES = 1 << 20;

function checkKeyIv(key: Uint8Array, iv: Uint8Array | null): void {
  if (key.length !== SM4_KEY_BYTES) {
    throw invalid("SM4_KEY_LENGTH", `SM4 keys are 16 bytes; got ${key.length}`, { length: key.length });
  }
  if (iv !== null && iv.length !== SM4_BLOCK_BYTES) {
    throw invalid("SM4_IV_LENGTH", `SM4 CBC/CTR IVs are 16 bytes; got ${iv.length}`, { length: iv.length });
  }
}

/** A streaming SM4 encryptor (a Node Transform): CBC pads with PKCS#7, CTR does not pad. */
export function createSm4Encryptor(mode: Sm4Mode, key: Uint8Array, iv: Uint8Array): Cipheriv {
  checkKeyIv(key, iv);
  return createCipheriv(`sm4-${mode}`, key, iv);
}

/** A streaming SM4 decryptor; CBC checks and strips the PKCS#7 padding at `final()`. */
export function createSm4Decryptor(mode: Sm4Mode, key: Uint8Array, iv: Uint8Array): Decipheriv {
  checkKeyIv(key, iv);
  return createDecipheriv(`sm4-${mode}`, key, iv);
}

function finish(c: Cipheriv | Decipheriv, data: Uint8Array): Uint8Array {
  const head = c.update(data);
  const tail = c.final();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/** SM4-CBC encryption with PKCS#7 padding. */
export function sm4CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return finish(createSm4Encryptor("cbc", key, iv), plaintext);
}

/** SM4-CBC decryption; a wrong key or corrupted data fails the padding check. */
export function sm4CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  if (ciphertext.length === 0 || ciphertext.length % SM4_BLOCK_BYTES !== 0) {
    throw invalid("SM4_DECRYPT_FAILED", `SM4-CBC ciphertext must be a non-empty multiple of 16 bytes; got ${ciphertext.length}`);
  }
  try {
    return finish(createSm4Decryptor("cbc", key, iv), ciphertext);
  } catch (err) {
    throw invalid("SM4_DECRYPT_FAILED", "SM4-CBC decryption failed (wrong key or corrupted data)", { cause: (err as Error).message });
  }
}

/**
 * Short inputs: creating an OpenSSL cipher context costs ~3 µs, six times SM4 on 64 bytes. An
 * ECB context has no state between whole blocks, so one per key is kept (at most 16 keys) and
 * CTR's key stream is the ECB encryption of the counter blocks. Past SMALL_CTR_BYTES a fresh
 * CTR context is cheaper than the JavaScript XOR.
 */
const SMALL_CTR_BYTES = 4096;
const ecbByKey = new BoundedCache<Cipheriv>(16);
const counterScratch = Buffer.alloc(SMALL_CTR_BYTES);

let lastKey = new Uint8Array(SM4_KEY_BYTES);
let lastEcb: Cipheriv | undefined;

function cachedEcb(key: Uint8Array): Cipheriv {
  // The key used last is compared byte by byte (cheaper than naming it); others by hex name.
  let same = lastEcb !== undefined ? 1 : 0;
  for (let i = 0; i < SM4_KEY_BYTES; i++) same &= lastKey[i] === key[i] ? 1 : 0;
  if (same === 1) return lastEcb!;
  const tag = Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString("hex");
  let c = ecbByKey.get(tag);
  if (!c) {
    c = createCipheriv("sm4-ecb", key, null);
    c.setAutoPadding(false);
    ecbByKey.set(tag, c);
  }
  lastKey = Uint8Array.from(key);
  lastEcb = c;
  return c;
}

function smallCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const n = data.length;
  const blocks = (n + 15) >>> 4;
  const ctr = counterScratch.subarray(0, blocks * 16);
  for (let b = 0; b < blocks; b++) {
    const o = b * 16;
    ctr.set(iv, o);
    // counter = IV + b, big-endian over all 128 bits (as OpenSSL's CTR mode counts)
    let carry = b;
    for (let i = 15; i >= 0 && carry !== 0; i--) {
      const v = ctr[o + i] + (carry & 0xff);
      ctr[o + i] = v & 0xff;
      carry = (carry >>> 8) + (v >>> 8);
    }
  }
  const ks = cachedEcb(key).update(ctr);
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = data[i] ^ ks[i];
  ks.fill(0);
  return out;
}

/** SM4-CTR (encryption and decryption are the same operation). */
export function sm4Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length <= SMALL_CTR_BYTES) {
    checkKeyIv(key, iv);
    return smallCtr(key, iv, data);
  }
  return finish(createSm4Encryptor("ctr", key, iv), data);
}

/** SM4-ECB over whole blocks, no padding — only for the standard's test vectors. */
export function sm4EcbBlocks(key: Uint8Array, data: Uint8Array, direction: "encrypt" | "decrypt" = "encrypt"): Uint8Array {
  checkKeyIv(key, null);
  if (data.length % SM4_BLOCK_BYTES !== 0) throw invalid("SM4_BLOCK_LENGTH", "SM4-ECB input must be whole 16-byte blocks");
  const c = direction === "encrypt" ? createCipheriv("sm4-ecb", key, null) : createDecipheriv("sm4-ecb", key, null);
  c.setAutoPadding(false);
  return finish(c, data);
}

/** Encrypts a file of any size to another file, streamed. */
export async function sm4EncryptFile(mode: Sm4Mode, key: Uint8Array, iv: Uint8Array, from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from, { highWaterMark: FILE_CHUNK_BYTES }), createSm4Encryptor(mode, key, iv), createWriteStream(to));
}

/** Decrypts a file of any size to another file, streamed (CBC padding errors become SM4_DECRYPT_FAILED). */
export async function sm4DecryptFile(mode: Sm4Mode, key: Uint8Array, iv: Uint8Array, from: string, to: string): Promise<void> {
  try {
    await pipeline(createReadStream(from, { highWaterMark: FILE_CHUNK_BYTES }), createSm4Decryptor(mode, key, iv), createWriteStream(to));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_OSSL_BAD_DECRYPT" || /bad decrypt|wrong final block/i.test(String(err))) {
      throw invalid("SM4_DECRYPT_FAILED", `SM4-${mode.toUpperCase()} decryption of ${from} failed (wrong key or corrupted data)`, { file: from });
    }
    throw err;
  }
}

/**
 * Authenticated encryption for packages: SM4-CTR then HMAC-SM3 (encrypt-then-MAC) with
 * separate keys derived by HKDF-SM3. OpenSSL 3.0 (the library Node 20 ships and the CLI
 * here) has no SM4-GCM, so the AEAD is built from the two primitives it does have;
 * see crypto/README.md.
 *
 * Sealed layout: "SYAE" | version 0x01 | IV (16) | ciphertext | tag (32)
 * tag = HMAC-SM3(macKey, "SYAE" | 0x01 | IV | u64be(len(aad)) | aad | ciphertext)
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual, type Hmac } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { invalid } from "../policies/errors.js";

export const AEAD_KEY_BYTES = 32;
export const AEAD_TAG_BYTES = 32;
const MAGIC = Buffer.from("SYAE", "latin1");
const VERSION = 0x01;
const IV_BYTES = 16;
export const AEAD_HEADER_BYTES = MAGIC.length + 1 + IV_BYTES;
export const AEAD_OVERHEAD_BYTES = AEAD_HEADER_BYTES + AEAD_TAG_BYTES;
export const AEAD_ALGORITHM = "SM4-CTR+HMAC-SM3 (encrypt-then-MAC, HKDF-SM3 keys)";
const FILE_CHUNK_BYTES = 1 << 20;

interface AeadKeys {
  enc: Buffer;
  mac: Buffer;
}

function deriveKeys(key: Uint8Array): AeadKeys {
  if (key.length !== AEAD_KEY_BYTES) {
    throw invalid("AEAD_KEY_LENGTH", `AEAD keys are ${AEAD_KEY_BYTES} bytes; got ${key.length}`, { length: key.length });
  }
  // Separate keys so the cipher and the MAC never share key material.
  const enc = Buffer.from(hkdfSync("sm3", key, Buffer.alloc(0), "shuyu aead v1 sm4-ctr key", 16));
  const mac = Buffer.from(hkdfSync("sm3", key, Buffer.alloc(0), "shuyu aead v1 hmac-sm3 key", 32));
  return { enc, mac };
}

/** A fresh random AEAD key. */
export function generateAeadKey(): Uint8Array {
  return randomBytes(AEAD_KEY_BYTES);
}

function startMac(keys: AeadKeys, header: Buffer, aad: Uint8Array): Hmac {
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(aad.length));
  return createHmac("sm3", keys.mac).update(header).update(len).update(aad);
}

function header(iv: Buffer): Buffer {
  return Buffer.concat([MAGIC, Buffer.of(VERSION), iv]);
}

function checkHeader(h: Uint8Array): Buffer {
  if (h.length < AEAD_HEADER_BYTES || !Buffer.from(h.subarray(0, 4)).equals(MAGIC) || h[4] !== VERSION) {
    throw invalid("AEAD_FORMAT", "not a shuyu SM4-CTR+HMAC-SM3 ciphertext (bad magic or version)");
  }
  return Buffer.from(h.subarray(MAGIC.length + 1, AEAD_HEADER_BYTES));
}

function authFailed(): never {
  throw invalid("AEAD_AUTH_FAILED", "authentication failed: wrong key, wrong associated data, or the ciphertext was changed");
}

/** Encrypts and authenticates plaintext (and authenticates aad, which is not stored). */
export function aeadSeal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  const keys = deriveKeys(key);
  const iv = randomBytes(IV_BYTES);
  const h = header(iv);
  const cipher = createCipheriv("sm4-ctr", keys.enc, iv);
  const body = cipher.update(plaintext);
  cipher.final();
  const tag = startMac(keys, h, aad).update(body).digest();
  return Buffer.concat([h, body, tag]);
}

/** Checks the tag, then decrypts; nothing is decrypted unless the tag is right. */
export function aeadOpen(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  const keys = deriveKeys(key);
  if (sealed.length < AEAD_OVERHEAD_BYTES) throw invalid("AEAD_FORMAT", "ciphertext is shorter than header and tag");
  const iv = checkHeader(sealed);
  const body = sealed.subarray(AEAD_HEADER_BYTES, sealed.length - AEAD_TAG_BYTES);
  const tag = sealed.subarray(sealed.length - AEAD_TAG_BYTES);
  const expected = startMac(keys, Buffer.from(sealed.subarray(0, AEAD_HEADER_BYTES)), aad).update(body).digest();
  if (!timingSafeEqual(expected, tag)) authFailed();
  const decipher = createDecipheriv("sm4-ctr", keys.enc, iv);
  const out = decipher.update(body);
  decipher.final();
  return out;
}

/** Seals a file of any size into another file, streamed. */
export async function aeadSealFile(key: Uint8Array, from: string, to: string, aad: Uint8Array = new Uint8Array(0)): Promise<void> {
  const keys = deriveKeys(key);
  const iv = randomBytes(IV_BYTES);
  const h = header(iv);
  const mac = startMac(keys, h, aad);
  const cipher = createCipheriv("sm4-ctr", keys.enc, iv);
  const input = await open(from, "r");
  const output = await open(to, "w");
  try {
    await output.write(h);
    const buf = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      const ct = cipher.update(buf.subarray(0, bytesRead));
      mac.update(ct);
      await output.write(ct);
    }
    cipher.final();
    await output.write(mac.digest());
  } finally {
    await input.close();
    await output.close();
  }
}

/**
 * Opens a sealed file into `to`. Decrypts into `to.partial` while checking the tag and
 * renames only when the tag is right, so unauthenticated plaintext never appears at `to`.
 */
export async function aeadOpenFile(key: Uint8Array, from: string, to: string, aad: Uint8Array = new Uint8Array(0)): Promise<void> {
  const keys = deriveKeys(key);
  const partial = `${to}.partial`;
  const input = await open(from, "r");
  let ok = false;
  try {
    const size = (await input.stat()).size;
    if (size < AEAD_OVERHEAD_BYTES) throw invalid("AEAD_FORMAT", `${from} is shorter than header and tag`, { file: from });
    const h = Buffer.alloc(AEAD_HEADER_BYTES);
    await input.read(h, 0, h.length, 0);
    const iv = checkHeader(h);
    const mac = startMac(keys, h, aad);
    const decipher = createDecipheriv("sm4-ctr", keys.enc, iv);
    const output = await open(partial, "w", 0o600);
    try {
      const end = size - AEAD_TAG_BYTES;
      const buf = Buffer.allocUnsafe(FILE_CHUNK_BYTES);
      for (let pos = AEAD_HEADER_BYTES; pos < end; ) {
        const { bytesRead } = await input.read(buf, 0, Math.min(buf.length, end - pos), pos);
        if (bytesRead === 0) throw invalid("AEAD_FORMAT", `${from} changed while being read`, { file: from });
        pos += bytesRead;
        const ct = buf.subarray(0, bytesRead);
        mac.update(ct);
        await output.write(decipher.update(ct));
      }
      decipher.final();
    } finally {
      await output.close();
    }
    const tag = Buffer.alloc(AEAD_TAG_BYTES);
    await input.read(tag, 0, tag.length, size - AEAD_TAG_BYTES);
    if (!timingSafeEqual(mac.digest(), tag)) authFailed();
    await rename(partial, to);
    ok = true;
  } finally {
    await input.close();
    if (!ok) await rm(partial, { force: true });
  }
}

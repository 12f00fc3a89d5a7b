/**
 * SM3 (GB/T 32905) and HMAC-SM3 through Node's OpenSSL. Streaming reads files in large
 * chunks so hashing runs at OpenSSL speed whatever the file size.
 */
import { createHash, createHmac, hash, type Hash, type Hmac } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { SM3_SMALL_MAX, sm3Small } from "./sm3-small.js";

export const SM3_DIGEST_BYTES = 32;
/** Read size for file hashing: large enough that per-chunk overhead is negligible. */
const FILE_CHUNK_BYTES = 1 << 20;

/** SM3 digest of bytes (strings are hashed as UTF-8): short inputs in TypeScript, the rest by OpenSSL's one-shot hash. */
export function sm3(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (bytes.length <= SM3_SMALL_MAX) return sm3Small(bytes);
  return hash("sm3", bytes, "buffer");
}

/** SM3 digest as lower-case hex. */
export function sm3Hex(data: Uint8Array | string): string {
  const d = sm3(data);
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("hex");
}

/** An incremental SM3 hasher (`update()` as often as needed, then `digest()`). */
export function createSm3(): Hash {
  return createHash("sm3");
}

/** HMAC-SM3 of data under key. */
export function hmacSm3(key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return createHmac("sm3", key).update(data).digest();
}

/** An incremental HMAC-SM3. */
export function createHmacSm3(key: Uint8Array): Hmac {
  return createHmac("sm3", key);
}

/** SM3 of everything a readable stream yields. */
export async function sm3Stream(stream: Readable): Promise<Uint8Array> {
  const hash = createHash("sm3");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest();
}

/** SM3 of a file of any size, streamed. */
export async function sm3File(path: string): Promise<Uint8Array> {
  return sm3Stream(createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES }));
}

import { existsSync, readFileSync } from "node:fs";
import { hkdfSync } from "node:crypto";
import { join } from "node:path";
import {
  aeadOpen, aeadSeal, envelope, generateAeadKey, generateSm2KeyPair, openEnvelope, privateKeyToPem, readPrivateKey, sm3Hex,
} from "../../crypto/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { createFileOnce } from "../domain/durable-file.js";
import type { BlobStore } from "./blob-store.js";

/**
 * The optional SM4 envelope for objects in the bucket (issue 18). Off by default: the bucket
 * holds objects as they are, named `…/<SM3>`. With `SHUYU_S3_ENVELOPE=sm4` in the owner's
 * environment every object the domain stores is sealed with the package code's AEAD
 * (SM4-CTR + HMAC-SM3, crypto/aead.ts) before `put`:
 *
 * - library and vault objects under a key derived per object from the owner's storage key
 *   (HKDF-SM3 over the plaintext's SM3): a run's payload carries the keys of its own files
 *   only, so a host that saw one run cannot open any other object in the bucket;
 * - a job's outcome under a fresh key that the host wraps to the owner's SM2 public key
 *   (GM/T 0010 EnvelopedData, as packages wrap theirs): no host, not even the one that wrote
 *   it, can read an outcome back.
 *
 * Objects stay named by the SM3 of the plaintext: the same library file is stored once however
 * many runs use it (a ciphertext digest would change with every seal's random IV), and the name
 * is what a reader checks after decrypting. The AEAD's associated data is the object's name,
 * so a sealed object moved under another name does not open. What the name tells a bucket
 * reader is only whether they already hold that exact file.
 */
export type EnvelopeMode = "none" | "sm4";

/** Reads SHUYU_S3_ENVELOPE: unset, "none" or "off" keep objects as they are; "sm4" seals them. */
export function envelopeFromEnv(env: NodeJS.ProcessEnv = process.env): EnvelopeMode {
  const v = (env.SHUYU_S3_ENVELOPE ?? "").trim().toLowerCase();
  if (v === "" || v === "none" || v === "off") return "none";
  if (v === "sm4") return "sm4";
  throw new ShuyuError("usage", "S3_ENVELOPE_UNKNOWN", `SHUYU_S3_ENVELOPE=${v}: use "sm4" (or leave it unset for no envelope)`);
}

/** What a reader needs to fetch and check one object: its name, plaintext SM3 and size, and how it is sealed. */
export interface ObjectRef {
  name: string;
  sm3: string;
  bytes: number;
  /** Hex AEAD key of this object alone (library and vault objects under the envelope). */
  key?: string;
  /** Base64 GM/T 0010 envelope of the object's AEAD key to the owner's storage key (outcomes). */
  wrapped?: string;
}

/** The owner's storage key pair (keys/storage.pem): opens outcomes, derives per-object keys. Never leaves the owner. */
export interface StorageKeys {
  publicKey: Uint8Array;
  /** SM3 of the public key, first 16 hex digits: names which owner's keys sealed an object. */
  keyId: string;
  /** The AEAD key of the object whose plaintext has SM3 `sm3` (deterministic: the same file gets the same key). */
  objectKey(sm3: string): Uint8Array;
  /** Opens a wrapped outcome key. */
  unwrap(wrapped: string): Uint8Array;
}

/** Where the owner's storage key lives. */
export function storageKeyPath(keysDir: string): string {
  return join(keysDir, "storage.pem");
}

/** Loads the owner's storage key pair, creating it (SM2, PKCS#8 PEM, 0600) on first use. */
export function storageKeys(keysDir: string): StorageKeys {
  const path = storageKeyPath(keysDir);
  if (!existsSync(path)) createFileOnce(path, privateKeyToPem(generateSm2KeyPair().privateKey));
  const { privateKey, publicKey } = readPrivateKey(readFileSync(path, "utf8"));
  // Object keys come from the private key through HKDF with a label of their own: one secret
  // file to keep, and no object key says anything about the SM2 key or another object's key.
  const master = Buffer.from(hkdfSync("sm3", privateKey, Buffer.alloc(0), "shuyu storage object keys v1", 32));
  return {
    publicKey,
    keyId: sm3Hex(publicKey).slice(0, 16),
    objectKey: (sm3) => new Uint8Array(hkdfSync("sm3", master, Buffer.alloc(0), `shuyu object ${digest(sm3)}`, 32)),
    unwrap: (wrapped) => openEnvelope(Buffer.from(wrapped, "base64"), privateKey),
  };
}

function digest(sm3: string): string {
  if (!/^[0-9a-f]{64}$/.test(sm3)) throw new ShuyuError("invalid", "BAD_DIGEST", `not an SM3 digest: ${sm3.slice(0, 80)}`);
  return sm3;
}

/** The associated data binding a sealed object to its name. */
const aad = (name: string) => Buffer.from(`shuyu-object/1 ${name}`);

/**
 * Stores a library or vault object: plain under `<prefix>sm3/<SM3>`, or sealed under its own
 * derived key at `<prefix>sm4/<keyId>/<SM3>` (the key id keeps two domains sharing a bucket apart).
 * Skipped when the object is already there: its name says what it holds.
 */
export async function putContent(store: BlobStore, bytes: Uint8Array, opts: { prefix?: string; keys?: StorageKeys }): Promise<ObjectRef> {
  const sm3 = sm3Hex(bytes);
  const prefix = opts.prefix ?? "";
  const name = opts.keys ? `${prefix}sm4/${opts.keys.keyId}/${sm3}` : `${prefix}sm3/${sm3}`;
  const key = opts.keys?.objectKey(sm3);
  if (!(await store.has(name))) await store.putNamed(name, key ? aeadSeal(key, bytes, aad(name)) : bytes);
  return { name, sm3, bytes: bytes.length, ...(key ? { key: Buffer.from(key).toString("hex") } : {}) };
}

/**
 * Stores a job's outcome at `out/<job>/<SM3>`: sealed under a fresh key wrapped to the owner's
 * public key when `recipient` is given (the host's side: it can write the outcome, never read it back).
 */
export async function putOutcome(store: BlobStore, job: string, bytes: Uint8Array, recipient?: Uint8Array): Promise<ObjectRef> {
  const sm3 = sm3Hex(bytes);
  const name = `out/${job}/${sm3}`;
  if (!recipient) {
    await store.putNamed(name, bytes);
    return { name, sm3, bytes: bytes.length };
  }
  const key = generateAeadKey();
  await store.putNamed(name, aeadSeal(key, bytes, aad(name)));
  return { name, sm3, bytes: bytes.length, wrapped: Buffer.from(envelope(key, recipient)).toString("base64") };
}

/**
 * Fetches `ref` and returns the plaintext only if it is what the reference promises: the AEAD
 * tag (wrong key or changed ciphertext) and then the plaintext's SM3 and size. Anything else
 * is refused with `code` (LIBRARY_TAMPERED, OUTCOME_TAMPERED, VAULT_PARTITION_TAMPERED), the
 * caller's word for what was refused.
 */
export async function getVerified(store: BlobStore, ref: ObjectRef, code: string, keys?: StorageKeys): Promise<Buffer> {
  const refuse = (why: string, details: Record<string, unknown> = {}): never => {
    throw new ShuyuError("invalid", code, `object ${ref.name} refused: ${why}`, { details: { object: ref.name, expected: ref.sm3, ...details } });
  };
  let stored: Buffer;
  try {
    stored = await store.getNamed(ref.name);
  } catch (err) {
    if ((err as { name?: string }).name === "NoSuchKey") refuse("it is not in the bucket");
    throw err;
  }
  let plain: Buffer = stored;
  if (ref.key !== undefined || ref.wrapped !== undefined) {
    let key: Uint8Array;
    try {
      key = ref.key !== undefined ? Buffer.from(ref.key, "hex") : keys ? keys.unwrap(ref.wrapped!) : refuse("it is sealed to the owner's storage key, which this reader does not hold");
    } catch (err) {
      if (err instanceof ShuyuError && err.code === code) throw err;
      return refuse("its wrapped key does not open with the owner's storage key");
    }
    try {
      plain = Buffer.from(aeadOpen(key, stored, aad(ref.name)));
    } catch (err) {
      if (err instanceof ShuyuError && err.code.startsWith("AEAD_")) refuse("the SM4 envelope does not open (wrong key, or the ciphertext was changed)", { cause: err.code });
      throw err;
    }
  }
  const got = sm3Hex(plain);
  if (got !== ref.sm3 || plain.length !== ref.bytes) refuse(`the plaintext has SM3 ${got} (${plain.length} bytes)`, { got });
  return plain;
}

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sm3Hex } from "../../crypto/index.js";
import { ShuyuError } from "../../policies/errors.js";
import { BlobStore, type S3Settings } from "../../runtime/scale/blob-store.js";
import { envelopeFromEnv, getVerified, putContent, putOutcome, storageKeyPath, storageKeys, type ObjectRef } from "../../runtime/scale/object-envelope.js";

/** Every file s3rver keeps for the bucket, as bytes: what someone holding the bucket's disks reads. */
function storedFiles(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...storedFiles(p));
    else out.push(readFileSync(p));
  }
  return out;
}

/** Asserts `p` rejects with a ShuyuError of `code`. */
async function refuses(p: Promise<unknown>, code: string): Promise<ShuyuError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShuyuError);
  expect((err as ShuyuError).code).toBe(code);
  return err as ShuyuError;
}

describe("the optional SM4 envelope for objects in the bucket (real s3rver)", () => {
  const root = mkdtempSync(join(tmpdir(), "shuyu-envelope-"));
  const s3Dir = join(root, "s3");
  let srv: S3rver;
  let s3: S3Settings;
  let store: BlobStore;
  const owner = () => storageKeys(join(root, "owner-keys"));
  const other = () => storageKeys(join(root, "other-keys"));
  const objectFile = (name: string) => join(s3Dir, s3.bucket, `${name}._S3rver_object`);
  // A raw value the bucket must never show in the clear under the envelope.
  const RAW = "身份证110101199003071234王芳";
  const payload = (tag: string) => Buffer.from(`PAR1 ${tag} ${RAW} ${"x".repeat(4096)} PAR1`);

  beforeAll(async () => {
    mkdirSync(join(root, "owner-keys"), { mode: 0o700 });
    mkdirSync(join(root, "other-keys"), { mode: 0o700 });
    srv = new S3rver({ address: "127.0.0.1", port: 0, directory: s3Dir, silent: true });
    const { port } = await srv.run();
    s3 = { endpoint: `http://127.0.0.1:${port}`, bucket: "libraries", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    store = new BlobStore(s3);
    await store.ensureBucket();
  });
  afterAll(async () => {
    store?.close();
    await srv?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("is off unless SHUYU_S3_ENVELOPE=sm4; an unknown value is a usage error", () => {
    expect(envelopeFromEnv({})).toBe("none");
    expect(envelopeFromEnv({ SHUYU_S3_ENVELOPE: "off" })).toBe("none");
    expect(envelopeFromEnv({ SHUYU_S3_ENVELOPE: "SM4" })).toBe("sm4");
    expect(() => envelopeFromEnv({ SHUYU_S3_ENVELOPE: "aes" })).toThrow(expect.objectContaining({ code: "S3_ENVELOPE_UNKNOWN", kind: "usage" }));
  });

  it("the owner's storage key is created once (0600) and derives the same key for the same file, another for another file", () => {
    const a = owner();
    expect(statSync(storageKeyPath(join(root, "owner-keys"))).mode & 0o777).toBe(0o600);
    const b = owner();
    const d1 = sm3Hex(Buffer.from("one"));
    const d2 = sm3Hex(Buffer.from("two"));
    expect(b.keyId).toBe(a.keyId);
    expect(Buffer.from(b.objectKey(d1))).toEqual(Buffer.from(a.objectKey(d1)));
    expect(Buffer.from(a.objectKey(d2))).not.toEqual(Buffer.from(a.objectKey(d1)));
    expect(other().keyId).not.toBe(a.keyId);
    expect(Buffer.from(other().objectKey(d1))).not.toEqual(Buffer.from(a.objectKey(d1)));
  });

  it("round trip: sealed under the file's own key, named by the plaintext's SM3, and the bucket holds no plaintext", async () => {
    const bytes = payload("sealed");
    const ref = await putContent(store, bytes, { keys: owner() });
    expect(ref.name).toBe(`sm4/${owner().keyId}/${sm3Hex(bytes)}`);
    expect(ref.key).toMatch(/^[0-9a-f]{64}$/);
    expect(await getVerified(store, ref, "LIBRARY_TAMPERED")).toEqual(bytes);
    const stored = readFileSync(objectFile(ref.name));
    expect(stored.includes(Buffer.from(RAW))).toBe(false);
    expect(stored.includes(Buffer.from("PAR1"))).toBe(false);
    // Without the envelope the same bytes sit in the clear (what the grep below would find).
    const plain = await putContent(store, payload("plain"), {});
    expect(plain.name).toBe(`sm3/${plain.sm3}`);
    expect(plain.key).toBeUndefined();
    expect(readFileSync(objectFile(plain.name)).includes(Buffer.from(RAW))).toBe(true);
    expect(await getVerified(store, plain, "LIBRARY_TAMPERED")).toEqual(payload("plain"));
    // The grep over everything s3rver keeps: the raw value appears exactly in the one unsealed object.
    expect(storedFiles(s3Dir).filter((f) => f.includes(Buffer.from(RAW)))).toHaveLength(1);
  });

  it("a second put of the same file is skipped (content address) and still opens", async () => {
    const bytes = payload("twice");
    const a = await putContent(store, bytes, { keys: owner() });
    const before = readFileSync(objectFile(a.name));
    const b = await putContent(store, bytes, { keys: owner() });
    expect(b).toEqual(a);
    expect(readFileSync(objectFile(a.name))).toEqual(before);
  });

  it("a reader with the wrong key refuses with the caller's typed code (another domain's key, another file's key)", async () => {
    const bytes = payload("wrong-key");
    const ref = await putContent(store, bytes, { keys: owner() });
    const err = await refuses(getVerified(store, { ...ref, key: Buffer.from(other().objectKey(ref.sm3)).toString("hex") }, "LIBRARY_TAMPERED"), "LIBRARY_TAMPERED");
    expect(err.kind).toBe("invalid");
    expect(err.message).toMatch(/wrong key, or the ciphertext was changed/);
    const otherFile = await putContent(store, payload("another file"), { keys: owner() });
    await refuses(getVerified(store, { ...ref, key: otherFile.key }, "VAULT_PARTITION_TAMPERED"), "VAULT_PARTITION_TAMPERED");
  });

  it("tampered ciphertext (one byte flipped in the bucket's copy) is refused before anything is decrypted", async () => {
    const ref = await putContent(store, payload("flip"), { keys: owner() });
    const path = objectFile(ref.name);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] ^= 0x01;
    writeFileSync(path, bytes);
    await refuses(getVerified(store, ref, "LIBRARY_TAMPERED"), "LIBRARY_TAMPERED");
  });

  it("a sealed object moved under another object's name does not open (the name is the associated data)", async () => {
    const a = await putContent(store, payload("A"), { keys: owner() });
    const b = await putContent(store, payload("B"), { keys: owner() });
    // Same key as b's would need the attacker to know it; moving a's sealed bytes to b's name fails even with a's key.
    writeFileSync(objectFile(b.name), readFileSync(objectFile(a.name)));
    await refuses(getVerified(store, { ...b, key: a.key }, "LIBRARY_TAMPERED"), "LIBRARY_TAMPERED");
    await refuses(getVerified(store, b, "LIBRARY_TAMPERED"), "LIBRARY_TAMPERED");
  });

  it("an unsealed object whose bytes do not hash to its name is refused; a missing one too", async () => {
    const ref = await putContent(store, payload("plain-tamper"), {});
    writeFileSync(objectFile(ref.name), payload("plain-tamper-ed"));
    await refuses(getVerified(store, ref, "LIBRARY_TAMPERED"), "LIBRARY_TAMPERED");
    const missing: ObjectRef = { name: `sm3/${sm3Hex(Buffer.from("never stored"))}`, sm3: sm3Hex(Buffer.from("never stored")), bytes: 12 };
    await refuses(getVerified(store, missing, "LIBRARY_TAMPERED"), "LIBRARY_TAMPERED");
  });

  it("an outcome sealed to the owner's public key opens only with the owner's storage key", async () => {
    const bytes = payload("outcome");
    const ref = await putOutcome(store, "job-1", bytes, owner().publicKey);
    expect(ref.name).toBe(`out/job-1/${sm3Hex(bytes)}`);
    expect(ref.key).toBeUndefined();
    expect(ref.wrapped).toBeTruthy();
    expect(readFileSync(objectFile(ref.name)).includes(Buffer.from(RAW))).toBe(false);
    // The host that wrote it (no storage key) cannot read it back; another domain's key cannot either.
    await refuses(getVerified(store, ref, "OUTCOME_TAMPERED"), "OUTCOME_TAMPERED");
    await refuses(getVerified(store, ref, "OUTCOME_TAMPERED", other()), "OUTCOME_TAMPERED");
    expect(await getVerified(store, ref, "OUTCOME_TAMPERED", owner())).toEqual(bytes);
    // A wrapped key from another outcome does not open this one.
    const second = await putOutcome(store, "job-2", payload("outcome 2"), owner().publicKey);
    await refuses(getVerified(store, { ...ref, wrapped: second.wrapped }, "OUTCOME_TAMPERED", owner()), "OUTCOME_TAMPERED");
  });

  it("object names shuyu does not write are refused before any request", async () => {
    await refuses(store.getNamed("../etc/passwd"), "BAD_OBJECT_NAME");
    await refuses(store.putNamed("out/a/../../b", Buffer.from("x")), "BAD_OBJECT_NAME");
  });
});

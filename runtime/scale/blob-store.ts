import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { ShuyuError } from "../../policies/errors.js";

/** Where libraries live in scale-out mode: an S3-compatible bucket, each file under its SM3 digest. */
export interface S3Settings {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

/** Reads S3 settings from SHUYU_S3_ENDPOINT, SHUYU_S3_BUCKET, SHUYU_S3_ACCESS_KEY, SHUYU_S3_SECRET_KEY. */
export function s3FromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const need = (k: string) => {
    const v = env[k];
    if (!v) throw new ShuyuError("usage", "S3_SETTINGS_MISSING", `${k} is not set (scale-out libraries live in S3-compatible storage: docs/scale-out.md)`);
    return v;
  };
  return { endpoint: need("SHUYU_S3_ENDPOINT"), bucket: need("SHUYU_S3_BUCKET"), accessKeyId: need("SHUYU_S3_ACCESS_KEY"), secretAccessKey: need("SHUYU_S3_SECRET_KEY") };
}

/**
 * Content-addressed objects (`sm3/<hex>`): a key names the bytes it must hold, so a reader
 * verifies what it got against the key and never trusts the store. No server-side encryption
 * is asked for (the files are Parquet of granted columns; docs/scale-out.md says when to add
 * an SM4 envelope).
 */
export class BlobStore {
  private readonly s3: S3Client;

  constructor(readonly settings: S3Settings) {
    this.s3 = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region ?? "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    });
  }

  /** Creates the bucket when it is missing. */
  async ensureBucket(): Promise<void> {
    await this.s3.send(new CreateBucketCommand({ Bucket: this.settings.bucket })).catch((err: { name?: string }) => {
      if (err.name !== "BucketAlreadyOwnedByYou" && err.name !== "BucketAlreadyExists") throw err;
    });
  }

  /** Stores `bytes` under their SM3 (skipped when already there) and returns the digest. */
  async put(bytes: Uint8Array): Promise<string> {
    const sm3 = createHash("sm3").update(bytes).digest("hex");
    const present = await this.s3.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key(sm3) })).then(
      () => true,
      () => false,
    );
    if (!present) await this.s3.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: key(sm3), Body: bytes }));
    return sm3;
  }

  /** Fetches the object stored under `sm3` and checks the bytes hash to it (LIBRARY_TAMPERED otherwise). */
  async get(sm3: string): Promise<Buffer> {
    const r = await this.s3.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: key(sm3) }));
    const bytes = Buffer.from(await r.Body!.transformToByteArray());
    const got = createHash("sm3").update(bytes).digest("hex");
    if (got !== sm3) throw new ShuyuError("invalid", "LIBRARY_TAMPERED", `object ${key(sm3)} holds bytes with SM3 ${got}: refused`, { details: { expected: sm3, got } });
    return bytes;
  }

  /** Whether an object is stored under `name`. */
  async has(name: string): Promise<boolean> {
    return this.s3.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: objectName(name) })).then(
      () => true,
      () => false,
    );
  }

  /** Stores `bytes` under `name` as they are (the caller names them by content: runtime/scale/object-envelope.ts). */
  async putNamed(name: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: objectName(name), Body: bytes }));
  }

  /** The bytes stored under `name`, unchecked: the caller verifies them against what the name promises. */
  async getNamed(name: string): Promise<Buffer> {
    const r = await this.s3.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: objectName(name) }));
    return Buffer.from(await r.Body!.transformToByteArray());
  }

  /** Removes the object under `name` (absent is fine). */
  async delete(name: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: objectName(name) }));
  }

  /** Lets the HTTP agent go. */
  close(): void {
    this.s3.destroy();
  }
}

function key(sm3: string): string {
  if (!/^[0-9a-f]{64}$/.test(sm3)) throw new ShuyuError("invalid", "BAD_DIGEST", `not an SM3 digest: ${sm3.slice(0, 80)}`);
  return `sm3/${sm3}`;
}

/** Object names shuyu writes: path segments of [A-Za-z0-9._-], no "..", so a name never escapes its prefix. */
function objectName(name: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) || name.split("/").some((p) => p === "." || p === "..")) {
    throw new ShuyuError("invalid", "BAD_OBJECT_NAME", `not an object name shuyu writes: ${name.slice(0, 120)}`);
  }
  return name;
}

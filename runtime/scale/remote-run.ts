import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { deserialize } from "node:v8";
import type { JobOutcome, JobSpec } from "../../sandbox/index.js";
import { controlUrl } from "../domain/control-store.js";
import { one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { ShuyuError } from "../../policies/errors.js";
import { BlobStore, s3FromEnv, type S3Settings } from "./blob-store.js";
import { awaitResult, enqueueRun, type RunPayload } from "./job-queue.js";
import { envelopeFromEnv, getVerified, putContent, storageKeys, type ObjectRef, type StorageKeys } from "./object-envelope.js";

/** How long the owner waits for a worker host's outcome (SHUYU_REMOTE_TIMEOUT_MS; a host killed mid-job is requeued once meanwhile). */
const REMOTE_TIMEOUT_MS = Number(process.env.SHUYU_REMOTE_TIMEOUT_MS) > 0 ? Number(process.env.SHUYU_REMOTE_TIMEOUT_MS) : 30 * 60_000;

/** Where a scale-out owner sends raw runs: its control database (the queue) and the library bucket. */
export interface ScaleOut {
  url: string;
  s3: S3Settings;
  /** The owner's storage keys when objects are sealed (SHUYU_S3_ENVELOPE=sm4), else undefined. */
  keys?: StorageKeys;
}

/**
 * A domain runs raw jobs on worker hosts when its control store is PostgreSQL and the owner
 * is given a bucket (SHUYU_S3_ENDPOINT …); otherwise in this process, as the embedded domain does.
 */
export function scaleOutOf(domain: Domain): ScaleOut | undefined {
  if (domain.controlKind !== "postgresql" || !process.env.SHUYU_S3_ENDPOINT) return undefined;
  const keys = envelopeFromEnv() === "sm4" ? storageKeys(domain.paths.keys) : undefined;
  return { url: controlUrl(domain.paths), s3: s3FromEnv(), ...(keys ? { keys } : {}) };
}

/**
 * Publishes the job's library files to the bucket under their SM3 (each sealed under its own
 * key when the envelope is on) and returns the run a host gets: the spec with file names only
 * (no owner paths), each file's reference, and where the outcome goes (the bucket, sealed to
 * the owner under the envelope).
 */
export async function publishRun(spec: JobSpec, out: Pick<ScaleOut, "s3" | "keys">): Promise<RunPayload> {
  const { keys } = out;
  const store = new BlobStore(out.s3);
  try {
    await store.ensureBucket();
    const files: RunPayload["files"] = [];
    for (const v of spec.views) {
      const ref = await putContent(store, readFileSync(v.file), { keys });
      files.push({ name: basename(v.file), sm3: ref.sm3, bytes: ref.bytes, object: ref.name, ...(ref.key ? { key: ref.key } : {}) });
    }
    const hostSpec: JobSpec = { ...spec, libraryDir: ".", views: spec.views.map((v) => ({ ...v, file: basename(v.file) })) };
    return { job: spec.jobId, spec: hostSpec, files, outcome: keys ? { recipient: Buffer.from(keys.publicKey).toString("hex") } : {} };
  } finally {
    store.close();
  }
}

/** Enqueues `payload` in the domain's open mutate() transaction (the job row and the queue row commit together). */
export async function enqueueInTransaction(domain: Domain, payload: RunPayload): Promise<void> {
  await enqueueRun(domain.pgTransaction()!, payload);
}

/** What a host hands back through shuyu_complete when the outcome went to the bucket: its reference only. */
export interface OutcomeRef {
  shuyuOutcome: "s3";
  ref: ObjectRef;
}

const isOutcomeRef = (v: unknown): v is OutcomeRef => typeof v === "object" && v !== null && (v as OutcomeRef).shuyuOutcome === "s3";

/**
 * Waits (LISTEN) for the host's outcome of `job`: what it ran and which host ran it. An outcome
 * handed back by reference is fetched from the bucket, opened (under the envelope) and checked
 * against its SM3 here, in the owner, before anything stages it; one that does not verify ends
 * the job failed with OUTCOME_TAMPERED (finishJob audits it), and nothing of it is staged.
 */
export async function awaitRemoteOutcome(out: ScaleOut, job: string): Promise<{ worker: string; outcome: JobOutcome }> {
  const r = await awaitResult(out.url, job, REMOTE_TIMEOUT_MS);
  return { worker: r.worker, outcome: await openHandedOutcome(out, job, r.outcome) };
}

/** Whether what a host handed back for a job is a reference to an outcome in the bucket. */
export function handsBackReference(handed: Buffer): boolean {
  return isOutcomeRef(deserialize(handed) as unknown);
}

/** The outcome a host handed back through shuyu_complete: inline, or fetched and verified from the bucket. */
export async function openHandedOutcome(out: Pick<ScaleOut, "s3" | "keys">, job: string, handed: Buffer, opts: { keep?: boolean } = {}): Promise<JobOutcome> {
  const v = deserialize(handed) as unknown;
  return isOutcomeRef(v) ? fetchOutcome(out, job, v.ref, opts.keep ?? false) : (v as JobOutcome);
}

/** Deletes the bucket's copy of a handed-back outcome once it is staged (nothing for an inline one). */
export async function discardHandedOutcome(out: Pick<ScaleOut, "s3">, handed: Buffer): Promise<void> {
  const v = deserialize(handed) as unknown;
  if (!isOutcomeRef(v)) return;
  const store = new BlobStore(out.s3);
  try {
    await store.delete(v.ref.name).catch(() => undefined);
  } finally {
    store.close();
  }
}

/** Fetches and verifies an outcome object; a refusal is a failed outcome carrying only its code. */
async function fetchOutcome(out: Pick<ScaleOut, "s3" | "keys">, job: string, ref: ObjectRef, keep: boolean): Promise<JobOutcome> {
  const store = new BlobStore(out.s3);
  try {
    // A reference names this job's own outcome by its digest: a host cannot point the owner at another object.
    if (ref.name !== `out/${job}/${ref.sm3}`) throw new ShuyuError("invalid", "OUTCOME_TAMPERED", `outcome reference ${String(ref.name).slice(0, 120)} is not out/${job}/<its SM3>`);
    if (out.keys && ref.wrapped === undefined) throw new ShuyuError("invalid", "OUTCOME_TAMPERED", "the envelope is on but the host handed back an unsealed outcome");
    const bytes = await getVerified(store, ref, "OUTCOME_TAMPERED", out.keys);
    const outcome = deserialize(bytes) as JobOutcome;
    // Staged from memory now: the bucket's copy is not needed, and is not left lying there
    // (unless the caller stages later and deletes it then: a crash in between must find it again).
    if (!keep) await store.delete(ref.name).catch(() => undefined);
    return outcome;
  } catch (err) {
    const code = err instanceof ShuyuError && err.code === "OUTCOME_TAMPERED" ? "OUTCOME_TAMPERED" : "OUTCOME_UNAVAILABLE";
    const message = code === "OUTCOME_TAMPERED" ? "the outcome in the bucket does not match what the worker host reported: refused, nothing staged" : "the outcome could not be fetched from the bucket";
    return { state: "failed", reason: code, outputs: { tables: {}, logs: [] }, error: { type: "Error", code, message }, queries: 0 };
  } finally {
    store.close();
  }
}

/** The worker host that handed back `job`'s outcome (scale-out domains; undefined otherwise). */
export async function workerHostOf(domain: Domain, job: string): Promise<string | undefined> {
  if (domain.controlKind !== "postgresql") return undefined;
  // Asked first: a failed statement would abort a surrounding PostgreSQL transaction.
  const has = await one<{ ok: boolean }>(domain.control, "SELECT to_regclass('job_results') IS NOT NULL AS ok");
  if (!has?.ok) return undefined;
  return (await one<{ worker: string }>(domain.control, "SELECT worker FROM job_results WHERE job = ?", [job]))?.worker;
}

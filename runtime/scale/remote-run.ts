import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { deserialize } from "node:v8";
import type { JobOutcome, JobSpec } from "../../sandbox/index.js";
import { controlUrl } from "../domain/control-store.js";
import { one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { BlobStore, s3FromEnv, type S3Settings } from "./blob-store.js";
import { awaitResult, enqueueRun, type RunPayload } from "./job-queue.js";

/** How long the owner waits for a worker host's outcome (SHUYU_REMOTE_TIMEOUT_MS; a host killed mid-job is requeued once meanwhile). */
const REMOTE_TIMEOUT_MS = Number(process.env.SHUYU_REMOTE_TIMEOUT_MS) > 0 ? Number(process.env.SHUYU_REMOTE_TIMEOUT_MS) : 30 * 60_000;

/** Where a scale-out owner sends raw runs: its control database (the queue) and the library bucket. */
export interface ScaleOut {
  url: string;
  s3: S3Settings;
}

/**
 * A domain runs raw jobs on worker hosts when its control store is PostgreSQL and the owner
 * is given a bucket (SHUYU_S3_ENDPOINT …); otherwise in this process, as the embedded domain does.
 */
export function scaleOutOf(domain: Domain): ScaleOut | undefined {
  if (domain.controlKind !== "postgresql" || !process.env.SHUYU_S3_ENDPOINT) return undefined;
  return { url: controlUrl(domain.paths), s3: s3FromEnv() };
}

/**
 * Publishes the job's library files to the bucket under their SM3 and returns the run a host
 * gets: the spec with file names only (no owner paths) and each file's content address.
 */
export async function publishRun(spec: JobSpec, s3: S3Settings): Promise<RunPayload> {
  const store = new BlobStore(s3);
  try {
    await store.ensureBucket();
    const files: RunPayload["files"] = [];
    for (const v of spec.views) {
      const bytes = readFileSync(v.file);
      files.push({ name: basename(v.file), sm3: await store.put(bytes), bytes: bytes.length });
    }
    const hostSpec: JobSpec = { ...spec, libraryDir: ".", views: spec.views.map((v) => ({ ...v, file: basename(v.file) })) };
    return { job: spec.jobId, spec: hostSpec, files };
  } finally {
    store.close();
  }
}

/** Enqueues `payload` in the domain's open mutate() transaction (the job row and the queue row commit together). */
export async function enqueueInTransaction(domain: Domain, payload: RunPayload): Promise<void> {
  await enqueueRun(domain.pgTransaction()!, payload);
}

/** Waits (LISTEN) for the host's outcome of `job`: what it ran and which host ran it. */
export async function awaitRemoteOutcome(out: ScaleOut, job: string): Promise<{ worker: string; outcome: JobOutcome }> {
  const r = await awaitResult(out.url, job, REMOTE_TIMEOUT_MS);
  return { worker: r.worker, outcome: deserialize(r.outcome) as JobOutcome };
}

/** The worker host that handed back `job`'s outcome (scale-out domains; undefined otherwise). */
export async function workerHostOf(domain: Domain, job: string): Promise<string | undefined> {
  if (domain.controlKind !== "postgresql") return undefined;
  // Asked first: a failed statement would abort a surrounding PostgreSQL transaction.
  const has = await one<{ ok: boolean }>(domain.control, "SELECT to_regclass('job_results') IS NOT NULL AS ok");
  if (!has?.ok) return undefined;
  return (await one<{ worker: string }>(domain.control, "SELECT worker FROM job_results WHERE job = ?", [job]))?.worker;
}

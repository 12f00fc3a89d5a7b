import { deserialize } from "node:v8";
import type { JobOutcome } from "../../sandbox/index.js";
import { one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { discardHandedOutcome, handsBackReference, openHandedOutcome, scaleOutOf } from "./remote-run.js";

/** What became of a scale-out run whose owner process died: the host's result, a host still on it, or nothing. */
export type LateRun = { kind: "result"; worker: string; outcome: JobOutcome; /** Deletes the bucket's copy once the result is staged. */ staged: () => Promise<void> } | { kind: "on-host" } | { kind: "none" };

/**
 * Looks for `job`'s run on the queue side (recovery of a writer open, for jobs whose owner is
 * gone): a result a host handed back after the owner died, or a queue row a host holds or may
 * still claim (then the job stays running and a later open collects it). `none` on a domain
 * without the queue.
 */
export async function lateRun(domain: Domain, job: string): Promise<LateRun> {
  if (domain.controlKind !== "postgresql") return { kind: "none" };
  // Asked first: a failed statement would abort a surrounding PostgreSQL transaction.
  const has = await one<{ ok: boolean }>(domain.control, "SELECT to_regclass('job_results') IS NOT NULL AND to_regclass('graphile_worker.jobs') IS NOT NULL AS ok");
  if (!has?.ok) return { kind: "none" };
  const r = await one<{ worker: string; outcome: string }>(domain.control, "SELECT worker, encode(outcome, 'base64') AS outcome FROM job_results WHERE job = ?", [job]);
  if (r) {
    const handed = Buffer.from(r.outcome, "base64");
    const out = scaleOutOf(domain);
    // The outcome waits in the bucket: without the owner's S3 settings this open cannot fetch it, so the job stays running for one that can.
    if (!out) return handsBackReference(handed) ? { kind: "on-host" } : { kind: "result", worker: r.worker, outcome: deserialize(handed) as JobOutcome, staged: async () => undefined };
    return { kind: "result", worker: r.worker, outcome: await openHandedOutcome(out, job, handed, { keep: true }), staged: () => discardHandedOutcome(out, handed) };
  }
  // A row no host holds whose attempts are spent will never run again (graphile-worker keeps it as failed).
  const q = await one<{ n: number | bigint }>(domain.control, "SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = ? AND (locked_at IS NOT NULL OR attempts < max_attempts)", [job]);
  return Number(q?.n ?? 0) > 0 ? { kind: "on-host" } : { kind: "none" };
}

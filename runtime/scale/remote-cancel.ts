import { one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { cancelRun } from "./job-queue.js";

/**
 * Inside `job cancel`'s mutate(): on a scale-out domain, takes the job's run off the queue
 * and tells the host running it to stop, in the same transaction as the job's state change.
 * A domain without the queue (embedded, or PostgreSQL without installQueue) has nothing to do.
 */
export async function cancelRemoteRun(domain: Domain, job: string): Promise<void> {
  if (domain.controlKind !== "postgresql") return;
  // Asked first: a failed statement would abort the surrounding transaction.
  const has = await one<{ ok: boolean }>(domain.control, "SELECT to_regclass('job_cancels') IS NOT NULL AND to_regclass('graphile_worker.jobs') IS NOT NULL AS ok");
  if (!has?.ok) return;
  await cancelRun(domain.pgTransaction()!, job);
}

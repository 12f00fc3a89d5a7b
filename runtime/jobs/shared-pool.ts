import { WorkerPool } from "../../sandbox/index.js";

let pool: WorkerPool | undefined;

/** The owner process's worker pool, started on first use. */
export function sharedPool(): WorkerPool {
  const perOrg = process.env.SHUYU_WORKERS_PER_ORG;
  pool ??= new WorkerPool({ size: Number(process.env.SHUYU_WORKERS ?? 2), ...(perOrg ? { perTenant: Number(perOrg) } : {}) });
  return pool;
}

/** Stops the pool's workers (CLI exit, server shutdown). */
export async function closeSharedPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.close();
}

/**
 * Scale-out benchmark: N sandbox worker hosts (1, 2, 4; separate `shuyu worker` processes,
 * one job at a time each) draining 32 SQL jobs from the graphile-worker queue, libraries
 * fetched by SM3 from a loopback S3 server. Figures: jobs/s and p50/p99 start latency
 * (commit of the enqueue → the host starting the job). Yardstick, same run: the embedded
 * mode's in-process WorkerPool (2 workers) running the same 32 jobs.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import S3rver from "s3rver";
import { DEFAULT_LIMITS, WorkerPool, type JobSpec } from "../sandbox/index.js";
import { BlobStore } from "../runtime/scale/blob-store.js";
import { awaitResult, createWorkerRole, enqueueRun, installQueue, type RunPayload } from "../runtime/scale/job-queue.js";
import { createDatabase, startLocalPostgres } from "../runtime/scale/local-postgres.js";
import { PgConnection } from "../runtime/scale/pg-connection.js";
import { spawnWorkerHost } from "../runtime/scale/spawn-host.js";
import type { BenchRow } from "./types.js";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Runs the scale-out curve; `quick` drains 8 jobs per N instead of 32. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const jobs = opts.quick ? 8 : 32;
  const root = mkdtempSync(join(tmpdir(), "shuyu-bench-scale-"));
  const pgServer = await startLocalPostgres();
  const s3srv = new S3rver({ address: "127.0.0.1", port: 0, directory: join(root, "s3"), silent: true });
  const { port } = await s3srv.run();
  const s3 = { endpoint: `http://127.0.0.1:${port}`, bucket: "libraries", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
  const store = new BlobStore(s3);
  const rows: BenchRow[] = [];
  try {
    await store.ensureBucket();
    const file = join(root, "people.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(`COPY (SELECT i AS id, i % 97 AS g, i * 0.5 AS v FROM range(200000) t(i)) TO '${file}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const files: RunPayload["files"] = [{ name: basename(file), sm3: await store.put(readFileSync(file)), bytes: readFileSync(file).length }];
    const spec = (id: string): JobSpec => ({
      jobId: id,
      libraryDir: root,
      views: [{ name: "people", file, columns: ["id", "g", "v"] }],
      kind: "sql",
      code: "SELECT g, count(*) AS n, avg(v) AS m FROM people GROUP BY g ORDER BY g",
      params: null,
      limits: { ...DEFAULT_LIMITS },
    });

    // Yardstick: the embedded pool, same jobs, same run.
    const pool = new WorkerPool({ size: 2 });
    await pool.run(spec("warm"));
    const t0 = performance.now();
    const embeddedStarts: number[] = [];
    await Promise.all(Array.from({ length: jobs }, (_, i) => pool.run(spec(`e${i}`)).then(() => embeddedStarts.push(performance.now() - t0))));
    const embeddedRate = jobs / ((performance.now() - t0) / 1000);
    await pool.close();

    for (const n of [1, 2, 4]) {
      const ownerUrl = await createDatabase(pgServer.url, `bench_${n}`);
      await installQueue(ownerUrl);
      const workerUrl = await createWorkerRole(ownerUrl, `bench-${n}-pw`);
      const hosts = await Promise.all(Array.from({ length: n }, (_, h) => spawnWorkerHost({ controlUrl: workerUrl, cacheDir: join(root, `cache-${n}-${h}`), s3 })));
      const owner = await PgConnection.connect(ownerUrl);
      try {
        // Warm each host's cache and sandbox worker.
        await owner.run("BEGIN");
        for (let h = 0; h < n; h++) await enqueueRun(owner, { job: `warm-${h}`, spec: spec(`warm-${h}`), files });
        await owner.run("COMMIT");
        for (let h = 0; h < n; h++) await awaitResult(ownerUrl, `warm-${h}`, 120_000);
        const enqueued = new Map<string, number>();
        const start = Date.now();
        for (let i = 0; i < jobs; i++) {
          await owner.run("BEGIN");
          await enqueueRun(owner, { job: `j${i}`, spec: spec(`j${i}`), files });
          await owner.run("COMMIT");
          enqueued.set(`j${i}`, Date.now());
        }
        const results = await Promise.all([...enqueued.keys()].map((j) => awaitResult(ownerUrl, j, 300_000).then((r) => ({ j, ...r }))));
        const end = Date.now();
        const latency = results.map((r) => (r.startedMs ?? end) - enqueued.get(r.j)!);
        const rate = jobs / ((end - start) / 1000);
        rows.push({ name: `${n} worker host(s): ${jobs} jobs, jobs/s`, value: rate, unit: "jobs/s", yardstick: "embedded pool (2 workers), same jobs", yardstickValue: embeddedRate, ratio: rate / embeddedRate });
        rows.push({ name: `${n} worker host(s): start latency p50`, value: pct(latency, 50), unit: "ms", yardstick: "embedded pool: p50 turnaround", yardstickValue: pct(embeddedStarts, 50), ratio: pct(latency, 50) / pct(embeddedStarts, 50) });
        rows.push({ name: `${n} worker host(s): start latency p99`, value: pct(latency, 99), unit: "ms", yardstick: "embedded pool: p99 turnaround", yardstickValue: pct(embeddedStarts, 99), ratio: pct(latency, 99) / pct(embeddedStarts, 99) });
      } finally {
        await owner.end();
        await Promise.all(hosts.map((h) => h.stop()));
      }
    }
  } finally {
    store.close();
    await s3srv.close();
    await pgServer.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}

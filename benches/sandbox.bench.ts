/**
 * Sandbox benchmarks: how fast a job starts inside a warm worker, and how fast
 * `ctx.query` delivers rows into the isolate compared with DuckDB materialising
 * the same result in this process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type IvmNamespace from "isolated-vm";
import { DEFAULT_LIMITS, WorkerPool, type JobSpec } from "../sandbox/index.js";
import type { BenchRow } from "./types.js";

const require = createRequire(import.meta.url);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Yardstick for start latency: a bare isolated-vm Isolate + Context, nothing else. */
async function bareIsolateMs(samples: number): Promise<number[]> {
  const ivm = require("isolated-vm") as typeof IvmNamespace;
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: DEFAULT_LIMITS.memoryMiB });
    await isolate.createContext();
    out.push(performance.now() - t);
    isolate.dispose();
  }
  return out.sort((a, b) => a - b);
}

/** Runs the sandbox benchmarks; `quick` uses fewer samples and 1 M instead of 10 M rows. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const samples = opts.quick ? 20 : 60;
  const rows = opts.quick ? 1_000_000 : 10_000_000;
  const dir = mkdtempSync(join(tmpdir(), "shuyu-bench-sandbox-"));
  const pool = new WorkerPool({ size: 2, workerHeapMiB: 4096 });
  try {
    const file = join(dir, "big.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    await conn.run(
      `COPY (SELECT i::INTEGER AS i, i * 0.5 AS d, 'row-' || i AS s FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`,
    );
    const views = [{ name: "big", file, columns: ["i", "d", "s"] }];
    const job = (code: string, id: string, memoryMiB = DEFAULT_LIMITS.memoryMiB): JobSpec => ({
      jobId: id,
      libraryDir: dir,
      views,
      kind: "model",
      code,
      params: null,
      limits: { ...DEFAULT_LIMITS, memoryMiB, cpuMs: 120_000, wallMs: 300_000, rowsPerQuery: rows },
    });

    // Start latency: each sample on a warm worker with no other worker booting beside it.
    const starts: number[] = [];
    for (let i = 0; i < samples; i++) {
      await pool.warm();
      const o = await pool.run(job("export default async () => ({ report: 'ok' })", `start-${i}`));
      if (o.state !== "succeeded" || o.startMs === undefined) throw new Error(`start sample failed: ${o.reason}`);
      starts.push(o.startMs);
    }
    starts.sort((a, b) => a - b);
    const bare = await bareIsolateMs(samples);

    // Host-side start, submit to outcome of a trivial job, as `serve` sees it (a warm worker) and as
    // a CLI command sees it (its pool is created with the command: fork + boot + job). Interleaved.
    const warmHost: number[] = [];
    const coldHost: number[] = [];
    const trivial = "export default async () => ({ report: 'ok' })";
    for (let i = 0; i < Math.min(samples, 15); i++) {
      await pool.warm();
      let t0 = performance.now();
      let o = await pool.run(job(trivial, `warm-${i}`));
      if (o.state !== "succeeded") throw new Error(`warm start failed: ${o.reason}`);
      warmHost.push(performance.now() - t0);
      t0 = performance.now();
      const cold = new WorkerPool({ size: 1 });
      try {
        o = await cold.run(job(trivial, `cold-${i}`));
      } finally {
        await cold.close();
      }
      if (o.state !== "succeeded") throw new Error(`cold start failed: ${o.reason}`);
      coldHost.push(performance.now() - t0);
    }
    warmHost.sort((a, b) => a - b);
    coldHost.sort((a, b) => a - b);

    // Delivery: the same SELECT materialised here (threads=1, as in the worker) and in the isolate.
    const sql = "SELECT i, d, s FROM big";
    await conn.run("SET threads=1");
    await conn.run(`CREATE VIEW big AS SELECT * FROM read_parquet('${file}')`);
    let t = performance.now();
    const reader = await conn.runAndReadAll(sql);
    const cols = reader.getColumnsJS();
    const hostMs = performance.now() - t;
    if (cols[0].length !== rows) throw new Error("host read the wrong row count");
    conn.closeSync();
    instance.closeSync();

    await pool.warm();
    t = performance.now();
    const code = `export default async (ctx) => {
      const t = Date.now();
      const r = await ctx.query(${JSON.stringify(sql)});
      const ms = Date.now() - t;
      return { model: { ms, rows: r.rowCount, last: r.columns.s[r.rowCount - 1], sum: r.columns.i[1] + r.columns.d[1] } };
    }`;
    const o = await pool.run(job(code, "deliver", opts.quick ? 512 : 4096));
    const jobMs = performance.now() - t;
    if (o.state !== "succeeded") throw new Error(`delivery job ${o.state}: ${o.reason} ${o.error?.message ?? ""}`);
    const m = o.outputs.model as { ms: number; rows: number };
    if (m.rows !== rows) throw new Error("isolate received the wrong row count");
    const inIsolate = rows / (Math.max(1, m.ms) / 1000);
    const host = rows / (hostMs / 1000);
    const label = `${rows / 1e6} M rows × (INTEGER, DOUBLE, VARCHAR)`;
    return [
      { name: "job start p50 (lock DuckDB + isolate + context + compile)", value: percentile(starts, 50), unit: "ms", yardstick: "bare Isolate+Context p50", yardstickValue: percentile(bare, 50), ratio: percentile(bare, 50) / percentile(starts, 50) },
      { name: "trivial job, submit to outcome, warm worker (serve) p50", value: percentile(warmHost, 50), unit: "ms", yardstick: "bare Isolate+Context p50", yardstickValue: percentile(bare, 50), ratio: percentile(bare, 50) / percentile(warmHost, 50) },
      { name: "trivial job, submit to outcome, fresh worker (a CLI command's pool: fork + boot) p50", value: percentile(coldHost, 50), unit: "ms", yardstick: "warm worker p50", yardstickValue: percentile(warmHost, 50), ratio: percentile(warmHost, 50) / percentile(coldHost, 50) },
      { name: "job start p99", value: percentile(starts, 99), unit: "ms", yardstick: "bare Isolate+Context p99", yardstickValue: percentile(bare, 99), ratio: percentile(bare, 99) / percentile(starts, 99) },
      { name: `ctx.query delivery into the isolate, ${label}`, value: inIsolate, unit: "rows/s", yardstick: "DuckDB runAndReadAll+getColumnsJS in the host", yardstickValue: host, ratio: inIsolate / host },
      { name: `whole delivery job incl. IPC back, ${label}`, value: rows / (jobMs / 1000), unit: "rows/s", yardstick: "DuckDB runAndReadAll+getColumnsJS in the host", yardstickValue: host, ratio: rows / (jobMs / 1000) / host },
    ];
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

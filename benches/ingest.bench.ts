/**
 * Ingest of the demo's people file (`shuyu demo generate`), end to end through `ingestDataset`
 * (structure check + SM3 + UTF-8 scan, typed load, PII discovery, catalog), next to DuckDB's bare
 * `read_csv` into a table of the same file, interleaved round by round (median of the rounds).
 * 1 M rows by default (200 k with --quick); SHUYU_BENCH_INGEST_ROWS=1000000,10000000 adds 10 M
 * (about 1.7 GB of CSV and several minutes here). Where the time goes is reported per phase,
 * each phase's time beside the same yardstick.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectPii } from "../policies/pii/detect.js";
import { closeScratch, openScratch } from "../runtime/bench/domain-bench.js";
import { generateDemoData } from "../runtime/demo/index.js";
import { ident, literal } from "../runtime/domain/db.js";
import { scanSource } from "../runtime/ingest/source-scan.js";
import { ingestDataset } from "../runtime/services/datasets.js";
import type { BenchRow } from "./types.js";

/** Wall seconds and CPU seconds (all of this process's threads, DuckDB's included) of `f`. */
async function timed(f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  await f();
  const d = process.cpuUsage(c);
  return { wall: (performance.now() - t) / 1000, cpu: (d.user + d.system) / 1e6 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const label = (n: number): string => (n >= 1e6 ? `${n / 1e6} M` : `${n / 1e3} k`);

/** The row counts to measure. */
function sizes(quick: boolean): number[] {
  const env = process.env.SHUYU_BENCH_INGEST_ROWS;
  if (env) return env.split(",").map((x) => Number(x.trim())).filter((n) => n > 0);
  return quick ? [200_000] : [1_000_000];
}

/** Runs the ingest benchmark at each size. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const out: BenchRow[] = [];
  for (const n of sizes(opts.quick)) out.push(...(await runSize(n, opts.quick ? 1 : n >= 5_000_000 ? 3 : 5)));
  return out;
}

async function runSize(n: number, rounds: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "shuyu-bench-ingest-"));
  const s = await openScratch(dir);
  try {
    const files = await generateDemoData({ rows: n, out: join(dir, "data"), events: false });
    const file = files.find((f) => f.table === "people")!.path;
    const mb = statSync(file).size / 1e6;
    const ours: { wall: number; cpu: number }[] = [];
    const bare: { wall: number; cpu: number }[] = [];
    let version = 0;
    for (let r = 0; r < rounds; r++) {
      bare.push(await timed(() => s.yard.conn.run(`CREATE OR REPLACE TABLE bare AS SELECT * FROM read_csv(${literal(file)})`)));
      ours.push(await timed(() => ingestDataset(s.admin, { id: "people", file, provider: "prov", grade: 3 })));
      version++;
    }
    await s.yard.conn.run("DROP TABLE IF EXISTS bare");
    // Phases, measured alone once more on the same file and table.
    const table = `ds_people_v${version}`;
    const scanS = (await timed(() => scanSource(file, "csv", statSync(file).size))).wall;
    const detectS = (await timed(() => s.domain.exclusive(() => detectPii(s.domain.vault, table)))).wall;
    const types = (await s.domain.vault.runAndReadAll(`DESCRIBE ${ident(table)}`)).getRowObjects();
    const numericIds = types.filter((c) => ["mobile", "district_code", "bank_card", "id_number"].includes(String(c.column_name)) && String(c.column_type) !== "VARCHAR");
    if (numericIds.length > 0) throw new Error(`identifier columns typed as numbers: ${numericIds.map((c) => String(c.column_name)).join(", ")}`);
    const o = median(ours.map((x) => x.wall));
    const b = median(bare.map((x) => x.wall));
    // On a shared machine CPU time is the steadier comparison: both run in this process.
    const oc = median(ours.map((x) => x.cpu));
    const bc = median(bare.map((x) => x.cpu));
    const yard = "DuckDB read_csv into a table, no checks";
    return [
      { name: `ingest demo people ${label(n)} rows (scan, load, PII discovery, catalog; median of ${rounds})`, value: n / o, unit: "rows/s", yardstick: yard, yardstickValue: n / b, ratio: b / o },
      { name: `ingest demo people ${label(n)} rows, bytes`, value: mb / o, unit: "MB/s", yardstick: yard, yardstickValue: mb / b, ratio: b / o },
      { name: `ingest demo people ${label(n)} rows, CPU time`, value: oc, unit: "s", yardstick: yard, yardstickValue: bc, ratio: bc / oc },
      { name: `  of which the scan (SM3, UTF-8, structure) ${label(n)}`, value: scanS, unit: "s", yardstick: yard, yardstickValue: b, ratio: b / scanS },
      { name: `  of which PII discovery ${label(n)}`, value: detectS, unit: "s", yardstick: yard, yardstickValue: b, ratio: b / detectS },
    ];
  } finally {
    closeScratch(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

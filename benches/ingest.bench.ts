/**
 * Ingest of the demo's people file (`shuyu demo generate`), end to end through `ingestDataset`
 * (structure check + SM3 + UTF-8 scan, typed load, PII discovery, raw-side gate facts, catalog), next to
 * DuckDB's bare `read_csv` into a table of the same file (the issue's yardstick) and the same read_csv
 * with the identifier columns typed VARCHAR, interleaved round by round (median of the rounds).
 * 1 M rows by default (200 k with --quick); SHUYU_BENCH_INGEST_ROWS=1000000,10000000 adds 10 M
 * (about 1.7 GB of CSV and several minutes here). Where the time goes is reported per phase,
 * each phase's time beside the same yardstick.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { precomputeRawFacts } from "../policies/disclosure/raw-facts.js";
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

/** The demo's identifier columns, which ingest must keep as text. */
const ID_COLUMNS = ["mobile", "district_code", "bank_card", "id_number"];

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
    const text: { wall: number; cpu: number }[] = [];
    // The second yardstick reads the four identifier columns as text, as ingest must (the default
    // read_csv makes mobiles, cards and district codes BIGINT): the same data movement, no checks.
    const textTypes = `types={${ID_COLUMNS.map((c) => `${literal(c)}: 'VARCHAR'`).join(", ")}}`;
    let version = 0;
    for (let r = 0; r < rounds; r++) {
      bare.push(await timed(() => s.yard.conn.run(`CREATE OR REPLACE TABLE bare AS SELECT * FROM read_csv(${literal(file)})`)));
      ours.push(await timed(() => ingestDataset(s.admin, { id: "people", file, provider: "prov", grade: 3 })));
      text.push(await timed(() => s.yard.conn.run(`CREATE OR REPLACE TABLE bare AS SELECT * FROM read_csv(${literal(file)}, ${textTypes})`)));
      version++;
    }
    await s.yard.conn.run("DROP TABLE IF EXISTS bare");
    // Phases, measured alone once more on the same file and table.
    const table = `ds_people_v${version}`;
    const scanS = (await timed(() => scanSource(file, "csv", statSync(file).size))).wall;
    let proposals: Awaited<ReturnType<typeof detectPii>> = [];
    const detectS = (await timed(async () => (proposals = await s.domain.exclusive(() => detectPii(s.domain.vault, table))))).wall;
    const isPii = (p: (typeof proposals)[number]) => p.tags.some((t) => t.startsWith("pii:"));
    const factColumns = proposals.filter((p) => p.type === "VARCHAR" || isPii(p)).map((p) => p.column);
    const factsS = (await timed(() => s.domain.exclusive(() => precomputeRawFacts(s.domain.vault, table, factColumns, proposals.filter(isPii).map((p) => p.column))))).wall;
    const types = (await s.domain.vault.runAndReadAll(`DESCRIBE ${ident(table)}`)).getRowObjects();
    const numericIds = types.filter((c) => ID_COLUMNS.includes(String(c.column_name)) && String(c.column_type) !== "VARCHAR");
    if (numericIds.length > 0) throw new Error(`identifier columns typed as numbers: ${numericIds.map((c) => String(c.column_name)).join(", ")}`);
    const o = median(ours.map((x) => x.wall));
    const b = median(bare.map((x) => x.wall));
    // On a shared machine CPU time is the steadier comparison: both run in this process.
    const oc = median(ours.map((x) => x.cpu));
    const bc = median(bare.map((x) => x.cpu));
    const t = median(text.map((x) => x.wall));
    const tc = median(text.map((x) => x.cpu));
    const yard = "DuckDB read_csv into a table, no checks";
    const yardText = "the same, identifier columns VARCHAR";
    return [
      { name: `ingest demo people ${label(n)} rows (scan, load, PII discovery, raw facts, catalog; median of ${rounds})`, value: n / o, unit: "rows/s", yardstick: yard, yardstickValue: n / b, ratio: b / o },
      { name: `ingest demo people ${label(n)} rows, bytes`, value: mb / o, unit: "MB/s", yardstick: yard, yardstickValue: mb / b, ratio: b / o },
      { name: `ingest demo people ${label(n)} rows, CPU time`, value: oc, unit: "s", yardstick: yard, yardstickValue: bc, ratio: bc / oc },
      { name: `ingest demo people ${label(n)} rows, vs identifiers as text`, value: n / o, unit: "rows/s", yardstick: yardText, yardstickValue: n / t, ratio: t / o },
      { name: `ingest demo people ${label(n)} rows, CPU time vs identifiers as text`, value: oc, unit: "s", yardstick: yardText, yardstickValue: tc, ratio: tc / oc },
      { name: `  of which the scan (SM3, UTF-8, structure; overlaps the load) ${label(n)}`, value: scanS, unit: "s", yardstick: yard, yardstickValue: b, ratio: b / scanS },
      { name: `  of which PII discovery ${label(n)}`, value: detectS, unit: "s", yardstick: yard, yardstickValue: b, ratio: b / detectS },
      { name: `  of which the raw-side gate facts ${label(n)}`, value: factsS, unit: "s", yardstick: yard, yardstickValue: b, ratio: b / factsS },
    ];
  } finally {
    closeScratch(s);
    rmSync(dir, { recursive: true, force: true });
  }
}

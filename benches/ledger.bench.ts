/**
 * Ledger benchmarks (issue 10 item 7): what accounting costs next to the query it
 * accounts, and how long storing a ledger takes. Ratios here are costs: value ÷ yardstick.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { writeColumnarTable } from "../runtime/jobs/staging.js";
import { accountingSpec, markTable, writeLedger } from "../runtime/ledger/index.js";
import { accountQuery } from "../sandbox/accounting/index.js";
import { DEFAULT_LIMITS, WorkerPool, type JobSpec } from "../sandbox/index.js";
import { readColumns } from "../sandbox/worker/columns.js";
import type { BenchRow } from "./types.js";

const best = async (n: number, fn: () => Promise<unknown>): Promise<number> => {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
};

/** Runs the ledger benchmarks; `quick` uses 1 M rows instead of 10 M. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const rows = opts.quick ? 1_000_000 : 10_000_000;
  const people = rows / 10;
  const dir = mkdtempSync(join(tmpdir(), "shuyu-bench-ledger-"));
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const parser = await DuckDBInstance.create(":memory:").then((i) => i.connect());
  const pool = new WorkerPool({ size: 1 });
  try {
    const file = join(dir, "people.parquet");
    // Ten rows per person on average, 37 cities: the shape of a register with one row per event.
    await conn.run(`COPY (SELECT 'p' || (i % ${people}) AS pid, 'city' || (i % ${people} % 37) AS city, (i % 9973)::DOUBLE AS income,
      (hash('person' || (i % ${people})) >> 4)::BIGINT AS __sid FROM range(${rows}) t(i)) TO '${file}' (FORMAT parquet)`);
    await conn.run("SET threads=1");
    await conn.run(`CREATE VIEW people AS SELECT * FROM read_parquet('${file}')`);
    const sql = "select city, count(*) as n, avg(income) as mean_income from people group by city";
    const views = [{ name: "people", dataset: "people", columns: ["pid", "city", "income"], sid: "__sid", subject: { kind: "person", columns: ["pid"] } }];
    const samples = opts.quick ? 3 : 2;
    const plainMs = await best(samples, () => readColumns(conn, sql, [], rows));
    const floorMs = await best(samples, () => readColumns(conn, "select city, count(*) as n, avg(income) as mean_income, count(DISTINCT __sid) AS k from people group by city", [], rows));
    // What exactness costs by itself: the per-(group, subject) pre-aggregation every accounting column is
    // derived from (distinct subjects, top-2 contributions, totals), with nothing read back.
    const passMs = await best(samples, () => conn.run("SELECT count(*) FROM (SELECT city, __sid, count(*) AS c, sum(income) AS s FROM people GROUP BY city, __sid)"));
    const accountedMs = await best(samples, async () => {
      const r = await accountQuery(conn, parser, sql, [], views, rows);
      if (r.entry.kind !== "aggregate") throw new Error(`bench query not accounted: ${r.entry.reason}`);
    });

    // The same two through the pool, as the domain runs them (worker start, lockdown, IPC back).
    const spec: JobSpec = {
      jobId: "bench-plain", libraryDir: dir, kind: "sql", code: sql, params: [],
      views: [{ name: "people", file, columns: ["pid", "city", "income"], dataset: "people", sidColumn: "__sid", subject: { kind: "person", columns: ["pid"] } }],
      limits: { ...DEFAULT_LIMITS, memoryMiB: 1024, wallMs: 600_000, cpuMs: 600_000, rowsPerQuery: rows },
    };
    await pool.warm();
    let t = performance.now();
    const plainJob = await pool.run(spec);
    const plainJobMs = performance.now() - t;
    if (plainJob.state !== "succeeded") throw new Error(`plain job ${plainJob.state} ${plainJob.reason}`);
    await pool.warm();
    t = performance.now();
    const accJob = await pool.run(accountingSpec(spec, [{ sql, params: [] }]));
    const accJobMs = performance.now() - t;
    if (accJob.state !== "succeeded" || accJob.ledger?.[0]?.kind !== "aggregate") throw new Error(`accounting job ${accJob.state} ${accJob.reason} ${accJob.ledger?.[0]?.reason ?? ""}`);

    // Ledger write: a 2,000 × 5 = 10,000-cell row selection, its subject set and its alignment.
    const vaultInstance = await DuckDBInstance.create(join(dir, "vault.duckdb"));
    const vault = await vaultInstance.connect();
    const sel = "select pid, city, income, income * 2 as twice, income + 1 as plus from people where __sid % 500 = 0 limit 2000";
    await conn.run("SET threads=1");
    const acc = await accountQuery(conn, parser, sel.replace(" where __sid % 500 = 0", " where income < 2000 and city = 'city3'"), [], views, rows);
    if (acc.entry.kind !== "rows" || !acc.table) throw new Error(`selection not accounted: ${acc.entry.reason}`);
    const cells = acc.table.rowCount * (acc.table.columns.length - 2);
    const fakeRun = { state: "succeeded" as const, outputs: { tables: { q0: acc.table, q0_subjects: acc.subjects! }, logs: [] }, queries: 1, ledger: [{ q: 0, ...acc.entry }] };
    const staged = { rowCount: acc.table.rowCount, columns: acc.table.columns.slice(0, -2) };
    const stageMs = await best(3, () => writeColumnarTable(vault, "stg_bench", staged));
    let n = 0;
    const writeMs = await best(3, () => writeLedger(vault, `bench-${n++}`, [{ sql: "bench", params: [] }], fakeRun));
    const ledger = await writeLedger(vault, "bench-m", [{ sql: "bench", params: [] }], fakeRun);
    const markMs = await best(3, async () => {
      const m = await markTable(vault, "bench-m", "t", "stg_bench", ledger);
      if (m.kind !== "accounted-rows") throw new Error(`bench table marked ${m.kind}`);
    });
    vault.closeSync();
    vaultInstance.closeSync();

    const label = `${rows / 1e6} M rows, ${people / 1e6} M people, 37 groups`;
    return [
      { name: `accounted group-by (${label}), in-process, target ≤ 2×`, value: accountedMs, unit: "ms", yardstick: "the plain query, same DuckDB (threads=1)", yardstickValue: plainMs, ratio: accountedMs / plainMs },
      { name: `accounted group-by (${label}), in-process`, value: accountedMs, unit: "ms", yardstick: "plain query + count(DISTINCT __sid) (exact-count floor)", yardstickValue: floorMs, ratio: accountedMs / floorMs },
      { name: `accounted group-by (${label}), in-process`, value: accountedMs, unit: "ms", yardstick: "its per-(group, subject) pre-aggregation alone (GROUP BY city, __sid)", yardstickValue: passMs, ratio: accountedMs / passMs },
      { name: `per-(group, subject) pre-aggregation (${label})`, value: passMs, unit: "ms", yardstick: "the plain query, same DuckDB (threads=1)", yardstickValue: plainMs, ratio: passMs / plainMs },
      { name: `accounting job via the pool (${label}, subject set over IPC)`, value: accJobMs, unit: "ms", yardstick: "the plain SQL job via the pool", yardstickValue: plainJobMs, ratio: accJobMs / plainJobMs },
      { name: `ledger write, ${cells.toLocaleString("en-US")}-cell row selection + subject set, target ≤ 1 s`, value: writeMs, unit: "ms", yardstick: "staging write of the same table", yardstickValue: stageMs, ratio: writeMs / stageMs },
      { name: `mark a ${cells.toLocaleString("en-US")}-cell staged table against its ledger`, value: markMs, unit: "ms", yardstick: "staging write of the same table", yardstickValue: stageMs, ratio: markMs / stageMs },
    ];
  } finally {
    await pool.close();
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

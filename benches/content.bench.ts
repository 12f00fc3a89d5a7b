/**
 * Content checks: (1) a model of 100 k coefficients and 10 k vocabulary strings, (2) a 2,000-
 * figure report with an embedded table, (3) `matchTableValues` on 100 k distinct encoded-looking
 * values — each against 1 M raw rows × 3 identifier columns and one sensitive number column,
 * next to one scan of those raw columns in the same run; ratio = scan / check (higher is better).
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { CheckContext } from "../policies/disclosure/context.js";
import { matchTableValues } from "../policies/disclosure/content/index.js";
import { runChecks, type RawColumnRef } from "../policies/disclosure/index.js";
import type { BenchRow } from "./types.js";
import { timeIt } from "./best-time.js";

const RAW: RawColumnRef[] = [
  { table: "raw_people", column: "id", tags: ["pii:resident_id"] },
  { table: "raw_people", column: "mobile", tags: ["pii:mobile"] },
  { table: "raw_people", column: "card", tags: ["pii:bank_card"] },
  { table: "raw_people", column: "income", tags: ["sensitive"] },
  { table: "raw_people", column: "age", tags: ["quasi"] },
];

async function fill(conn: DuckDBConnection, n: number): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE raw_people AS SELECT
      (['110105','330106','440305','510107'])[1 + i % 4] || strftime(DATE '1950-01-01' + CAST(i * 7 % 20000 AS INTEGER), '%Y%m%d')
        || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') || (['0','1','2','3','4','5','6','7','8','9','X'])[1 + i % 11] AS id,
      '1' || (['38','39','58','86'])[1 + i % 4] || lpad(CAST((i * 7919) % 100000000 AS VARCHAR), 8, '0') AS mobile,
      '622202' || lpad(CAST((i * 104729) % 10000000000000 AS VARCHAR), 13, '0') AS card,
      round(3000 + (hash(i, 'inc') % 3000000) / 100.0, 2) AS income,
      CAST(20 + hash(i, 'a') % 50 AS INTEGER) AS age
    FROM range(${n}) t(i)`);
}

function row(name: string, check: number, scan: number): BenchRow {
  return { name, value: check, unit: "s", yardstick: "one scan of the 4 searched raw columns; ratio = scan/check", yardstickValue: scan, ratio: scan / check };
}

/** Runs the content benchmarks (1 M raw rows; quick: one round each). */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const rounds = opts.quick ? 1 : 3;
    await fill(conn, 1_000_000);
    const scan = await timeIt(rounds, () => conn.run(`SELECT max(id), max(mobile), max(card), max(income) FROM raw_people`).then(() => undefined));
    const rows: BenchRow[] = [];
    // Warm the raw-side cache once, as a domain does after its first check of a dataset version.
    await runChecks({ conn, form: "model", outputTables: [], raw: RAW, model: { w: [0.5] } });

    const model = {
      type: "logistic",
      coef: Array.from({ length: 100_000 }, (_, i) => Math.round(Math.sin(i) * 1e6) / 1e6),
      vocab: Array.from({ length: 10_000 }, (_, i) => `term_${i.toString(36)}_${(i * 7919).toString(16)}`),
    };
    rows.push(row("model: 100 k coefficients + 10 k strings", await timeIt(rounds, () => runChecks({ conn, form: "model", outputTables: [], raw: RAW, model, trainingRows: 1_000_000 }).then(() => undefined)), scan));

    const prose = Array.from({ length: 2000 }, (_, i) => `第${i}组平均收入 ${(15000 + i * 3.7).toFixed(1)} 元，占比 ${(i % 100) / 10}%`).join("；");
    const table = `| 组 | 人数 |\n|---|---|\n${Array.from({ length: 50 }, (_, i) => `| ${i} | ${100 + i} |`).join("\n")}`;
    rows.push(row("report: 2,000 figures + a 50-row table", await timeIt(rounds, () => runChecks({ conn, form: "report", outputTables: [], raw: RAW, report: `${prose}\n\n${table}\n` }).then(() => undefined)), scan));

    await conn.run(`CREATE OR REPLACE TABLE out_tokens AS SELECT 't' AS tbl, 'c' AS col, lower(md5(CAST(i AS VARCHAR))) || 'g' AS v FROM range(100000) t(i)`);
    const ctx = await CheckContext.create({ conn, form: "dataset", outputTables: [], raw: RAW });
    try {
      const t = await timeIt(rounds, () => matchTableValues(ctx, "SELECT tbl, col, v FROM out_tokens").then(() => undefined));
      rows.push(row("matchTableValues: 100 k distinct encoded-looking values", t, scan));
    } finally {
      await ctx.cleanup();
    }
    return rows;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/**
 * Egress gate: (1) desensitization of N rows × 3 identifier columns (resident ID 6+4, mobile
 * 3+4, bank card 6+4 masks) by CREATE TABLE AS with the compiled expressions, next to CREATE
 * TABLE AS of the plain columns in the same run (target ≥ 0.8× its rows/s); (2) the full check
 * suite on a 1 M-row record-level output, next to one scan of that output (every column read
 * once); reported as scan_time / check_time so higher is better (target 0.2 = checks ≤ 5 scans).
 */
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { applyPolicy, compileMethod, MethodSchema } from "../policies/desensitize/index.js";
import { runChecks, type OutputTable } from "../policies/disclosure/index.js";
import type { BenchRow } from "./types.js";
import { timeIt } from "./best-time.js";

/** Fills `src` with n rows of realistic-shaped identifiers plus quasi-identifiers, in SQL. */
async function fill(conn: DuckDBConnection, n: number): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE src AS SELECT
      (['110105','330106','440305','510107'])[1 + i % 4] || strftime(DATE '1950-01-01' + CAST(i * 7 % 20000 AS INTEGER), '%Y%m%d')
        || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') || (['0','1','2','3','4','5','6','7','8','9','X'])[1 + i % 11] AS id,
      '1' || (['38','39','58','86'])[1 + i % 4] || lpad(CAST((i * 7919) % 100000000 AS VARCHAR), 8, '0') AS mobile,
      '622202' || lpad(CAST((i * 104729) % 10000000000000 AS VARCHAR), 13, '0') AS card,
      CAST(20 + hash(i, 'a') % 50 AS INTEGER) AS age,
      (['M','F'])[1 + CAST(hash(i, 'g') % 2 AS BIGINT)] AS gender,
      (['110105','330106','440305','510107'])[1 + i % 4] AS district,
      (['高血压','糖尿病','冠心病','哮喘'])[1 + CAST(hash(i, 'd') % 4 AS BIGINT)] AS diagnosis
    FROM range(${n}) t(i)`);
}

async function desensitizeRows(conn: DuckDBConnection, n: number, rounds: number): Promise<BenchRow> {
  const mask = (keepFirst: number, keepLast: number) => MethodSchema.parse({ method: "mask", keepFirst, keepLast });
  const exprs = [
    `${compileMethod("id", mask(6, 4))} AS id`,
    `${compileMethod("mobile", mask(3, 4))} AS mobile`,
    `${compileMethod("card", mask(6, 4))} AS card`,
  ];
  const plain = await timeIt(rounds, () => conn.run(`CREATE OR REPLACE TEMP TABLE o1 AS SELECT id, mobile, card FROM src`).then(() => undefined));
  const masked = await timeIt(rounds, () => conn.run(`CREATE OR REPLACE TEMP TABLE o2 AS SELECT ${exprs.join(", ")} FROM src`).then(() => undefined));
  return {
    name: `desensitize ${n.toLocaleString("en-US")} rows × 3 identifier columns (mask, CTAS)`,
    value: n / masked,
    unit: "rows/s",
    yardstick: "CTAS of the same 3 plain columns (target ≥ 0.8×)",
    yardstickValue: n / plain,
    ratio: plain / masked,
  };
}

async function checkSuite(conn: DuckDBConnection, rounds: number): Promise<BenchRow> {
  const n = 1_000_000;
  await fill(conn, n);
  await conn.run(`CREATE OR REPLACE TABLE raw_people AS SELECT * FROM src`);
  await conn.run(`DROP TABLE IF EXISTS extract`);
  await applyPolicy(conn, "raw_people", "extract", {
    columns: {
      id: { method: "drop" },
      card: { method: "drop" },
      mobile: { method: "mask", keepFirst: 3, keepLast: 0 },
      age: { method: "generalize_age", band: 10 },
      district: { method: "generalize_region", to: "province" },
    },
  });
  const cols = (await conn.runAndReadAll(`DESCRIBE extract`)).getRowObjectsJS();
  const out: OutputTable = { name: "extract", columns: cols.map((c) => ({ name: String(c.column_name), type: String(c.column_type) })) };
  const raw = [
    { table: "raw_people", column: "id", tags: ["pii:resident_id"] },
    { table: "raw_people", column: "mobile", tags: ["pii:mobile"] },
    { table: "raw_people", column: "card", tags: ["pii:bank_card"] },
    { table: "raw_people", column: "age", tags: ["quasi"] },
    { table: "raw_people", column: "gender", tags: ["quasi"] },
    { table: "raw_people", column: "district", tags: ["quasi"] },
    { table: "raw_people", column: "diagnosis", tags: ["sensitive"] },
  ];
  const scanSql = `SELECT ${out.columns.map((c) => `max("${c.name}")`).join(", ")} FROM extract`;
  const scan = await timeIt(rounds, () => conn.run(scanSql).then(() => undefined));
  let blocked = false;
  const check = await timeIt(rounds, async () => {
    const f = await runChecks({ conn, form: "dataset", outputTables: [out], raw });
    blocked = f.some((x) => x.severity === "block");
  });
  return {
    name: `check suite on a 1,000,000-row record-level extract${blocked ? " (blocked)" : ""}`,
    value: check,
    unit: "s",
    yardstick: "one scan of every output column; ratio = scan/check (target 0.2)",
    yardstickValue: scan,
    ratio: scan / check,
  };
}

/** Runs the egress benchmarks (10 M rows full, 1 M quick for desensitization). */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const n = opts.quick ? 1_000_000 : 10_000_000;
    const rounds = opts.quick ? 2 : 3;
    await fill(conn, n);
    const rows = [await desensitizeRows(conn, n, rounds)];
    rows.push(await checkSuite(conn, opts.quick ? 1 : 2));
    return rows;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

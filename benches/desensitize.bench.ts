/**
 * Desensitization (`applyPolicy`) on an on-disk vault table of 10 M people-shaped rows (1 M with
 * --quick), beside a plain CREATE TABLE AS of the same columns, interleaved (median of the rounds).
 * Two figures: the masks alone (the string-building path) and a mixed record-level policy.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { applyPolicy } from "../policies/desensitize/index.js";
import type { BenchRow } from "./types.js";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

const SOURCE = (n: number) => `CREATE TABLE people AS SELECT
    '1' || (['38','39','58','86'])[1 + i % 4] || lpad(CAST((i * 7919) % 100000000 AS VARCHAR), 8, '0') AS mobile,
    (['520102','520103','520111','110105'])[1 + i % 4] || strftime(DATE '1950-01-01' + CAST(i * 7 % 20000 AS INTEGER), '%Y%m%d')
      || lpad(CAST(i % 1000 AS VARCHAR), 3, '0') || (['0','1','2','3','4','5','6','7','8','9','X'])[1 + i % 11] AS id_number,
    (['王','李','张','刘','欧阳'])[1 + i % 5] || (['明','芳','伟','娜娜','强'])[1 + (i // 5) % 5] AS name,
    'user' || CAST(i AS VARCHAR) || '@example.com' AS email,
    (['520102','520103','520111','110105'])[1 + i % 4] AS district,
    CAST(18 + i * 31 % 60 AS INTEGER) AS age
  FROM range(${n}) t(i)`;

const MASKS = {
  mobile: { method: "mask", keepFirst: 3, keepLast: 4 },
  id_number: { method: "mask", keepFirst: 6, keepLast: 4 },
  name: { method: "mask", keepFirst: 1, keepLast: 0 },
  email: { method: "mask_email" },
};
const MIXED = { ...MASKS, district: { method: "generalize_region", to: "province" }, age: { method: "generalize_age", band: 10 } };

/** Runs the desensitization benchmark. */
export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const n = opts.quick ? 1_000_000 : 10_000_000;
  const rounds = opts.quick ? 1 : 3;
  const dir = mkdtempSync(join(tmpdir(), "shuyu-bench-desens-"));
  const instance = await DuckDBInstance.create(join(dir, "vault.duckdb"));
  const conn = await instance.connect();
  try {
    await conn.run(SOURCE(n));
    const out: BenchRow[] = [];
    for (const [what, policy] of [["masks (mobile, ID, name, e-mail)", MASKS], ["mixed policy (masks, region, age band)", MIXED]] as const) {
      const cols = Object.keys(policy).map((c) => `"${c}"`).join(", ");
      await conn.run(`CREATE OR REPLACE TABLE src AS SELECT ${cols} FROM people`);
      const ours: number[] = [];
      const plain: number[] = [];
      for (let r = 0; r < rounds; r++) {
        plain.push(await seconds(() => conn.run(`CREATE OR REPLACE TABLE plain AS SELECT ${cols} FROM src`)));
        await conn.run("DROP TABLE IF EXISTS masked");
        ours.push(await seconds(() => applyPolicy(conn, "src", "masked", { columns: policy })));
      }
      const o = median(ours);
      const p = median(plain);
      out.push({
        name: `desensitization, ${what}, ${n / 1e6} M rows (median of ${rounds})`, value: n / o, unit: "rows/s",
        yardstick: "plain CREATE TABLE AS of the same columns", yardstickValue: n / p, ratio: p / o,
      });
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Random raw tables for the sample property tests, generated with the seeded fakes. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, listValue, type DuckDBConnection } from "@duckdb/node-api";
import {
  createRng,
  fakeAddress,
  fakeBankCard,
  fakeEmail,
  fakeIPv4,
  fakeIPv6,
  fakeMobile,
  fakePersonName,
  fakePlate,
  fakeResidentId,
  fakeUscc,
  randomDistrict,
  type Rng,
} from "../../policies/pii/fake/index.js";
import type { SampleColumn } from "../../policies/sample/index.js";

export interface TempDb {
  conn: DuckDBConnection;
  close(): void;
}

/** A real DuckDB file in a fresh temp directory. */
export async function openTempDb(): Promise<TempDb> {
  const dir = mkdtempSync(join(tmpdir(), "shuyu-sample-"));
  const instance = await DuckDBInstance.create(join(dir, "vault.duckdb"), { threads: "1" });
  const conn = await instance.connect();
  return {
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Spec {
  name: string;
  sqlType: string;
  tags: string[];
  gen: (rng: Rng) => string;
}

const OCCUPATIONS = ["教师", "医生", "工程师", "司机", "会计", "律师", "护士", "厨师"];
const DIAGNOSES = ["高血压", "糖尿病", "哮喘", "骨折", "感冒"];

/** Every kind of column the generator can put in a table. */
export const MENU: readonly Spec[] = [
  { name: "id_no", sqlType: "VARCHAR", tags: ["pii:resident_id"], gen: (r) => fakeResidentId(r) },
  { name: "phone", sqlType: "VARCHAR", tags: ["pii:mobile"], gen: (r) => (r.next() < 0.2 ? "+86" : "") + fakeMobile(r) },
  { name: "card", sqlType: "VARCHAR", tags: ["pii:bank_card"], gen: fakeBankCard },
  { name: "uscc", sqlType: "VARCHAR", tags: ["pii:uscc"], gen: (r) => fakeUscc(r) },
  { name: "email", sqlType: "VARCHAR", tags: ["pii:email"], gen: fakeEmail },
  { name: "ip", sqlType: "VARCHAR", tags: ["pii:ip"], gen: (r) => (r.next() < 0.3 ? fakeIPv6(r) : fakeIPv4(r)) },
  { name: "plate", sqlType: "VARCHAR", tags: ["pii:plate"], gen: fakePlate },
  { name: "person", sqlType: "VARCHAR", tags: ["pii:person_name"], gen: fakePersonName },
  { name: "addr", sqlType: "VARCHAR", tags: ["pii:address"], gen: (r) => fakeAddress(r) },
  {
    name: "birth",
    sqlType: "DATE",
    tags: ["quasi"],
    gen: (r) => `${r.int(1940, 2015)}-${String(r.int(1, 12)).padStart(2, "0")}-${String(r.int(1, 28)).padStart(2, "0")}`,
  },
  { name: "age", sqlType: "INTEGER", tags: ["quasi"], gen: (r) => String(r.int(0, 99)) },
  { name: "district", sqlType: "VARCHAR", tags: ["quasi"], gen: (r) => randomDistrict(r).code },
  { name: "gender", sqlType: "VARCHAR", tags: ["quasi"], gen: (r) => (r.next() < 0.5 ? "男" : "女") },
  { name: "occupation", sqlType: "VARCHAR", tags: ["quasi"], gen: (r) => r.pick(OCCUPATIONS) },
  { name: "income", sqlType: "DOUBLE", tags: ["sensitive"], gen: (r) => (r.int(100, 5_000_000) / 100).toFixed(2) },
  { name: "visits", sqlType: "INTEGER", tags: ["sensitive"], gen: (r) => String(r.int(0, 40)) },
  { name: "diagnosis", sqlType: "VARCHAR", tags: ["sensitive"], gen: (r) => r.pick(DIAGNOSES) },
  // Untagged, but identifier-looking: the row guarantee must hold for it too.
  { name: "contact_note", sqlType: "VARCHAR", tags: [], gen: fakeMobile },
  { name: "flag", sqlType: "INTEGER", tags: [], gen: (r) => String(r.int(0, 2)) },
];

export interface RawTable {
  table: string;
  columns: SampleColumn[];
  rowCount: number;
}

/**
 * Creates table `name` with the chosen columns and `rows` rows. With `dupShare` > 0 a
 * column draws from a small pool, so values repeat; `nullShare` of cells are NULL.
 */
export async function createRawTable(
  conn: DuckDBConnection,
  name: string,
  specs: readonly Spec[],
  rows: number,
  seed: number,
  opts: { dupShare?: number; nullShare?: number } = {},
): Promise<RawTable> {
  const rng = createRng(seed);
  const cols = specs.map((s) => {
    const pool = rng.next() < (opts.dupShare ?? 0) ? Array.from({ length: rng.int(1, 3) }, () => s.gen(rng)) : undefined;
    return Array.from({ length: rows }, () => (rng.next() < (opts.nullShare ?? 0) ? null : pool ? rng.pick(pool) : s.gen(rng)));
  });
  await conn.run(`CREATE TABLE "${name}" (${specs.map((s) => `"${s.name}" ${s.sqlType}`).join(", ")})`);
  await conn.run(
    `INSERT INTO "${name}" SELECT ${specs.map((s, k) => `CAST(unnest($${k + 1}::VARCHAR[]) AS ${s.sqlType})`).join(", ")}`,
    cols.map((c) => listValue(c)),
  );
  return { table: name, columns: specs.map((s) => ({ name: s.name, type: s.sqlType, tags: [...s.tags] })), rowCount: rows };
}

/** A small raw vault of realistic fake PII (valid checksums, GB/T 2260 districts) shared by disclosure tests. */
import { createHash } from "node:crypto";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import {
  createRng,
  fakeAddress,
  fakeBankCard,
  fakeEmail,
  fakeMobile,
  fakePersonName,
  fakeResidentId,
} from "../../policies/pii/fake/index.js";
import type { RawColumnRef } from "../../policies/disclosure/index.js";

/** GB/T 2260 districts of four cities (杭州, 北京, 成都, 广州), two each. */
export const DISTRICTS = ["330106", "330108", "110105", "110108", "510104", "510107", "440104", "440106"] as const;
const CITY: Record<string, string> = { "3301": "杭州市", "1101": "北京市", "5101": "成都市", "4401": "广州市" };
export const DIAGNOSES = ["高血压", "糖尿病", "冠心病", "哮喘"] as const;

export interface Person {
  id: string;
  mobile: string;
  card: string;
  name: string;
  email: string;
  address: string;
  district: string;
  age: number;
  gender: string;
  diagnosis: string;
  income: number;
  notes: string;
  city: string;
  birth: string;
  empNo: string;
}

export interface Vault {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  people: Person[];
  raw: RawColumnRef[];
  close(): void;
}

/** Raw tags of raw_people and raw_visits, as the catalog would grant them. */
export const RAW_TAGS: RawColumnRef[] = [
  { table: "raw_people", column: "id", tags: ["pii:resident_id"] },
  { table: "raw_people", column: "mobile", tags: ["pii:mobile"] },
  { table: "raw_people", column: "card", tags: ["pii:bank_card"] },
  { table: "raw_people", column: "name", tags: ["pii:person_name"] },
  { table: "raw_people", column: "email", tags: ["pii:email"] },
  { table: "raw_people", column: "address", tags: ["pii:address"] },
  { table: "raw_people", column: "district", tags: ["quasi"] },
  { table: "raw_people", column: "age", tags: ["quasi"] },
  { table: "raw_people", column: "gender", tags: ["quasi"] },
  { table: "raw_people", column: "diagnosis", tags: ["sensitive"] },
  { table: "raw_people", column: "income", tags: ["sensitive"] },
  { table: "raw_people", column: "notes", tags: ["sensitive"] },
  { table: "raw_people", column: "city", tags: ["quasi"] },
  { table: "raw_people", column: "birth", tags: ["quasi"] },
  { table: "raw_people", column: "emp_no", tags: [] },
  { table: "raw_visits", column: "person_id", tags: ["pii:resident_id"] },
  { table: "raw_visits", column: "dept", tags: ["quasi"] },
  { table: "raw_visits", column: "cost", tags: ["sensitive"] },
];

/** The subject id the domain would give a resident ID (60 bits of SHA-256 of a secret and the key, as CONTRACT.md says). */
export function sid(key: string): bigint {
  return BigInt("0x" + createHash("sha256").update("test-subject-secret\u0000person\u0000" + key).digest("hex").slice(0, 15));
}

/** Builds raw_people (n rows) and raw_visits (3n rows, repeated person IDs) in a fresh in-memory DuckDB. */
export async function createVault(n = 400, seed = 20260101): Promise<Vault> {
  const rng = createRng(seed);
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const people: Person[] = [];
  const seen = new Set<string>();
  while (people.length < n) {
    const district = rng.pick(DISTRICTS);
    const gender = rng.next() < 0.5 ? "M" : "F";
    const id = fakeResidentId(rng, { districtCode: district, gender });
    if (seen.has(id)) continue;
    seen.add(id);
    people.push({
      id,
      mobile: fakeMobile(rng),
      card: fakeBankCard(rng),
      name: fakePersonName(rng),
      email: fakeEmail(rng),
      address: fakeAddress(rng, { districtCode: district }),
      district,
      age: rng.int(20, 69),
      gender,
      diagnosis: rng.pick(DIAGNOSES),
      income: Math.round(3000 + rng.next() * 30000),
      city: CITY[district.slice(0, 4)],
      birth: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
      // An employee number the PII tagger does not know: unique per person, untagged (role quasi).
      empNo: String(10000000 + ((people.length * 7919 + 104729) % 90000000)),
      notes: `患者主诉第${people.length + 1}号：${rng.pick(["头痛", "胸闷", "咳嗽", "乏力"])}${rng.int(1, 30)}天，复诊编号${rng.int(100000, 999999)}`,
    });
  }
  await conn.run(`CREATE TABLE raw_people (id VARCHAR, mobile VARCHAR, card VARCHAR, name VARCHAR, email VARCHAR,
    address VARCHAR, district VARCHAR, age INTEGER, gender VARCHAR, diagnosis VARCHAR, income DOUBLE, notes VARCHAR,
    city VARCHAR, birth DATE, emp_no VARCHAR, __sid BIGINT)`);
  const app = await conn.createAppender("raw_people");
  for (const p of people) {
    for (const s of [p.id, p.mobile, p.card, p.name, p.email, p.address, p.district]) app.appendVarchar(s);
    app.appendInteger(p.age);
    app.appendVarchar(p.gender);
    app.appendVarchar(p.diagnosis);
    app.appendDouble(p.income);
    app.appendVarchar(p.notes);
    app.appendVarchar(p.city);
    app.appendVarchar(p.birth);
    app.appendVarchar(p.empNo);
    app.appendBigInt(sid(p.id));
    app.endRow();
  }
  app.closeSync();
  await conn.run(`CREATE TABLE raw_visits (person_id VARCHAR, dept VARCHAR, cost DOUBLE, __sid BIGINT)`);
  const visits = await conn.createAppender("raw_visits");
  for (let i = 0; i < 3 * n; i++) {
    // Skewed: low indices visit more often, so the per-person visit histogram is a fingerprint.
    const p = people[Math.floor(n * rng.next() ** 2)];
    visits.appendVarchar(p.id);
    visits.appendVarchar(rng.pick(["内科", "外科", "儿科"]));
    visits.appendDouble(Math.round(50 + rng.next() * 2000));
    visits.appendBigInt(sid(p.id));
    visits.endRow();
  }
  visits.closeSync();
  return {
    instance,
    conn,
    people,
    raw: RAW_TAGS,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Column list of a table as runChecks wants it. */
export async function columnsOf(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  const r = await conn.runAndReadAll(`DESCRIBE SELECT * FROM "${table.replaceAll('"', '""')}"`);
  return r.getRowObjectsJS().map((x) => ({ name: String(x.column_name), type: String(x.column_type) }));
}

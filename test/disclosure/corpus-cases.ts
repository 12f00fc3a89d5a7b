/** Egress outputs that must be blocked and outputs that must pass without a block, over the shared vault. */
import { createHash } from "node:crypto";
import { toFullWidth, type CheckInput, type OutputTable } from "../../policies/disclosure/index.js";
import { columnsOf, type Vault } from "./vault-fixture.js";

export interface CorpusCase {
  name: string;
  /** The rule expected to block (block corpus only). */
  rule?: string;
  build(v: Vault, out: string): Promise<Partial<CheckInput>>;
}

/** Creates table `name` from `sql` and describes it as an output table. */
export async function table(v: Vault, name: string, sql: string, extra: Partial<OutputTable> = {}): Promise<OutputTable> {
  await v.conn.run(`CREATE OR REPLACE TABLE "${name}" AS ${sql}`);
  return { name, columns: await columnsOf(v.conn, name), ...extra };
}

/** Creates table `name`(k INTEGER, v VARCHAR) from host-computed values. */
async function hostTable(v: Vault, name: string, col: string, values: string[]): Promise<OutputTable> {
  await v.conn.run(`CREATE OR REPLACE TABLE "${name}" (k INTEGER, "${col}" VARCHAR)`);
  const app = await v.conn.createAppender(name);
  values.forEach((x, i) => {
    app.appendInteger(i);
    app.appendVarchar(x);
    app.endRow();
  });
  app.closeSync();
  return { name, columns: await columnsOf(v.conn, name) };
}

const hash = (alg: string, s: string) => createHash(alg).update(s, "utf8").digest("hex");
const shiftDigits = (s: string, k: number) => s.replace(/\d/g, (d) => String((Number(d) + k) % 10));

export const MUST_BLOCK: CorpusCase[] = [
  { name: "verbatim resident IDs", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT id AS pid, age FROM raw_people`)] }) },
  { name: "verbatim mobiles as BIGINT", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT CAST(mobile AS BIGINT) AS m, gender FROM raw_people`)] }) },
  { name: "base64 resident IDs", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT to_base64(encode(id)) AS token, diagnosis FROM raw_people`)] }) },
  { name: "hex mobiles (upper case)", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT hex(mobile) AS h FROM raw_people`)] }) },
  { name: "hex names (lower case)", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT lower(hex(name)) AS h, age FROM raw_people`)] }) },
  { name: "reversed bank cards", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT reverse(card) AS c FROM raw_people`)] }) },
  { name: "digit-shifted (+3) resident IDs", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await hostTable(v, o, "x", v.people.map((p) => shiftDigits(p.id, 3)))] }) },
  { name: "digit-shifted (+7) mobiles", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await hostTable(v, o, "x", v.people.map((p) => shiftDigits(p.mobile, 7)))] }) },
  { name: "full-width mobiles", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await hostTable(v, o, "x", v.people.map((p) => toFullWidth(p.mobile)))] }) },
  { name: "upper-cased e-mails", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT upper(email) AS e FROM raw_people`)] }) },
  { name: "base64 addresses", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT to_base64(encode(address)) AS a FROM raw_people`)] }) },
  { name: "IDs embedded in text cells", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT '患者' || id || '已复诊' AS note FROM raw_people`)] }) },
  { name: "IDs glued to letters and a suffix", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT 'ID' || id || '-m' AS tag FROM raw_people`)] }) },
  { name: "verbatim unique free-text notes", rule: "raw-values",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT notes, diagnosis FROM raw_people`)] }) },
  { name: "md5 of mobiles", rule: "hashed-identifiers",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT md5(mobile) AS hm FROM raw_people`)] }) },
  { name: "sha256 of resident IDs, upper hex", rule: "hashed-identifiers",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT upper(sha256(id)) AS hid, age FROM raw_people`)] }) },
  { name: "sm3 of bank cards", rule: "hashed-identifiers",
    build: async (v, o) => ({ outputTables: [await hostTable(v, o, "h", v.people.map((p) => hash("sm3", p.card)))] }) },
  { name: "sm3 of lower-cased resident IDs", rule: "hashed-identifiers",
    build: async (v, o) => ({ outputTables: [await hostTable(v, o, "h", v.people.map((p) => hash("sm3", p.id.toLowerCase())))] }) },
  { name: "bijective substitution cipher of IDs", rule: "one-to-one",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT translate(id, '0123456789X', 'QWERTYUIOPZ') AS code, gender FROM raw_people`)] }) },
  { name: "deterministic 64-bit hash of IDs (UBIGINT)", rule: "one-to-one",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT hash(id) AS hid, diagnosis FROM raw_people`)] }) },
  { name: "salted md5 per visit (repeated IDs keep their histogram)", rule: "one-to-one",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT md5('pepper' || person_id) AS who, dept FROM raw_visits ORDER BY random()`)] }) },
  { name: "k<5 extract of exact quasi-identifiers", rule: "k-anonymity",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT district, age, gender, diagnosis FROM raw_people`)] }) },
  { name: "renamed quasi-identifiers (unknown columns are quasi)", rule: "k-anonymity",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT age * 12 AS months, district AS d FROM raw_people`)] }) },
  { name: "k-anonymous but not l-diverse", rule: "l-diversity",
    build: async (v, o) => ({ outputTables: [await table(v, o, `SELECT gender, CASE WHEN gender = 'M' THEN '高血压' ELSE '糖尿病' END AS diagnosis FROM raw_people`)] }) },
  { name: "k-NN model holding the training rows", rule: "model-memorization",
    build: async (v) => ({ form: "model", outputTables: [], trainingRows: v.people.length,
      model: { type: "knn", k: 3, X: v.people.map((p) => [p.age, p.income]), y: v.people.map((p) => p.diagnosis) } }) },
  { name: "lookup-table model keyed on mobiles", rule: "model-raw-values",
    build: async (v) => ({ form: "model", outputTables: [],
      model: { type: "lookup", table: Object.fromEntries(v.people.slice(0, 50).map((p) => [p.mobile, p.income])) } }) },
  { name: "model storing ID numbers as numbers", rule: "model-raw-values",
    build: async (v) => ({ form: "model", outputTables: [], model: { bias: v.people.slice(0, 3).map((p) => Number(p.mobile)) } }) },
  { name: "report quoting a resident ID", rule: "raw-values",
    build: async (v) => ({ form: "report", outputTables: [], report: `异常记录：身份证${v.people[7].id}的患者费用偏高。` }) },
  { name: "logs printing a bank card", rule: "raw-values",
    build: async (v) => ({ form: "report", outputTables: [], report: "ok", logs: ["start", `debug row card=${v.people[3].card}`] }) },
  { name: "index of mobile numbers", rule: "raw-values",
    build: async (v) => ({ form: "index", outputTables: [], index: v.people.slice(0, 5).map((p) => Number(p.mobile)) }) },
];

export const MUST_PASS: CorpusCase[] = [
  // Table analyses moved to table-corpus.ts: tables are judged from the ledger, so they are built there with one.
  { name: "linear model with few parameters",
    build: async () => ({ form: "model", outputTables: [], model: { type: "linear", coef: [0.12, -3.4, 55.1], intercept: 2100.5, features: ["age", "gender", "district"] } }) },
  { name: "report with aggregate figures only",
    build: async () => ({ form: "report", outputTables: [], report: "2025年共就诊1200人次，平均费用1025.3元，高血压占比27.5%。", logs: ["rows=400", "done in 1.2s"] }) },
  { name: "index of monthly averages",
    build: async () => ({ form: "index", outputTables: [], index: [101.2, 99.8, 103.5, 100.0] }) },
];

/**
 * Table-side corpora over realistic fake PII (valid-checksum resident IDs, mobiles, bank cards,
 * GB/T 2260 districts, Chinese names): attacks that must be blocked and analyses a statistician
 * would run that must not be. Every accounted table is built the way the domain builds it: an
 * honest ledger of the query (ledger-fixture.ts), then the contract's staging mark; attacks that
 * edit, forge or assemble values therefore end `computed` the way they would in production.
 */
import { createHash } from "node:crypto";
import { applyRemedies, recordReleasedCells, ensureReleasedStore, type CheckInput, type OutputTable, type ReleasedCellsStore } from "../../policies/disclosure/index.js";
import { ledgerAggregate, ledgerRows, stage, type AggSpec, type GroupSpec } from "./gate-ledger-fixture.js";
import { RAW_TAGS, type Vault } from "./vault-fixture.js";

export interface TableCase {
  name: string;
  /** Rules any of which may rightly block it (attacks). */
  rules?: string[];
  build(v: Vault, id: string): Promise<Partial<CheckInput>>;
}

/** The ledger source of a raw column of raw_people/raw_visits, with its role from the catalog tags. */
export function src(column: string, table = "raw_people"): NonNullable<GroupSpec["source"]> {
  const tags = RAW_TAGS.find((r) => r.column === column && r.table === table)?.tags ?? [];
  const role = tags.some((t) => t.startsWith("pii:")) ? "identifier" : tags.includes("sensitive") ? "sensitive" : tags.includes("quasi") ? "quasi" : column === "cost" ? "measure" : "quasi";
  return { dataset: table === "raw_visits" ? "visits" : "people", column, role };
}
const g = (name: string, expr = name, source: GroupSpec["source"] = src(expr)): GroupSpec => ({ name, expr, source });
const count = (name = "n", sql = "count(*)"): AggSpec => ({ name, sql, agg: "count" });
const mean = (name: string, col: string): AggSpec => ({ name, sql: `avg(${col})`, agg: "avg", value: col, source: src(col) });
const total = (name: string, col: string): AggSpec => ({ name, sql: `sum(${col})`, agg: "sum", value: col, source: src(col) });
const stat = (name: string, sql: string, agg: AggSpec["agg"] = "dispersion"): AggSpec => ({ name, sql, agg });
const single = (name: string, sql: string, col: string): AggSpec => ({ name, sql, agg: "single", source: src(col) });

interface AggOpts { where?: string; from?: string; out?: (led: string, cols: string) => string; rollup?: boolean; dataset?: string }

/** An aggregate query accounted and returned by the model (as `out` rewrites it; default unchanged, rows shuffled). */
async function aggregate(v: Vault, id: string, groups: GroupSpec[], aggs: AggSpec[], o: AggOpts = {}): Promise<OutputTable> {
  const led = await ledgerAggregate(v.conn, id, { from: o.from ?? "raw_people", where: o.where, groups, aggs, dataset: o.dataset, ...(o.rollup ? { groupBy: "ROLLUP" as const } : {}) });
  const cols = [...groups, ...aggs].map((c) => `"${c.name}"`).join(", ");
  return stage(v.conn, id, o.out ? o.out(led.table, cols) : `SELECT ${cols} FROM ${led.table} ORDER BY random()`, led);
}

/** A row selection accounted and returned by the model (as `out` rewrites it). */
async function rows(v: Vault, id: string, columns: GroupSpec[], o: { where?: string; from?: string; sid?: string; out?: (led: string, cols: string) => string } = {}): Promise<OutputTable> {
  const led = await ledgerRows(v.conn, id, { from: o.from ?? "raw_people", where: o.where, columns, sid: o.sid });
  const cols = columns.map((c) => `"${c.name}"`).join(", ");
  return stage(v.conn, id, o.out ? o.out(led.table, cols) : `SELECT ${cols} FROM ${led.table}`, led, "accounted-rows");
}

/** A fresh released-cells store for one case, with `tables` already released by organisation `org`. */
async function releasedBy(v: Vault, id: string, org: string, tables: OutputTable[]): Promise<ReleasedCellsStore> {
  const store = { cells: `rc_${id}`, subjects: `rcs_${id}` };
  await ensureReleasedStore(v.conn, store);
  await recordReleasedCells({ conn: v.conn, form: "dataset", outputTables: tables, raw: v.raw }, { egress: `egr-${id}`, org, scenario: "sc-earlier", at: "2026-06-01" }, store);
  return store;
}

const one = (v: Vault, i = 7) => `'${v.people[i].empNo}'`;
const few = (v: Vault, n: number) => v.people.slice(10, 10 + n).map((p) => `'${p.empNo}'`).join(", ");
const hex = (s: string) => Buffer.from(s).toString("hex");

export const TABLE_ATTACKS: TableCase[] = [
  // Groups of one, however the count is dressed.
  { name: "groups of one: count by employee number (an identifier the tagger missed)", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("emp_no")], [count()])] }) },
  { name: "groups of one padded with forged counts (model multiplies n by 10)", rules: ["computed-table"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("emp_no")], [count()], { out: (l) => `SELECT emp_no, n * 10 AS n FROM ${l}` })] }) },
  { name: "groups of one padded in SQL: count(*) + 9", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("birth")], [count("n", "count(*) + 9")])] }) },
  { name: "visits inflate rows, not subjects: district × age × dept visit counts × 100", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("district", "district", src("district")), g("age", "age", src("age")), g("dept", "dept", src("dept", "raw_visits"))], [count("visits", "count(*) * 100")],
      { from: "raw_visits v JOIN (SELECT id, age, district, __sid AS psid FROM raw_people) p ON p.id = v.person_id" })] }) },
  { name: "exact birth date × gender counts", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("birth"), g("gender")], [count("total")])] }) },
  { name: "mean income by exact birth date (a 'mean' of one person)", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("birth")], [count(), mean("mean_income", "income")])] }) },
  { name: "sum of income by hash buckets of the employee number", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("bucket", "hash(emp_no) % 50000", undefined)], [total("s", "income")])] }) },
  { name: "a rare combination filter: count by diagnosis for one age, district and gender", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("diagnosis")], [count()], { where: `age = 69 AND district = '110105' AND gender = 'F'` })] }) },
  { name: "ROLLUP whose detail rows are single people", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city"), g("birth")], [count()], { rollup: true })] }) },
  { name: "count cast to DOUBLE and named 'total' for groups of one", rules: ["cell-subjects"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("emp_no")], [count("total", "CAST(count(*) AS DOUBLE)")])] }) },
  { name: "counts forged by the model: every city shows 100", rules: ["computed-table"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [count()], { out: (l) => `SELECT city, 100 AS n FROM ${l}` })] }) },
  // Computed by code.
  { name: "mean income computed in JS from a row query", rules: ["computed-table", "identifier-equivalent"],
    build: async (v, id) => {
      const r = await rows(v, `${id}_r`, [g("city"), g("income")]);
      return { outputTables: [await stage(v.conn, id, `SELECT city, avg(income) AS mean_income FROM ${r.name} GROUP BY city`)] };
    } },
  { name: "columns of two queries glued together by the model", rules: ["computed-table"],
    build: async (v, id) => {
      const a = await aggregate(v, `${id}_a`, [g("city")], [count()]);
      const led = a.mark!.ledger!;
      return { outputTables: [await stage(v.conn, id, `SELECT city, n, n * 0 + 1 AS extra FROM ${a.name}`, led)] };
    } },
  { name: "a row selection edited by the model (one value changed)", rules: ["computed-table"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("city"), g("diagnosis")], { out: (l, c) => `SELECT ${c.replace('"diagnosis"', `CASE WHEN __row = 1 THEN 'x' ELSE diagnosis END AS diagnosis`)} FROM ${l}` })] }) },
  { name: "base64 of free-text notes built in JS", rules: ["computed-table", "raw-values"],
    build: async (v, id) => ({ outputTables: [await stage(v.conn, id, `SELECT to_base64(encode(notes)) AS t FROM raw_people`)] }) },
  { name: "hex resident IDs built in JS (no query may return them)", rules: ["computed-table", "raw-values"],
    build: async (v, id) => ({ outputTables: [await stage(v.conn, id, `SELECT * FROM (VALUES ${v.people.slice(0, 50).map((p) => `('${hex(p.id)}')`).join(", ")}) t(h)`)] }) },
  { name: "a mark whose ledger lacks one of the output's columns", rules: ["computed-table"],
    build: async (v, id) => {
      const t = await aggregate(v, id, [g("city")], [count()]);
      await v.conn.run(`ALTER TABLE ${t.name} ADD COLUMN leak VARCHAR DEFAULT 'x'`);
      return { outputTables: [{ ...t, columns: [...t.columns, { name: "leak", type: "VARCHAR" }] }] };
    } },
  { name: "a ledger map that skips a row (fail closed)", rules: ["cell-subjects"],
    build: async (v, id) => {
      const t = await aggregate(v, id, [g("city")], [count()]);
      await v.conn.run(`DELETE FROM ${t.mark!.map} WHERE out_row = 1`);
      return { outputTables: [t] };
    } },
  { name: "duplicated rows: the model repeats every row of a small selection five times", rules: ["computed-table", "k-anonymity"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("city"), g("age"), g("gender")], { where: "age = 69", out: (l, c) => `SELECT ${c} FROM ${l}, range(5)` })] }) },
  // Record-level outputs: k over subjects, identifier-equivalents.
  { name: "duplicated rows via a join to visits fake k: district × age", rules: ["k-anonymity"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("district", "p.district", src("district")), g("age", "p.age", src("age"))], { from: "raw_visits v JOIN raw_people p ON p.id = v.person_id", sid: "p.__sid" })] }) },
  { name: "exact quasi-identifiers: district, age, gender, diagnosis", rules: ["k-anonymity", "l-diversity"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("district"), g("age"), g("gender"), g("diagnosis")])] }) },
  ...(
    [
      ["employee numbers verbatim", "emp_no"],
      ["employee numbers × 7 + 3", "CAST(emp_no AS BIGINT) * 7 + 3"],
      ["md5 of employee numbers", "md5(emp_no)"],
      ["sha256 of free-text notes", "sha256(notes)"],
      ["a digit substitution cipher of employee numbers", "translate(emp_no, '0123456789', '7318046295')"],
      ["employee numbers XOR a constant key", "xor(CAST(emp_no AS BIGINT), 48879)"],
      ["base64 of employee numbers", "to_base64(encode(emp_no))"],
      ["reversed employee numbers", "reverse(emp_no)"],
      ["income with the employee number in its low-order digits", "income + CAST(emp_no AS BIGINT) % 1000 / 1000.0"],
      ["exact birth dates shifted by 17 days", "birth + 17"],
      ["free-text notes verbatim", "notes"],
      ["exact income per person", "income"],
      ["hex of employee numbers", "hex(emp_no)"],
      ["employee number as a float with a scale", "CAST(emp_no AS DOUBLE) / 1e8"],
    ] as const
  ).map(([name, expr]): TableCase => ({
    name: `identifier-equivalent: ${name}`, rules: ["identifier-equivalent", "k-anonymity", "raw-values"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("k", expr, undefined), g("diagnosis")])] }),
  })),
  { name: "employee-number digits split over four columns", rules: ["k-anonymity"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [0, 2, 4, 6].map((i) => g(`d${i}`, `substr(emp_no, ${i + 1}, 2)`, undefined)))] }) },
  { name: "l-diversity: cities of people filtered to one diagnosis", rules: ["l-diversity"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("city"), g("diagnosis")], { where: "diagnosis = '高血压'" })] }) },
  { name: "l-diversity: age band × gender where everyone over 65 shares a diagnosis", rules: ["l-diversity", "k-anonymity"],
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("band", "CASE WHEN age >= 65 THEN 65 ELSE age - age % 10 END", undefined), g("gender"), g("diagnosis")], { where: "(age >= 65 AND diagnosis = '哮喘') OR age < 65" })] }) },
  // Differencing on subject sets.
  { name: "across two organisations: count by city minus one person", rules: ["differencing"],
    build: async (v, id) => {
      const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [g("city")], [count()])]);
      return { released, outputTables: [await aggregate(v, id, [g("city")], [count()], { where: `emp_no <> ${one(v)}` })] };
    } },
  { name: "across two organisations: sum of income by city minus one person, columns renamed", rules: ["differencing"],
    build: async (v, id) => {
      const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [g("city")], [count(), total("income_sum", "income")])]);
      return { released, outputTables: [await aggregate(v, id, [g("地区", "city")], [count("人数"), total("收入", "income")], { where: `emp_no <> ${one(v, 3)}` })] };
    } },
  { name: "across two organisations: the grand total minus three people", rules: ["differencing"],
    build: async (v, id) => {
      const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [], [count()])]);
      return { released, outputTables: [await aggregate(v, id, [], [count("everyone")], { where: `emp_no NOT IN (${few(v, 3)})` })] };
    } },
  { name: "across releases: categories relabelled (cities coded A–D), one person fewer", rules: ["differencing"],
    build: async (v, id) => {
      const released = await releasedBy(v, id, "orgB", [await aggregate(v, `${id}_a`, [g("city")], [count()])]);
      return { released, outputTables: [await aggregate(v, id, [g("code", "CASE city WHEN '杭州市' THEN 'A' WHEN '北京市' THEN 'B' WHEN '成都市' THEN 'C' ELSE 'D' END", src("city"))], [count()], { where: `emp_no <> ${one(v, 11)}` })] };
    } },
  { name: "across releases: ROLLUP totals then the same ROLLUP minus two people", rules: ["differencing"],
    build: async (v, id) => {
      const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [g("city"), g("gender")], [count()], { rollup: true })]);
      return { released, outputTables: [await aggregate(v, id, [g("city"), g("gender")], [count()], { rollup: true, where: `emp_no NOT IN (${few(v, 2)})` })] };
    } },
  { name: "within one release: the total against the total minus two", rules: ["differencing"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, `${id}_a`, [], [count()]), await aggregate(v, id, [], [count()], { where: `emp_no NOT IN (${few(v, 2)})` })] }) },
  { name: "within one release: count by city and by relabelled city without one person", rules: ["differencing"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, `${id}_a`, [g("city")], [count()]), await aggregate(v, id, [g("c", "lower(city)", src("city"))], [count("k")], { where: `emp_no <> ${one(v, 5)}` })] }) },
  { name: "within one release: mean income of everyone and of everyone but one", rules: ["differencing"],
    build: async (v, id) => ({ outputTables: [await aggregate(v, `${id}_a`, [], [count(), mean("m", "income")]), await aggregate(v, id, [], [count(), mean("m", "income")], { where: `emp_no <> ${one(v, 9)}` })] }) },
  { name: "within one release: a margin (count by gender) against cells filtered by age ≠ oldest few", rules: ["differencing"],
    build: async (v, id) => {
      const oldest = (await v.conn.runAndReadAll(`SELECT max(age) AS a, count(*) FILTER (WHERE age = (SELECT max(age) FROM raw_people) AND gender = 'F') AS n FROM raw_people`)).getRowObjectsJS()[0];
      // Drop just enough of the oldest women that 1–4 leave the F cell.
      return { outputTables: [await aggregate(v, `${id}_a`, [g("gender")], [count()]),
        await aggregate(v, id, [g("gender")], [count()], { where: `NOT (gender = 'F' AND emp_no IN (SELECT emp_no FROM raw_people WHERE age = ${Number(oldest.a)} AND gender = 'F' ORDER BY emp_no LIMIT 3))` })] };
    } },
  // Single-subject statistics of grade-4 data.
  { name: "maximum income by city (grade 4)", rules: ["single-subject"],
    build: async (v, id) => ({ grade: 4, outputTables: [await aggregate(v, id, [g("city")], [count(), single("top", "max(income)", "income")])] }) },
  { name: "median income by gender (grade 4)", rules: ["single-subject"],
    build: async (v, id) => ({ grade: 4, outputTables: [await aggregate(v, id, [g("gender")], [count(), single("med", "median(income)", "income")])] }) },
  { name: "string_agg of diagnoses by city (grade 4)", rules: ["single-subject"],
    build: async (v, id) => ({ grade: 4, outputTables: [await aggregate(v, id, [g("city")], [single("all_dx", "string_agg(diagnosis, ',' ORDER BY emp_no)", "diagnosis")])] }) },
];

/** Counts and means a statistician would release: none may be blocked. */
export const TABLE_LEGIT: TableCase[] = [
  { name: "JS model: select city, count(*) as n, avg(income) as mean_income from people group by city (count arrives as DOUBLE)",
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [count("n", "CAST(count(*) AS DOUBLE)"), mean("mean_income", "income")])] }) },
  { name: "count named 'people'", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [count("people")])] }) },
  { name: "count named 人数 by district", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("district")], [count("人数")])] }) },
  { name: "count and mean named x1 and y", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("gender")], [count("x1"), mean("y", "income")])] }) },
  { name: "district × gender counts", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("district"), g("gender")], [count()])] }) },
  { name: "crosstab city × diagnosis", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city"), g("diagnosis")], [count()])] }) },
  { name: "age histogram in 10-year bands", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("band", "age - age % 10", src("age"))], [count()])] }) },
  { name: "income histogram (5,000 bands) by city", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city"), g("band", "floor(income / 5000) * 5000", src("income"))], [count()], { where: "income < 33000" })] }) },
  { name: "median income by city (a single-subject statistic: reviewed, not blocked)",
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [count(), single("median_income", "median(income)", "income")])] }) },
  { name: "quartiles of income by city", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [single("q", "quantile_cont(income, [0.25, 0.5, 0.75])", "income")])] }) },
  { name: "percentage of women by city", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [count(), { name: "pct_female", sql: "avg(CASE WHEN gender = 'F' THEN 100.0 ELSE 0 END)", agg: "avg", value: "CASE WHEN gender = 'F' THEN 100.0 ELSE 0 END" }])] }) },
  { name: "correlation matrix (age, income)", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [], [stat("r_age_income", "corr(age, income)"), stat("r_age_age", "corr(age, age)"), count()])] }) },
  { name: "regression of income on age by gender (slope, intercept, r²)", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("gender")], [stat("slope", "regr_slope(income, age)"), stat("intercept", "regr_intercept(income, age)"), stat("r2", "regr_r2(income, age)"), count()])] }) },
  { name: "logistic-regression sufficient statistics by diagnosis", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("diagnosis")], [count(), total("sx", "age"), { name: "sxx", sql: "sum(age * age)", agg: "sum", value: "age * age" }, { name: "sxy", sql: "sum(age * (gender = 'F')::INT)", agg: "sum", value: "age * (gender = 'F')::INT" }])] }) },
  { name: "counts rounded to tens", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city"), g("gender")], [count("n", "round(count(*), -1)")])] }) },
  { name: "distinct patients per department (count distinct of the key)", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("dept", "dept", src("dept", "raw_visits"))], [{ name: "patients", sql: "count(DISTINCT person_id)", agg: "count_distinct" }], { from: "raw_visits", dataset: "visits" })] }) },
  { name: "mean visit cost by department", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("dept", "dept", src("dept", "raw_visits"))], [count("visits"), mean("mean_cost", "cost")], { from: "raw_visits", dataset: "visits" })] }) },
  { name: "total income by city", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [count(), total("income_total", "income")])] }) },
  { name: "standard deviation of income by gender", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("gender")], [count(), stat("sd", "stddev_samp(income)")])] }) },
  { name: "decision-tree leaves (age < 40 × gender): counts, mean income, share with hypertension",
    build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("leaf", "CASE WHEN age < 40 THEN 'young' ELSE 'older' END", src("age")), g("gender")],
      [count(), mean("mean_income", "income"), { name: "p_htn", sql: "avg((diagnosis = '高血压')::INT)", agg: "avg", value: "(diagnosis = '高血压')::INT" }])] }) },
  { name: "city × gender with ROLLUP totals", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city"), g("gender")], [count()], { rollup: true })] }) },
  { name: "two tables in one release: counts by city and by gender", build: async (v, id) => ({ outputTables: [await aggregate(v, `${id}_a`, [g("city")], [count()]), await aggregate(v, id, [g("gender")], [count()])] }) },
  { name: "the same table another organisation already released", build: async (v, id) => {
    const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [g("city")], [count()])]);
    return { released, outputTables: [await aggregate(v, id, [g("city")], [count()])] };
  } },
  { name: "adults only (everyone is an adult) against an earlier total", build: async (v, id) => {
    const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [], [count()])]);
    return { released, outputTables: [await aggregate(v, id, [], [count()], { where: "age >= 18" })] };
  } },
  { name: "under-45s by city after an earlier all-ages release", build: async (v, id) => {
    const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [g("city")], [count()])]);
    return { released, outputTables: [await aggregate(v, id, [g("city")], [count()], { where: "age < 45" })] };
  } },
  { name: "record-level k-anonymous, l-diverse extract (city, 20-year band, gender, diagnosis)",
    build: async (v, id) => ({ outputTables: [await rows(v, id, [g("city"), g("band", "age - age % 20", undefined), g("gender"), g("diagnosis")])] }) },
  { name: "record-level extract with a gate-made keyed pseudonym (reviewed as linkable)",
    build: async (v, id) => {
      const t = await rows(v, id, [g("pid", "md5('domain-secret' || emp_no)", undefined), g("city"), g("diagnosis")]);
      return { outputTables: [t], pseudonymized: [{ table: t.name, column: "pid" }] };
    } },
  { name: "youngest and oldest age by city (single-subject, reviewed at grade 2)",
    build: async (v, id) => ({ grade: 2, outputTables: [await aggregate(v, id, [g("city")], [count(), single("min_age", "min(age)", "age"), single("max_age", "max(age)", "age")])] }) },
  { name: "count by city × oldest band, small cells suppressed by the suppress-small remedy",
    build: async (v, id) => {
      const t = await aggregate(v, id, [g("city"), g("band", "CASE WHEN age >= 69 THEN '69' ELSE '<69' END", src("age"))], [count()], { where: "age >= 68 OR age < 30" });
      await applyRemedies({ conn: v.conn, form: "dataset", outputTables: [t], raw: v.raw }, ["suppress-small", "round5"]);
      return { outputTables: [t] };
    } },
  { name: "mean age by diagnosis", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("diagnosis")], [count(), mean("mean_age", "age")])] }) },
  { name: "patients by city from visits joined to people (count distinct)", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city", "city", src("city"))], [{ name: "patients", sql: "count(DISTINCT person_id)", agg: "count_distinct" }, count("visits")],
    { from: "raw_visits v JOIN (SELECT id, city, __sid AS psid FROM raw_people) p ON p.id = v.person_id" })] }) },
  { name: "ratio of mean income to mean age by city", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("city")], [stat("ratio", "avg(income) / avg(age)"), count()])] }) },
  { name: "5-year age histogram", build: async (v, id) => ({ outputTables: [await aggregate(v, id, [g("age5", "floor(age / 5) * 5", src("age"))], [count("freq")])] }) },
  { name: "people counts released earlier; visits by department now (another dataset)", build: async (v, id) => {
    const released = await releasedBy(v, id, "orgA", [await aggregate(v, `${id}_a`, [g("city")], [count()])]);
    return { released, outputTables: [await aggregate(v, id, [g("dept", "dept", src("dept", "raw_visits"))], [{ name: "patients", sql: "count(DISTINCT person_id)", agg: "count_distinct" }], { from: "raw_visits", dataset: "visits" })] };
  } },
];

/** SHA-256 hex (for corpora that compare with host-computed values). */
export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

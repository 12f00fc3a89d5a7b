/** The table rules decide from the ledger: subject thresholds, contributions, subject-set differencing, record-level subjects, remedies. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyRemedies,
  canonicalReleaseSql,
  ensureReleasedStore,
  recordReleasedCells,
  runChecks,
  type CheckInput,
  type Finding,
  type OutputTable,
} from "../../policies/disclosure/index.js";
import { ledgerAggregate, ledgerRows, stage } from "./gate-ledger-fixture.js";
import { createVault, type Vault } from "./vault-fixture.js";

let v: Vault;
beforeAll(async () => {
  v = await createVault(400, 5);
  // Magnitude microdata with subjects: sector A has one dominant firm, B many equal ones, C two firms at 50/40 plus small ones.
  await v.conn.run(`CREATE TABLE raw_firms AS SELECT sector, revenue, row_number() OVER () AS __sid FROM (VALUES
    ('A', 1000.0), ('A', 10.0), ('A', 10.0), ('A', 10.0), ('A', 10.0), ('A', 10.0),
    ('B', 100.0), ('B', 100.0), ('B', 100.0), ('B', 100.0), ('B', 100.0), ('B', 100.0),
    ('C', 50.0), ('C', 40.0), ('C', 2.0), ('C', 2.0), ('C', 2.0), ('C', 2.0)) t(sector, revenue)`);
});
afterAll(() => v.close());

const Q = (column: string) => ({ dataset: "people", column, role: "quasi" });
const S = (column: string) => ({ dataset: "people", column, role: "sensitive" });
const findings = (outputTables: OutputTable[], extra: Partial<CheckInput> = {}) => runChecks({ conn: v.conn, form: "dataset", outputTables, raw: v.raw, ...extra });
const of = (f: Finding[], rule: string, severity?: string) => f.filter((x) => x.rule === rule && x.severity !== "pass" && (!severity || x.severity === severity));

/** A JS-model style aggregate: the model returns the ledger's own result (any names it likes for nothing else). */
async function agg(id: string, groups: { name: string; expr: string; source?: { dataset: string; column: string; role: string } }[], aggs: Parameters<typeof ledgerAggregate>[2]["aggs"], where?: string, from = "raw_people") {
  const led = await ledgerAggregate(v.conn, id, { from, groups, aggs, where });
  const cols = [...groups.map((g) => `"${g.name}"`), ...aggs.map((a) => `"${a.name}"`)].join(", ");
  return stage(v.conn, id, `SELECT ${cols} FROM ${led.table} ORDER BY random()`, led);
}

describe("cell-subjects: thresholds on the ledger's distinct subjects", () => {
  it("R6: the JS-model group-by by city (count, mean income) passes with no block whatever the count is named or typed", async () => {
    for (const [i, n] of ["n", "people", "人数", "x1"].entries()) {
      const t = await agg(`city${i}`, [{ name: "city", expr: "city", source: Q("city") }],
        [{ name: n, sql: "CAST(count(*) AS DOUBLE)", agg: "count" }, { name: "mean_income", sql: "avg(income)", agg: "avg", value: "income", source: S("income") }]);
      expect(t.mark?.kind).toBe("accounted-aggregate");
      const f = await findings([t]);
      expect(f.filter((x) => x.severity === "block"), n).toEqual([]);
    }
  });
  it("R1: blocks cells under k subjects and reviews under 10, counted by the ledger not by the count column", async () => {
    // Visits: count(*) counts visits (large) while the subjects behind a cell are few.
    const t = await agg("visits1", [{ name: "age", expr: "p.age", source: Q("age") }, { name: "dept", expr: "v.dept", source: Q("dept") }],
      [{ name: "visits", sql: "count(*) * 100", agg: "count" }], undefined, "raw_visits v JOIN (SELECT id, age FROM raw_people) p ON p.id = v.person_id");
    const f = await findings([t]);
    const b = of(f, "cell-subjects", "block");
    expect(b).toHaveLength(1);
    expect(b[0].subjects!.every((n) => n < 5)).toBe(true);
    expect(b[0].remedy?.apply).toContain("suppress-small");
    expect(b[0].zh).toMatch(/主体/);
    expect(of(await findings([t], { thresholds: { k: 2, minCellCount: 2 } }), "cell-subjects", "block").length).toBeLessThanOrEqual(1);
  });
  it("review threshold is configurable; the finding names the table and the cells' subject counts", async () => {
    const t = await agg("band1", [{ name: "band", expr: "CASE WHEN age < 22 THEN 'a' ELSE 'b' END" }], [{ name: "n", sql: "count(*)", agg: "count" }], "age < 22 OR age > 60");
    const counts = (await v.conn.runAndReadAll(`SELECT count(*) FILTER (WHERE age < 22) AS a FROM raw_people`)).getRowObjectsJS()[0];
    const a = Number(counts.a);
    const f = of(await findings([t]), "cell-subjects");
    if (a >= 5 && a < 10) expect(f[0]).toMatchObject({ severity: "review", table: "band1", subjects: [a] });
    expect(of(await findings([t], { thresholds: { minCellCount: 5 } }), "cell-subjects", "review")).toEqual([]);
  });
  it("R1: an output row the map does not cover blocks (fail closed)", async () => {
    const t = await agg("unmapped", [{ name: "city", expr: "city", source: Q("city") }], [{ name: "n", sql: "count(*)", agg: "count" }]);
    await v.conn.run(`DELETE FROM ${t.mark!.map} WHERE out_row = 0`);
    expect(of(await findings([t]), "cell-subjects", "block")[0].detail).toMatch(/no ledger row/);
  });
});

describe("dominance and p% from the ledger's contributions", () => {
  it("R6: flags dominated cells, whatever the sum column is named", async () => {
    const led = await ledgerAggregate(v.conn, "dom1", { from: "raw_firms", groups: [{ name: "sector", expr: "sector", source: Q("sector") }],
      aggs: [{ name: "n", sql: "count(*)", agg: "count" }, { name: "whatever", sql: "sum(revenue)", agg: "sum", value: "revenue", source: S("revenue") }] });
    const t = await stage(v.conn, "dom1", `SELECT sector, n, whatever FROM ${led.table}`, led);
    const f = await findings([t]);
    const dom = of(f, "dominance");
    expect(dom).toHaveLength(1);
    expect((dom[0].cells as { sector: string }[]).map((c) => c.sector).sort()).toEqual(["A", "C"]);
    const p = of(f, "p-percent");
    // C: 100 − 50 − 40 = 10 ≥ 10 % of 50, so only A fails p%.
    expect((p[0].cells as { sector: string }[]).map((c) => c.sector)).toEqual(["A"]);
  });
});

describe("single-subject statistics", () => {
  it("review on quasi/sensitive columns, block at grade 4, nothing on measures", async () => {
    const t = await agg("single1", [{ name: "city", expr: "city", source: Q("city") }],
      [{ name: "top", sql: "max(income)", agg: "single", source: S("income") }, { name: "n", sql: "count(*)", agg: "count" }]);
    expect(of(await findings([t]), "single-subject", "review")).toHaveLength(1);
    expect(of(await findings([t], { grade: 4 }), "single-subject", "block")).toHaveLength(1);
    const m = await agg("single2", [{ name: "city", expr: "city" }], [{ name: "top", sql: "max(income)", agg: "single", source: { dataset: "people", column: "income", role: "measure" } }]);
    expect(of(await findings([m]), "single-subject")).toEqual([]);
  });
});

describe("computed tables", () => {
  it("R1: a table the model built is blocked with the way out", async () => {
    await v.conn.run(`CREATE OR REPLACE TABLE comp1 AS SELECT 'x' AS city, 100 AS n, 0 AS __out_row`);
    const f = await findings([{ name: "comp1", columns: [{ name: "city", type: "VARCHAR" }, { name: "n", type: "INTEGER" }] }]);
    expect(of(f, "computed-table", "block")[0].detail).toMatch(/ctx\.query/);
    expect(of(f, "computed-table", "block")[0].zh).toMatch(/ctx\.query/);
  });
  it("R1: forged values (counts padded by the model) do not match the ledger and end computed", async () => {
    const led = await ledgerAggregate(v.conn, "forge1", { from: "raw_people", groups: [{ name: "emp_no", expr: "emp_no" }], aggs: [{ name: "n", sql: "count(*)", agg: "count" }] });
    const t = await stage(v.conn, "forge1", `SELECT emp_no, n * 10 AS n FROM ${led.table}`, led);
    expect(t.mark?.kind).toBe("computed");
    expect(of(await findings([t]), "computed-table", "block")).toHaveLength(1);
    // Honest, the same table is blocked by its subject counts instead.
    const honest = await stage(v.conn, "forge1b", `SELECT emp_no, n FROM ${led.table}`, led);
    expect(of(await findings([honest]), "cell-subjects", "block")).toHaveLength(1);
  });
});

describe("record-level outputs count subjects", () => {
  it("R1: duplicated rows (a join to visits) do not fake k", async () => {
    const led = await ledgerRows(v.conn, "dup1", { from: "raw_visits v JOIN raw_people p ON p.id = v.person_id", sid: "p.__sid", columns: [{ name: "district", expr: "p.district", source: Q("district") }, { name: "age", expr: "p.age", source: Q("age") }] });
    // __sid of the joined row: the ledger's is the person's (visits and people share the key).
    const t = await stage(v.conn, "dup1", `SELECT district, age FROM ${led.table}`, led, "accounted-rows");
    const rowsPerClass = await v.conn.runAndReadAll(`SELECT count(*) AS m FROM (SELECT district, age FROM ${led.table} GROUP BY district, age HAVING count(*) >= 5 AND count(DISTINCT __sid) < 5)`);
    expect(Number(rowsPerClass.getRowObjectsJS()[0].m)).toBeGreaterThan(0);
    expect(of(await findings([t]), "k-anonymity", "block")).toHaveLength(1);
  });
  it("R1: an identifier-equivalent column blocks whatever transform made it; a gate pseudonym is reviewed", async () => {
    for (const [i, expr] of ["CAST(emp_no AS BIGINT) * 7 + 3", "md5(emp_no)", "strftime(birth + 17, '%Y%m%d')"].entries()) {
      const led = await ledgerRows(v.conn, `ie${i}`, { from: "raw_people", columns: [{ name: "k", expr }, { name: "gender", expr: "gender", source: S("gender") }] });
      const t = await stage(v.conn, `ie${i}`, `SELECT k, gender FROM ${led.table}`, led, "accounted-rows");
      expect(of(await findings([t]), "identifier-equivalent", "block"), expr).toHaveLength(1);
      const p = of(await findings([t], { pseudonymized: [{ table: t.name, column: "k" }] }), "identifier-equivalent");
      expect(p.map((x) => x.severity)).toEqual(["review"]);
    }
  });
  it("l-diversity over a sensitive column", async () => {
    const led = await ledgerRows(v.conn, "ld1", { from: "raw_people", where: "diagnosis = '高血压'", columns: [{ name: "city", expr: "city", source: Q("city") }, { name: "diagnosis", expr: "diagnosis", source: S("diagnosis") }] });
    const t = await stage(v.conn, "ld1", `SELECT city, diagnosis FROM ${led.table}`, led, "accounted-rows");
    expect(of(await findings([t]), "l-diversity", "block")).toHaveLength(1);
  });
});

describe("differencing on subject sets", () => {
  const cityCount = (id: string, where?: string, label = "city") =>
    agg(id, [{ name: label, expr: "city", source: Q("city") }], [{ name: "n", sql: "count(*)", agg: "count" }], where);
  it("R1: across two organisations' releases, a one-subject difference is blocked whatever the columns are called", async () => {
    const store = { cells: "rc_a", subjects: "rcs_a" };
    await ensureReleasedStore(v.conn, store);
    const first = await cityCount("d1");
    expect(await recordReleasedCells({ conn: v.conn, form: "dataset", outputTables: [first], raw: v.raw }, { egress: "egr-1", org: "orgA", scenario: "s1", at: "2026-01-01" }, store)).toBe(4);
    const one = v.people[3].empNo;
    const second = await cityCount("d2", `emp_no <> '${one}'`, "地区");
    const f = of(await findings([second], { released: store }), "differencing", "block");
    expect(f).toHaveLength(1);
    expect(f[0].detail).toMatch(/orgA/);
    // The same population again is not a difference.
    expect(of(await findings([await cityCount("d3")], { released: store }), "differencing")).toEqual([]);
  });
  it("R1: within one request, a total against the total minus a few", async () => {
    const total = await agg("w1", [], [{ name: "n", sql: "count(*)", agg: "count" }]);
    const most = await agg("w2", [], [{ name: "n", sql: "count(*)", agg: "count" }], `emp_no NOT IN ('${v.people[1].empNo}', '${v.people[2].empNo}')`);
    expect(of(await findings([total, most]), "differencing", "block")).toHaveLength(1);
    const half = await agg("w3", [], [{ name: "n", sql: "count(*)", agg: "count" }], "age < 45");
    expect(of(await findings([total, half]), "differencing")).toEqual([]);
  });
});

describe("remedies", () => {
  it("suppress-small blanks small cells and enough others that no line has one suppressed cell; re-check passes", async () => {
    const t = await agg("rem1", [{ name: "city", expr: "city", source: Q("city") }, { name: "band", expr: "CASE WHEN age >= 68 THEN 'old' ELSE 'rest' END", source: Q("age") }],
      [{ name: "n", sql: "count(*)", agg: "count" }]);
    expect(of(await findings([t]), "cell-subjects", "block").length).toBeGreaterThan(0);
    const r = await applyRemedies({ conn: v.conn, form: "dataset", outputTables: [t], raw: v.raw }, ["suppress-small", "round5"]);
    expect(r[0].primary).toBeGreaterThan(0);
    expect(r[0].secondary).toBeGreaterThan(0);
    const after = await findings([t]);
    expect(after.filter((x) => x.severity === "block")).toEqual([]);
    const lines = await v.conn.runAndReadAll(`SELECT band, count(*) FILTER (WHERE n IS NULL) AS s FROM rem1 GROUP BY band UNION ALL SELECT city, count(*) FILTER (WHERE n IS NULL) FROM rem1 GROUP BY city`);
    expect(lines.getRowObjectsJS().every((x) => Number(x.s) !== 1)).toBe(true);
    const ns = await v.conn.runAndReadAll(`SELECT n FROM rem1 WHERE n IS NOT NULL`);
    expect(ns.getRowObjectsJS().every((x) => Number(x.n) % 5 === 0)).toBe(true);
  });
});

describe("canonical release", () => {
  it("orders rows canonically and rounds floats to 6 significant digits", async () => {
    await v.conn.run(`CREATE OR REPLACE TABLE can1 AS SELECT * FROM (VALUES ('b', 1234.56789123::DOUBLE, 3), ('a', 0.000123456789::DOUBLE, 1)) t(k, x, __out_row)`);
    const sql = canonicalReleaseSql("can1", [{ name: "k", type: "VARCHAR" }, { name: "x", type: "DOUBLE" }, { name: "__out_row", type: "INTEGER" }]);
    const rows = (await v.conn.runAndReadAll(sql)).getRowObjectsJS();
    expect(rows).toEqual([{ k: "a", x: 0.000123457 }, { k: "b", x: 1234.57 }]);
  });
});

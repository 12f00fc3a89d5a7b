import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bandWidth, looksLikeDistricts, toBand } from "../../policies/sample/generalise.js";
import { buildSample, type SampleColumn } from "../../policies/sample/index.js";
import { createRawTable, MENU, openTempDb, type TempDb } from "./raw-tables.js";

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
  await db.conn.run(`CREATE TABLE typed AS SELECT
      TIMESTAMPTZ '1990-05-01 12:00:00+08' + to_days(CAST(i * 37 AS INTEGER)) AS seen_at,
      CAST(i % 2 = 0 AS BOOLEAN) AS member,
      CAST(1 + i % 2 AS INTEGER) AS sex,
      CAST(12345.67 + i * 1.01 AS DECIMAL(12, 2)) AS balance,
      CAST(170141183460469231731687303715884105727 - i AS HUGEINT) AS big,
      [i, i + 1] AS pair,
      CAST(0.5 + i / 1000.0 AS DOUBLE) AS ratio,
      CAST(110101 + (i % 3) AS INTEGER) AS region
    FROM range(60) t(i)`);
});
afterAll(() => db.close());

const cols: SampleColumn[] = [
  { name: "seen_at", type: "TIMESTAMP WITH TIME ZONE", tags: ["quasi"] },
  { name: "member", type: "BOOLEAN", tags: ["quasi"] },
  { name: "sex", type: "INTEGER", tags: ["quasi"] },
  { name: "balance", type: "DECIMAL(12,2)", tags: ["sensitive"] },
  { name: "big", type: "HUGEINT", tags: [] },
  { name: "pair", type: "BIGINT[]", tags: [] },
  { name: "ratio", type: "DOUBLE", tags: ["quasi"] },
  { name: "region", type: "INTEGER", tags: ["quasi"] },
];

describe("buildSample over DuckDB types", () => {
  it("applies the rule of each type family", async () => {
    const s = await buildSample(db.conn, "typed", cols, { rows: 20, seed: 4 });
    expect(s.rows).toHaveLength(20);
    const m = Object.fromEntries(s.columns.map((c, k) => [c.name, { ...c, values: s.rows.map((r) => r[k]) }]));
    expect(m.seen_at.method).toBe("generalised:year");
    for (const v of m.seen_at.values) expect(Number(v)).toBeGreaterThanOrEqual(1990);
    expect(m.member.method).toBe("kept:boolean");
    expect(m.sex.method).toBe("kept:gender");
    expect(m.balance.type).toBe("DOUBLE");
    for (const v of m.balance.values) expect(String(v)).toMatch(/^1[23]000$/);
    expect(m.big.method).toBe("independent-draw");
    // Exact 128-bit values survive (text, not a lossy JS number).
    const top = 170141183460469231731687303715884105727n;
    for (const v of m.big.values) expect(top - BigInt(String(v))).toBeLessThan(60n);
    for (const v of m.pair.values) expect(String(v)).toMatch(/^\[\d+, \d+\]$/);
    expect(m.ratio.method).toMatch(/^generalised:range/);
    for (const v of m.ratio.values) expect(String(v)).toMatch(/^\[0\.5\d*, 0\.5\d*\)$/);
    expect(m.region.method).toBe("generalised:city");
    for (const v of m.region.values) expect(v).toBe("110100");
  });

  it("is reproducible for a seed and varies with it", async () => {
    const t = await createRawTable(db.conn, "repro", MENU.filter((x) => ["id_no", "age", "diagnosis", "income"].includes(x.name)), 300, 8);
    const a = await buildSample(db.conn, t.table, t.columns, { rows: 30, seed: 11 });
    const b = await buildSample(db.conn, t.table, t.columns, { rows: 30, seed: 11 });
    const c = await buildSample(db.conn, t.table, t.columns, { rows: 30, seed: 12 });
    expect(b).toEqual(a);
    expect(c.rows).not.toEqual(a.rows);
  });

  it("works on a vault connection locked down as DESIGN §11 prescribes", async () => {
    await db.conn.run("CREATE TABLE locked_src AS SELECT * FROM typed");
    await db.conn.run("SET temp_directory=''");
    await db.conn.run("SET enable_external_access=false");
    await db.conn.run("SET autoload_known_extensions=false");
    await db.conn.run("SET lock_configuration=true");
    const s = await buildSample(db.conn, "locked_src", cols, { rows: 10, seed: 1 });
    expect(s.rows).toHaveLength(10);
  });
});

describe("generalisation rules", () => {
  it("bands: at least 10 wide for integers, power-of-ten widths", () => {
    expect(bandWidth(0, 99, "integer")).toBe(10);
    expect(bandWidth(18, 60, "integer")).toBe(10);
    expect(bandWidth(0, 1_000_000, "integer")).toBe(100_000);
    expect(bandWidth(0.5, 0.56, "decimal")).toBeCloseTo(0.01, 12);
    expect(toBand(35, 10, "integer")).toBe("30-39");
    expect(toBand(-1, 10, "integer")).toBe("-10--1");
    expect(toBand(0.537, 0.01, "decimal")).toBe("[0.53, 0.54)");
    expect(toBand(null, 10, "integer")).toBeNull();
  });

  it("district detection needs real GB/T 2260 city prefixes", () => {
    expect(looksLikeDistricts(["110101", "440305", null])).toBe(true);
    expect(looksLikeDistricts(["110101", "999999"])).toBe(false);
    expect(looksLikeDistricts(["12345"])).toBe(false);
    expect(looksLikeDistricts([null])).toBe(false);
  });
});

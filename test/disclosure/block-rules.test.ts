import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  inferTableKind,
  runChecks,
  verdict,
  type CheckInput,
  type Finding,
  type OutputTable,
} from "../../policies/disclosure/index.js";
import { table } from "./corpus-cases.js";
import { columnsOf, createVault, type Vault } from "./vault-fixture.js";

let v: Vault;
beforeAll(async () => {
  v = await createVault(200, 11);
});
afterAll(() => v.close());

async function findings(outputTables: OutputTable[], extra: Partial<CheckInput> = {}): Promise<Finding[]> {
  return runChecks({ conn: v.conn, form: "dataset", outputTables, raw: v.raw, ...extra });
}
const blocks = (f: Finding[], rule?: string) => f.filter((x) => x.severity === "block" && (!rule || x.rule === rule));

describe("one-to-one signature", () => {
  it("R1: blocks an order-preserving numeric code book of mobiles (a bijection no encoding list knows)", async () => {
    const t = await table(v, "oo1", `SELECT CAST(mobile AS BIGINT) * 7 + 12345 AS m FROM raw_people ORDER BY random()`);
    expect(blocks(await findings([t]), "one-to-one")).toHaveLength(1);
  });
  it("does not block row numbers, and only reviews gate-made pseudonyms and floating-point columns", async () => {
    const rn = await table(v, "oo2", `SELECT row_number() OVER () AS rn, gender FROM raw_people`, { kind: "aggregate" });
    expect(blocks(await findings([rn]), "one-to-one")).toEqual([]);
    const ps = await table(v, "oo3", `SELECT md5('k' || id) AS p FROM raw_people`, { kind: "aggregate" });
    const f = await findings([ps], { pseudonymized: [{ table: "oo3", column: "p" }] });
    expect(blocks(f, "one-to-one")).toEqual([]);
    expect(f.filter((x) => x.rule === "one-to-one" && x.severity === "review")).toHaveLength(1);
    // The same column NOT declared as the gate's pseudonym is a block.
    expect(blocks(await findings([ps]), "one-to-one")).toHaveLength(1);
  });
  it("is not fooled when the column is a verbatim copy of a raw non-identifier column", async () => {
    const t = await table(v, "oo4", `SELECT notes FROM raw_people`, { kind: "aggregate" });
    expect(blocks(await findings([t]), "one-to-one")).toEqual([]);
  });
});

describe("k-anonymity and l-diversity thresholds", () => {
  it("R1: k is configurable and a class of k-1 rows blocks", async () => {
    const t = await table(v, "k1", `SELECT * FROM (VALUES ('a'), ('a'), ('a'), ('b'), ('b'), ('b'), ('b')) t(gender)`);
    expect(blocks(await findings([t]), "k-anonymity")).toHaveLength(1);
    expect(blocks(await findings([t], { thresholds: { k: 3 } }), "k-anonymity")).toEqual([]);
    expect(blocks(await findings([t], { thresholds: { k: 4 } }), "k-anonymity")).toHaveLength(1);
  });
  it("a class whose sensitive values were all suppressed is not an l-diversity failure", async () => {
    const t = await table(v, "l1", `SELECT gender, CAST(NULL AS VARCHAR) AS diagnosis FROM raw_people`);
    expect(blocks(await findings([t]), "l-diversity")).toEqual([]);
  });
  it("refuses thresholds that would switch a rule off", async () => {
    await expect(findings([], { thresholds: { k: 1 } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
    await expect(findings([], { thresholds: { l: Number.NaN } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
  });
});

describe("aggregate vs record-level", () => {
  it("a count column makes an aggregate only when the other columns are unique per row", async () => {
    const agg = await table(v, "tk1", `SELECT gender, count(*) AS n FROM raw_people GROUP BY ALL`);
    expect(await inferTableKind(v.conn, agg)).toEqual({ kind: "aggregate", countColumn: "n" });
    const disguised = await table(v, "tk2", `SELECT gender, age, 10 AS n FROM raw_people`);
    expect((await inferTableKind(v.conn, disguised)).kind).toBe("record");
    expect(blocks(await findings([disguised]), "k-anonymity")).toHaveLength(1);
    expect((await inferTableKind(v.conn, { ...disguised, kind: "aggregate" })).kind).toBe("aggregate");
  });
});

describe("attacks on the gate itself", () => {
  it("R1: hostile output column names neither break the checks nor run as SQL", async () => {
    const evil = `x"); DROP TABLE raw_people; --`;
    await v.conn.run(`CREATE OR REPLACE TABLE hostile AS SELECT id AS "${evil.replaceAll('"', '""')}", 1 AS "__class_size", 'a' AS "it's" FROM raw_people`);
    const t: OutputTable = { name: "hostile", columns: await columnsOf(v.conn, "hostile") };
    const f = await findings([t]);
    expect(blocks(f, "raw-values").length).toBeGreaterThan(0);
    expect(blocks(f).filter((x) => x.detail.startsWith("rule could not run"))).toEqual([]);
    const n = await v.conn.runAndReadAll(`SELECT count(*) AS n FROM raw_people`);
    expect(Number(n.getRowObjectsJS()[0].n)).toBe(200);
  });
  it("fails closed: a rule that cannot run blocks", async () => {
    await v.conn.run(`CREATE OR REPLACE TABLE fc AS SELECT 'M' AS gender`);
    const f = await findings([{ name: "fc", columns: [{ name: "no_such_column", type: "VARCHAR" }] }]);
    expect(verdict(f)).toBe("block");
    expect(blocks(f).some((x) => x.detail.startsWith("rule could not run"))).toBe(true);
  });
  it("a clean output passes every rule and leaves no temp tables behind", async () => {
    const t = await table(v, "clean", `SELECT gender, count(*) AS n FROM raw_people GROUP BY ALL`);
    const before = await v.conn.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary`);
    const f = await findings([t]);
    expect(verdict(f)).toBe("pass");
    expect(new Set(f.map((x) => x.rule)).size).toBe(f.length);
    const after = await v.conn.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary`);
    expect(after.getRowObjectsJS()[0].n).toBe(before.getRowObjectsJS()[0].n);
  });
  it("findings show identifier-looking cells masked", async () => {
    const t = await table(v, "mk", `SELECT id, gender FROM raw_people`);
    const k = blocks(await findings([t]), "k-anonymity")[0];
    const shown = JSON.stringify(k.cells);
    expect(v.people.some((p) => shown.includes(p.id))).toBe(false);
  });
});

describe("declared tags", () => {
  it("R1: an empty declared tag list does not hide a renamed quasi-identifier from k-anonymity", async () => {
    const t = await table(v, "dt1", `SELECT age * 12 AS months, gender FROM raw_people`);
    const declared: OutputTable = { ...t, columns: t.columns.map((c) => ({ ...c, tags: [] })) };
    expect(blocks(await findings([declared]), "k-anonymity")).toHaveLength(1);
    // Declaring it sensitive is an explicit decision: then only gender is a quasi-identifier.
    const sensitive: OutputTable = { ...t, columns: t.columns.map((c) => ({ ...c, tags: c.name === "months" ? ["sensitive"] : [] })) };
    expect(blocks(await findings([sensitive]), "k-anonymity")).toEqual([]);
  });
});

describe("raw-values coincidences", () => {
  it("short raw values are not searched: a count equal to the last digits of an ID is not a leak", async () => {
    const tail = v.people[0].id.slice(-4);
    const t = await table(v, "rv1", `SELECT 'x' AS cat, ${Number(tail.replace(/x/i, "1"))} AS n`, { kind: "aggregate" });
    expect(blocks(await findings([t]), "raw-values")).toEqual([]);
  });
  it("the length floor is a threshold: lowering it finds a shorter identifier", async () => {
    await v.conn.run(`CREATE OR REPLACE TABLE raw_codes AS SELECT * FROM (VALUES ('AB123'), ('CD456')) t(code)`);
    const raw = [...v.raw, { table: "raw_codes", column: "code", tags: ["pii:plate"] }];
    const t = await table(v, "rv2", `SELECT 'ab123' AS c, 20 AS n`, { kind: "aggregate" });
    expect(blocks(await findings([t], { raw }), "raw-values")).toEqual([]);
    expect(blocks(await findings([t], { raw, thresholds: { minIdentifierLength: 5 } }), "raw-values")).toHaveLength(1);
  });
});

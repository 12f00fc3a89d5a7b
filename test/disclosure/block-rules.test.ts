import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  runChecks,
  verdict,
  type CheckInput,
  type Finding,
  type OutputTable,
} from "../../policies/disclosure/index.js";
import { table } from "./corpus-cases.js";
import { ledgerAggregate, ledgerRows, stage } from "./gate-ledger-fixture.js";
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

describe("thresholds", () => {
  it("refuses thresholds that would switch a rule off", async () => {
    await expect(findings([], { thresholds: { k: 1 } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
    await expect(findings([], { thresholds: { l: Number.NaN } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
    await expect(findings([], { thresholds: { minCellCount: 3 } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
    await expect(findings([], { thresholds: { dominanceN: 3 } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
    await expect(findings([], { thresholds: { identifierRatio: 0 } })).rejects.toMatchObject({ code: "BAD_THRESHOLDS" });
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
    const led = await ledgerAggregate(v.conn, "clean", { from: "raw_people", groups: [{ name: "gender", expr: "gender", source: { dataset: "people", column: "gender", role: "quasi" } }],
      aggs: [{ name: "n", sql: "count(*)", agg: "count" }] });
    const t = await stage(v.conn, "clean", `SELECT gender, n FROM ${led.table}`, led);
    const before = await v.conn.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary`);
    const f = await findings([t]);
    expect(verdict(f)).toBe("pass");
    expect(new Set(f.map((x) => x.rule)).size).toBe(f.length);
    const after = await v.conn.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE temporary`);
    expect(after.getRowObjectsJS()[0].n).toBe(before.getRowObjectsJS()[0].n);
  });
  it("findings show identifier-looking cells masked", async () => {
    const led = await ledgerRows(v.conn, "mk", { from: "raw_people", columns: [{ name: "emp_no", expr: "emp_no", source: { dataset: "people", column: "emp_no", role: "quasi" } }, { name: "gender", expr: "gender" }] });
    const t = await stage(v.conn, "mk", `SELECT emp_no, gender FROM ${led.table}`, led, "accounted-rows");
    const k = blocks(await findings([t]), "k-anonymity")[0];
    const shown = JSON.stringify(k.cells);
    expect(v.people.some((p) => shown.includes(p.empNo))).toBe(false);
  });
});

describe("raw-values coincidences", () => {
  it("short raw values are not searched: a count equal to the last digits of an ID is not a leak", async () => {
    const tail = v.people[0].id.slice(-4);
    const t = await table(v, "rv1", `SELECT 'x' AS cat, ${Number(tail.replace(/x/i, "1"))} AS n`);
    expect(blocks(await findings([t]), "raw-values")).toEqual([]);
  });
  it("the length floor is a threshold: lowering it finds a shorter identifier", async () => {
    await v.conn.run(`CREATE OR REPLACE TABLE raw_codes AS SELECT * FROM (VALUES ('AB123'), ('CD456')) t(code)`);
    const raw = [...v.raw, { table: "raw_codes", column: "code", tags: ["pii:plate"] }];
    const t = await table(v, "rv2", `SELECT 'ab123' AS c, 20 AS n`);
    expect(blocks(await findings([t], { raw }), "raw-values")).toEqual([]);
    expect(blocks(await findings([t], { raw, thresholds: { minIdentifierLength: 5 } }), "raw-values")).toHaveLength(1);
  });
});

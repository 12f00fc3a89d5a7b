import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPiiInText, runChecks, type CheckInput, type Finding, type OutputTable } from "../../policies/disclosure/index.js";
import { table } from "./corpus-cases.js";
import { createVault, type Vault } from "./vault-fixture.js";

let v: Vault;
beforeAll(async () => {
  v = await createVault(200, 7);
  // Magnitude microdata: sector A has one dominant firm, B many equal ones, C two firms at 50/40 plus a small one.
  await v.conn.run(`CREATE TABLE raw_firms AS SELECT * FROM (VALUES
    ('A', 1000.0), ('A', 10.0), ('A', 10.0), ('A', 10.0),
    ('B', 100.0), ('B', 100.0), ('B', 100.0), ('B', 100.0), ('B', 100.0),
    ('C', 50.0), ('C', 40.0), ('C', 10.0)) t(sector, revenue)`);
});
afterAll(() => v.close());

const firms = [
  { table: "raw_firms", column: "sector", tags: ["quasi"] },
  { table: "raw_firms", column: "revenue", tags: ["sensitive"] },
];

async function findings(outputTables: OutputTable[], extra: Partial<CheckInput> = {}): Promise<Finding[]> {
  return runChecks({ conn: v.conn, form: "dataset", outputTables, raw: [...v.raw, ...firms], ...extra });
}
const of = (f: Finding[], rule: string) => f.filter((x) => x.rule === rule && x.severity !== "pass");

describe("small-cells (ACRO threshold 10) — R6", () => {
  it("R6: reviews cells below 10 and not above; the threshold is configurable", async () => {
    const t = await table(v, "sc1", `SELECT * FROM (VALUES ('a', 3), ('b', 10), ('c', 250)) t(cat, n)`);
    const f = await findings([t]);
    expect(of(f, "small-cells")).toHaveLength(1);
    expect(of(f, "small-cells")[0]).toMatchObject({ severity: "review" });
    expect(of(f, "small-cells")[0].cells).toEqual([{ cat: "a", n: 3 }]);
    expect(of(await findings([t], { thresholds: { minCellCount: 3 } }), "small-cells")).toEqual([]);
  });
  it("zero cells are reviewed separately", async () => {
    const t = await table(v, "zc1", `SELECT * FROM (VALUES ('a', 0), ('b', 40)) t(cat, cnt)`);
    const f = await findings([t]);
    expect(of(f, "zero-cells")).toHaveLength(1);
    expect(of(f, "small-cells")).toEqual([]);
  });
});

describe("dominance (n=2, k=85%) and p% (p=10%) — R6", () => {
  it("R6: recomputes contributions from raw rows and flags dominated cells", async () => {
    const t = await table(v, "dom1", `SELECT sector, count(*) AS n, sum(revenue) AS sum_revenue FROM raw_firms GROUP BY ALL`);
    const f = await findings([t]);
    const dom = of(f, "dominance");
    expect(dom).toHaveLength(1);
    // A (1000 of 1030) and C (90 of 100) are dominated; B (5 × 100) is not.
    expect((dom[0].cells as { sector: string }[]).map((c) => c.sector).sort()).toEqual(["A", "C"]);
    const p = of(f, "p-percent");
    expect(p).toHaveLength(1);
    // C: 100 − 50 − 40 = 10 ≥ 10 % of 50, so only A fails p%.
    expect((p[0].cells as { sector: string }[]).map((c) => c.sector)).toEqual(["A"]);
  });
  it("a sum column it cannot trace to raw data is reviewed as unverifiable", async () => {
    const t = await table(v, "dom2", `SELECT sector, count(*) AS n, sum(revenue) * 2 AS total_weird FROM raw_firms GROUP BY ALL`);
    const dom = of(await findings([t]), "dominance");
    expect(dom).toHaveLength(1);
    expect(dom[0].detail).toMatch(/could not be traced/);
  });
});

describe("differencing against earlier releases — R6", () => {
  it("R6: a re-release differing from an earlier one by a few people is reviewed", async () => {
    const earlier = await table(v, "rel1", `SELECT gender, count(*) AS n FROM raw_people GROUP BY ALL`);
    const now = await table(v, "rel2", `SELECT gender, count(*) AS n FROM raw_people WHERE id NOT IN (SELECT id FROM raw_people ORDER BY id LIMIT 3) GROUP BY ALL`);
    const f = of(await findings([now], { earlierReleases: [{ tables: [earlier] }] }), "differencing");
    expect(f.length).toBeGreaterThan(0);
    expect(f[0].severity).toBe("review");
  });
  it("releases far apart, or at a different grain with equal margins, are not flagged", async () => {
    const earlier = await table(v, "rel3", `SELECT gender, count(*) AS n FROM raw_people GROUP BY ALL`);
    const finer = await table(v, "rel4", `SELECT gender, diagnosis, count(*) AS n FROM raw_people GROUP BY ALL`);
    const half = await table(v, "rel5", `SELECT gender, count(*) AS n FROM raw_people WHERE age < 45 GROUP BY ALL`);
    expect(of(await findings([finer], { earlierReleases: [{ tables: [earlier] }] }), "differencing")).toEqual([]);
    expect(of(await findings([half], { earlierReleases: [{ tables: [earlier] }] }), "differencing")).toEqual([]);
  });
});

describe("model capacity (DataSHIELD nfilter.glm 0.33)", () => {
  it("reviews models with many parameters per training row", async () => {
    expect(of(await findings([], { form: "model", model: { coef: [1, 2, 3] } }), "model-capacity")).toEqual([]);
    const big = { coef: Array.from({ length: 150 }, (_, i) => i / 7) };
    expect(of(await findings([], { form: "model", model: big, trainingRows: 200 }), "model-capacity")).toHaveLength(1);
  });
});

describe("PII patterns in report text and logs", () => {
  it("finds checksum-valid IDs, mobiles and cards, and ignores look-alikes with bad checksums", () => {
    const id = v.people[0].id;
    const badId = id.slice(0, 17) + (id[17] === "0" ? "1" : "0");
    const hits = findPiiInText(`身份证${id}，电话+86 13812345678，卡号4111111111111111，假号${badId}，4111111111111112`);
    expect(hits.map((h) => h.type).sort()).toEqual(["bank_card", "mobile", "resident_id"]);
  });
  it("reviews report and log lines that carry PII-like strings (not in the vault)", async () => {
    const f = of(await findings([], { form: "report", report: "联系人邮箱 someone@example.org", logs: ["ip 10.1.2.3 connected"] }), "pii-in-text");
    expect(f.map((x) => x.detail.split(":")[0]).sort()).toEqual(["logs[0]", "report"]);
    expect(f.every((x) => x.severity === "review")).toBe(true);
  });
});

describe("differencing within one release", () => {
  it("two tables of the same release that differ by a few people are reviewed", async () => {
    const all = await table(v, "same1", `SELECT gender, count(*) AS n FROM raw_people GROUP BY ALL`);
    const most = await table(v, "same2", `SELECT gender, count(*) AS n FROM raw_people WHERE age <> 33 GROUP BY ALL`);
    const removed = await v.conn.runAndReadAll(`SELECT count(*) AS n FROM raw_people WHERE age = 33`);
    // The fixture must remove 1-9 people for the attack to be a small-group isolation.
    expect(Number(removed.getRowObjectsJS()[0].n)).toBeGreaterThan(0);
    expect(Number(removed.getRowObjectsJS()[0].n)).toBeLessThan(10);
    expect(of(await findings([all, most]), "differencing").length).toBeGreaterThan(0);
  });
});

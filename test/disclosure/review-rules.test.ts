import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findPiiInText, runChecks, type CheckInput, type Finding, type OutputTable } from "../../policies/disclosure/index.js";
import { createVault, type Vault } from "./vault-fixture.js";

let v: Vault;
beforeAll(async () => {
  v = await createVault(200, 7);
});
afterAll(() => v.close());


async function findings(outputTables: OutputTable[], extra: Partial<CheckInput> = {}): Promise<Finding[]> {
  return runChecks({ conn: v.conn, form: "dataset", outputTables, raw: v.raw, ...extra });
}
const of = (f: Finding[], rule: string) => f.filter((x) => x.rule === rule && x.severity !== "pass");

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


import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks, type CheckInput, type Finding } from "../../policies/disclosure/index.js";
import { TABLE_ATTACKS, TABLE_LEGIT, type TableCase } from "./table-corpus.js";
import { createVault, type Vault } from "./vault-fixture.js";

let vault: Vault;
beforeAll(async () => {
  vault = await createVault(2000, 20260301);
});
afterAll(() => vault.close());

async function check(c: TableCase, id: string): Promise<Finding[]> {
  const partial = await c.build(vault, id);
  const input: CheckInput = { conn: vault.conn, form: "dataset", outputTables: [], raw: vault.raw, ...partial };
  return runChecks(input);
}

describe("table corpora: the gate decides from the ledger (issue 11)", () => {
  it(`R1: ${TABLE_ATTACKS.length} attacks are blocked, each by a rule meant to catch it`, async () => {
    expect(TABLE_ATTACKS.length).toBeGreaterThanOrEqual(40);
    const misses: string[] = [];
    const wrongRule: string[] = [];
    for (const [i, c] of TABLE_ATTACKS.entries()) {
      const f = await check(c, `atk${i}`);
      const blocks = f.filter((x) => x.severity === "block");
      if (blocks.length === 0) misses.push(`${c.name}: ${f.filter((x) => x.severity === "review").map((x) => x.rule).join(",") || "passed"}`);
      else if (c.rules && !blocks.some((b) => c.rules!.includes(b.rule))) wrongRule.push(`${c.name}: ${blocks.map((b) => `${b.rule} — ${b.detail}`).join("; ")}`);
      expect(blocks.filter((b) => b.detail.startsWith("rule could not run")), c.name).toEqual([]);
    }
    console.log(`table attack corpus: ${TABLE_ATTACKS.length} cases, ${misses.length} missed, ${wrongRule.length} blocked by an unexpected rule`, misses, wrongRule);
    expect(misses).toEqual([]);
    expect(wrongRule).toEqual([]);
  }, 240_000);

  it(`R6: ${TABLE_LEGIT.length} legitimate analyses get no block finding`, async () => {
    expect(TABLE_LEGIT.length).toBeGreaterThanOrEqual(30);
    const falseBlocks: string[] = [];
    for (const [i, c] of TABLE_LEGIT.entries()) {
      const f = await check(c, `ok${i}`);
      const blocks = f.filter((x) => x.severity === "block");
      if (blocks.length > 0) falseBlocks.push(`${c.name}: ${blocks.map((b) => `${b.rule} — ${b.detail}`).join("; ")}`);
    }
    console.log(`table legitimate corpus: ${TABLE_LEGIT.length} cases, ${falseBlocks.length} false blocks`, falseBlocks);
    expect(falseBlocks).toEqual([]);
  }, 240_000);
});

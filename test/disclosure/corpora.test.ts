import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks, type CheckInput, type Finding } from "../../policies/disclosure/index.js";
import { MUST_BLOCK, MUST_PASS, type CorpusCase } from "./corpus-cases.js";
import { createVault, type Vault } from "./vault-fixture.js";

let vault: Vault;
beforeAll(async () => {
  vault = await createVault();
});
afterAll(() => vault.close());

const partialTables = new Map<string, number>();
async function check(c: CorpusCase, i: number, prefix: string): Promise<Finding[]> {
  const partial = await c.build(vault, `${prefix}_${i}`);
  partialTables.set(c.name, partial.outputTables?.length ?? 0);
  const input: CheckInput = { conn: vault.conn, form: "dataset", outputTables: [], raw: vault.raw, ...partial };
  return runChecks(input);
}

describe("egress corpora (R1, R6)", () => {
  it("R1: every re-identifying or reversible output is blocked, by the rule meant to catch it", async () => {
    const misses: string[] = [];
    const wrongRule: string[] = [];
    for (const [i, c] of MUST_BLOCK.entries()) {
      const f = await check(c, i, "blk");
      const blocks = f.filter((x) => x.severity === "block");
      if (blocks.length === 0) misses.push(c.name);
      // A table here has no ledger mark (the model built it), so computed-table blocking it is right too.
      else if (c.rule && !blocks.some((b) => b.rule === c.rule || (b.rule === "computed-table" && (partialTables.get(c.name) ?? 0) > 0))) wrongRule.push(`${c.name}: ${blocks.map((b) => b.rule).join(",")}`);
      // A rule that crashed blocks too (fail closed) but would hide a broken rule here.
      expect(blocks.filter((b) => b.detail.startsWith("rule could not run")), c.name).toEqual([]);
    }
    console.log(`block corpus: ${MUST_BLOCK.length} cases, ${misses.length} missed`, misses, wrongRule);
    expect(misses).toEqual([]);
    expect(wrongRule).toEqual([]);
  });

  it("R6: legitimate outputs get no block finding", async () => {
    const falseBlocks: string[] = [];
    for (const [i, c] of MUST_PASS.entries()) {
      const f = await check(c, i, "ok");
      const blocks = f.filter((x) => x.severity === "block");
      if (blocks.length > 0) falseBlocks.push(`${c.name}: ${blocks.map((b) => `${b.rule} — ${b.detail}`).join("; ")}`);
    }
    console.log(`legitimate corpus: ${MUST_PASS.length} cases, ${falseBlocks.length} false blocks`, falseBlocks);
    expect(falseBlocks).toEqual([]);
  });
});

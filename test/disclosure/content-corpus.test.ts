import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runChecks, type CheckInput, type Finding } from "../../policies/disclosure/index.js";
import { CONTENT_MUST_BLOCK, CONTENT_MUST_PASS, type ContentCase } from "./content-cases.js";
import { createVault, type Vault } from "./vault-fixture.js";

let vault: Vault;
beforeAll(async () => {
  vault = await createVault();
});
afterAll(() => vault.close());

async function check(c: ContentCase, job: string): Promise<Finding[]> {
  const partial = await c.build(vault, job);
  const input: CheckInput = { conn: vault.conn, form: "report", outputTables: [], raw: vault.raw, job, ...partial };
  return runChecks(input);
}

describe("content corpora: models, reports, indices, logs (issue 11 items 5, 6)", () => {
  it("every memorising model, raw value in text and computed embedded table is blocked, by the rule meant to catch it", async () => {
    const misses: string[] = [];
    const wrongRule: string[] = [];
    for (const [i, c] of CONTENT_MUST_BLOCK.entries()) {
      const f = await check(c, `job-cb-${i}`);
      const blocks = f.filter((x) => x.severity === "block");
      if (blocks.length === 0) misses.push(`${c.name} (${f.filter((x) => x.severity === "review").map((x) => x.rule).join(",") || "no review"})`);
      else if (c.rule && !blocks.some((b) => [c.rule].flat().includes(b.rule))) wrongRule.push(`${c.name}: ${blocks.map((b) => b.rule).join(",")}`);
      expect(blocks.filter((b) => b.detail.includes("could not")), c.name).toEqual([]);
    }
    console.log(`content block corpus: ${CONTENT_MUST_BLOCK.length} cases, ${misses.length} missed`, misses, wrongRule);
    expect(CONTENT_MUST_BLOCK.length).toBeGreaterThanOrEqual(25);
    expect(misses).toEqual([]);
    expect(wrongRule).toEqual([]);
  });

  it("legitimate models, reports and indices get no block (and no content finding where the case says quiet)", async () => {
    const falseBlocks: string[] = [];
    const noisy: string[] = [];
    for (const [i, c] of CONTENT_MUST_PASS.entries()) {
      const f = await check(c, `job-cp-${i}`);
      const blocks = f.filter((x) => x.severity === "block");
      if (blocks.length > 0) falseBlocks.push(`${c.name}: ${blocks.map((b) => `${b.rule} — ${b.detail} ${JSON.stringify(b.cells ?? [])}`).join("; ")}`);
      const loud = f.filter((x) => x.severity === "review" && c.quiet?.includes(x.rule));
      if (loud.length > 0) noisy.push(`${c.name}: ${loud.map((b) => `${b.rule} — ${b.detail} ${JSON.stringify(b.cells ?? [])}`).join("; ")}`);
    }
    console.log(`content legitimate corpus: ${CONTENT_MUST_PASS.length} cases, ${falseBlocks.length} false blocks, ${noisy.length} with content reviews`, falseBlocks, noisy);
    expect(CONTENT_MUST_PASS.length).toBeGreaterThanOrEqual(12);
    expect(falseBlocks).toEqual([]);
    expect(noisy).toEqual([]);
  });
});

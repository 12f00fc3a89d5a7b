import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckContext } from "../../policies/disclosure/context.js";
import { matchTableValues } from "../../policies/disclosure/content/index.js";
import { createVault, type Vault } from "./vault-fixture.js";

let vault: Vault;
beforeAll(async () => {
  vault = await createVault(200, 7);
});
afterAll(() => vault.close());

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
function base58(s: string): string {
  let n = BigInt(`0x${Buffer.from(s).toString("hex")}`);
  let out = "";
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  return out;
}

describe("matchTableValues: the decoding the table rules call", () => {
  it("finds encoded identifiers among table cells, and nothing in legitimate cells", async () => {
    const p = vault.people;
    const encoded: [string, string][] = [
      ["base58 ID", base58(p[0].id)],
      ["percent-encoded mobile", [...p[1].mobile].map((c) => `%3${c}`).join("")],
      ["hex-number mobile", `0x${BigInt(p[2].mobile).toString(16)}`],
      ["grouped card", p[3].card.replace(/(\d{4})(?=\d)/g, "$1-")],
      ["rotated reversed mobile", [...p[4].mobile].reverse().join("").replace(/\d/g, (d) => String((Number(d) + 6) % 10))],
      ["mobile inside a longer run", `00${p[5].mobile}7`],
    ];
    const legit = ["330106", "高血压", "m", "0.2750", "2025-03", "abc-def-ghi", "Statistics"];
    await vault.conn.run(`CREATE OR REPLACE TABLE tv_probe (tbl VARCHAR, col VARCHAR, v VARCHAR)`);
    for (const [name, v] of encoded) await vault.conn.run(`INSERT INTO tv_probe VALUES ('t', '${name}', '${v}')`);
    for (const v of legit) await vault.conn.run(`INSERT INTO tv_probe VALUES ('t', 'legit', '${v}')`);
    const ctx = await CheckContext.create({ conn: vault.conn, form: "dataset", outputTables: [], raw: vault.raw });
    try {
      const { hits, truncated } = await matchTableValues(ctx, "SELECT tbl, col, v FROM tv_probe");
      expect(truncated).toBe(false);
      const found = new Set(hits.map((h) => h.col));
      const missed = encoded.map(([n]) => n).filter((n) => !found.has(n));
      console.log("table-value decoding:", encoded.length, "encoded,", missed.length, "missed", missed, found.has("legit") ? "FALSE HIT" : "");
      expect(missed).toEqual([]);
      expect(found.has("legit")).toBe(false);
    } finally {
      await ctx.cleanup();
    }
  });
});

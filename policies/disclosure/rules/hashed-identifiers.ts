/**
 * Rule `hashed-identifiers` (block): output contains unsalted MD5, SHA-256 or SM3 hashes
 * (hex, any case) of raw low-entropy identifiers — resident ID, mobile, bank card, USCC, plate.
 * Their value spaces are small (a mobile has ~10^10 candidates), so an unsalted hash is
 * reversed by enumeration; hashing the domain's own raw values finds exactly the hashes such
 * an enumeration would produce.
 *
 * Source: GB/T 37964-2019 §A (hashing without a secret key is not de-identification for small
 * value spaces); ARX / ENISA pseudonymisation guidance (unkeyed hashes of enumerable identifiers
 * are reversible). No threshold.
 */
import type { CheckContext } from "../context.js";
import { displayMask } from "../display.js";
import { outputValuesTable } from "../output-values.js";
import { hashMatches } from "../raw-encodings.js";
import type { Finding, Rule } from "../types.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.identifierColumns().length === 0) return [];
  const out = await outputValuesTable(ctx);
  const hits = await hashMatches(ctx, `SELECT tbl, col, v FROM ${out}`);
  return hits.map((h) => ({
    rule: "hashed-identifiers",
    severity: "block" as const,
    detail: `${h.col === "" ? h.tbl : `${h.tbl}.${h.col}`} contains ${h.n} unsalted ${h.how} hash(es) of raw ${h.src}`,
    zh: `${h.col === "" ? h.tbl : `${h.tbl}.${h.col}`} 含有 ${h.n} 个原始 ${h.src} 的无盐 ${h.how} 哈希值`,
    cells: h.sample.map(displayMask),
  }));
}

export const hashedIdentifiersRule: Rule = { name: "hashed-identifiers", run };

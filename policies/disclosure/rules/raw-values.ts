/**
 * Rule `raw-values` (block): output contains raw identifier values, or identifying sensitive
 * text, verbatim or after a simple encoding — reversed, hex, base64, digit shift (+k mod 10),
 * full-/half-width, upper/lower case — as a whole cell, inside a cell, in the report or logs.
 *
 * Source: GB/T 37964-2019 §5 (direct identifiers must be removed or transformed irreversibly);
 * GZ 24 / HLJ 22 (no product from which raw data can be restored by a reversible algorithm);
 * ACRO/SACRO treat any direct identifier in output as a hard fail.
 * Thresholds: `minIdentifierLength` (default 6; names 2) — shorter raw values are not searched,
 * since a 3-digit value in output is more likely a coincidence than a leak.
 */
import type { CheckContext } from "../context.js";
import { displayMask } from "../display.js";
import { outputValuesTable } from "../output-values.js";
import { encodingMatches } from "../raw-encodings.js";
import type { Finding, Rule } from "../types.js";

export const RAW_VALUES_DEFAULTS = { minIdentifierLength: 6 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.identifierColumns().length === 0 && !ctx.input.raw.some((r) => r.tags.includes("sensitive"))) return [];
  const out = await outputValuesTable(ctx);
  const hits = await encodingMatches(ctx, `SELECT tbl, col, v FROM ${out}`);
  return hits.map((h) => ({
    rule: "raw-values",
    severity: "block" as const,
    detail: `${h.col === "" ? h.tbl : `${h.tbl}.${h.col}`} contains ${h.n} value(s) of raw ${h.src} (${h.how})`,
    zh: `${h.col === "" ? h.tbl : `${h.tbl}.${h.col}`} 含有 ${h.n} 个原始 ${h.src} 的值（${h.how}）`,
    ...(h.col === "" ? {} : { table: h.tbl }),
    cells: h.sample.map(displayMask),
  }));
}

export const rawValuesRule: Rule = { name: "raw-values", run };

/**
 * Rule `index-trace` (review): every value of an index must trace to a ledger cell of at least
 * `minCellCount` subjects (equal, or rounded to the decimals it is written with) or be a
 * constant of the job's code; untraced values are a review finding.
 *
 * Source: issue 11 item 6 (an index is traced to the ledger like a report's numbers);
 * `minCellCount` (10, ACRO `safe_threshold`).
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import type { TextNumber } from "../numbers.js";
import { untraced } from "./text-trace.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const index = ctx.input.index;
  if (!index?.length) return [];
  const nums: TextNumber[] = index.map((x, at) => {
    const text = String(x);
    const m = /\.(\d+)$/.exec(text);
    return { text, x, decimals: m ? m[1].length : 0, variants: [], at };
  });
  const open = await untraced(ctx, nums);
  if (open.length === 0) return [];
  return [
    {
      rule: "index-trace",
      severity: "review",
      detail: `${open.length} of ${index.length} index value(s) trace to no accounted cell of ≥ ${ctx.thresholds.minCellCount} subjects — 指数值无法追溯到账本`,
      cells: open.slice(0, 10).map((u) => ({ at: u.n.at, value: u.n.text })),
    },
  ];
}

export const indexTraceRule: Rule = { name: "index-trace", run };

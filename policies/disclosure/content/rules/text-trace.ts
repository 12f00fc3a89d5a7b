/**
 * Rule `text-trace` (review): every number in the report's prose (outside embedded tables,
 * which embedded-tables checks) must trace to a ledger cell — equal, or that value rounded to
 * the decimals shown (27.5% = 0.275 and 1.2万 = 12000 count) — of at least `minCellCount`
 * subjects, or be a constant of the job's code or parameters. An untraced number, or one that
 * traces only to cells of fewer subjects, is a review finding naming it.
 *
 * Source: issue 11 item 6; ACRO/SACRO and OpenSAFELY review every figure of a report against
 * the checked tables; `minCellCount` (10, ACRO `safe_threshold`).
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { extractTables, proseOutside } from "../extract-tables.js";
import { traceNumbers } from "../ledger.js";
import { codeConstants, isConstant, numbersInText, type TextNumber } from "../numbers.js";

/** Numbers of `nums` that neither trace to a ledger cell of ≥ minCellCount subjects nor are code constants. */
export async function untraced(ctx: CheckContext, nums: readonly TextNumber[]): Promise<{ n: TextNumber; best?: number }[]> {
  const constants = codeConstants(ctx.input.code, ctx.input.params);
  const open = nums.filter((n) => !isConstant(constants, n.x) && !n.variants.some((v) => isConstant(constants, v.x)));
  const probes = open.flatMap((n, i) => [{ x: n.x, decimals: n.decimals, i }, ...n.variants.map((v) => ({ ...v, i }))]);
  const traced = await traceNumbers(ctx, probes);
  const best = new Map<number, number>();
  probes.forEach((p, j) => {
    const s = traced[j];
    if (s !== undefined) best.set(p.i, Math.max(best.get(p.i) ?? 0, s));
  });
  return open
    .map((n, i) => ({ n, best: best.get(i) }))
    .filter((u) => (u.best ?? 0) < ctx.thresholds.minCellCount);
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const report = ctx.input.report;
  if (!report) return [];
  const prose = proseOutside(report, extractTables(report));
  const open = await untraced(ctx, numbersInText(prose));
  if (open.length === 0) return [];
  const small = open.filter((u) => u.best !== undefined);
  return [
    {
      rule: "text-trace",
      severity: "review",
      detail: `report quotes ${open.length} number(s) that trace to no accounted cell of ≥ ${ctx.thresholds.minCellCount} subjects and are no constant of the job's code${small.length ? ` (${small.length} trace only to smaller cells)` : ""} — 报告中的数字无法追溯到账本`,
      cells: open.slice(0, 10).map((u) => ({ value: u.n.text, ...(u.best !== undefined ? { subjects: u.best } : {}) })),
    },
  ];
}

export const textTraceRule: Rule = { name: "text-trace", run };

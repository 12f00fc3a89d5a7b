/** Turning raw-value hits into findings, with one severity policy for every content check. */
import { displayMask } from "../display.js";
import type { CheckContext } from "../context.js";
import type { Finding } from "../types.js";
import { ledgerCells, traceNumbers } from "./ledger.js";
import { codeConstants, isConstant } from "./numbers.js";
import type { NumberGroup, RawHit } from "./raw-match.js";

/** P(X ≥ n) for X ~ Poisson(λ): how likely n or more matches are by chance alone. */
export function poissonTail(n: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let below = 0;
  for (let k = 0; k < n; k++) {
    below += term;
    term *= lambda / (k + 1);
  }
  return Math.max(0, 1 - below);
}

/** Chance level under which matches are a pattern (block) and an unlikely coincidence (review). */
export const BLOCK_CHANCE = 1e-3;
export const REVIEW_CHANCE = 0.05;

/**
 * Severity of number matches against one raw column. Identifiers: block. Rare sensitive values
 * count only beyond chance: expected = candidates (numbers in the column's range, on its
 * granularity) × density of rare values in that range, and P = P(Poisson(expected) ≥ matches).
 * Block when ≥ 2 match and P < BLOCK_CHANCE; review when P < REVIEW_CHANCE; nothing otherwise
 * (a dense column such as integer costs matches any small number).
 */
export function groupSeverity(g: NumberGroup): "block" | "review" | undefined {
  const n = g.hits.length;
  if (n === 0) return undefined;
  if (g.role !== "sensitive-number") return "block";
  const p = poissonTail(n, g.expected);
  if (p >= REVIEW_CHANCE) return undefined;
  // A quantile or maximum of an accounted query is someone's value, but not a pattern of raw rows.
  if (g.hits.every((h) => h.single)) return "review";
  return n >= 2 && p < BLOCK_CHANCE ? "block" : "review";
}

/** Findings for string hits (always block) and number groups, in `place`. */
export function rawHitFindings(rule: string, place: string, strings: readonly RawHit[], groups: readonly NumberGroup[] = []): Finding[] {
  const out: Finding[] = [];
  const bySrc = new Map<string, RawHit[]>();
  for (const h of strings) bySrc.set(h.src, [...(bySrc.get(h.src) ?? []), h]);
  const show = (hs: readonly RawHit[]) => hs.slice(0, 5).map((h) => ({ at: h.where, value: displayMask(h.value), how: h.how }));
  for (const [src, hs] of bySrc) {
    const hows = [...new Set(hs.map((h) => h.how))].slice(0, 4).join(", ");
    // Only 2-character windows inside Chinese words matched: a name that is also a word (高峰, 金华) is reviewed.
    const severity = hs.every((h) => h.weak) ? "review" : "block";
    out.push({ rule, severity, detail: `${place} holds ${new Set(hs.map((h) => h.value)).size} value(s) equal to raw ${src} (${hows}${severity === "review" ? ", only inside longer Chinese words" : ""}) — 输出含原始标识值`, cells: show(hs) });
  }
  for (const g of groups) {
    const severity = groupSeverity(g);
    if (!severity) continue;
    const chance = g.role === "sensitive-number" ? `; ${g.expected.toFixed(1)} expected by chance among ${g.candidates} in range` : "";
    out.push({ rule, severity, detail: `${place} holds ${g.hits.length} number(s) equal to raw ${g.src} (${g.how}${chance}) — 输出含原始数据值`, cells: show(g.hits) });
  }
  return out;
}

/**
 * Drops sensitive-number hits that are evidence-backed: the number traces to a ledger cell of
 * at least `minCellCount` subjects (an accounted statistic that happens to equal someone's
 * value) or is a constant of the job's code. Identifier hits are never dropped.
 */
export async function withoutAccounted(ctx: CheckContext, groups: readonly NumberGroup[]): Promise<NumberGroup[]> {
  const sensitive = groups.filter((g) => g.role === "sensitive-number").flatMap((g) => g.hits);
  if (sensitive.length === 0) return [...groups];
  const constants = codeConstants(ctx.input.code, ctx.input.params);
  const traced = (await ledgerCells(ctx))
    ? await traceNumbers(ctx, sensitive.map((h) => ({ x: Number(h.value), decimals: decimalsShown(h.value) })))
    : sensitive.map(() => undefined);
  const rowTraced = (await ledgerCells(ctx))
    ? await traceNumbers(ctx, sensitive.map((h) => ({ x: Number(h.value), decimals: decimalsShown(h.value) })), "rowsubjects")
    : sensitive.map(() => undefined);
  const drop = new Set<RawHit>();
  const single = new Set<RawHit>();
  sensitive.forEach((h, i) => {
    if (isConstant(constants, Number(h.value)) || (traced[i] ?? 0) >= ctx.thresholds.minCellCount) drop.add(h);
    else if ((rowTraced[i] ?? 0) >= ctx.thresholds.minCellCount) single.add(h);
  });
  return groups.map((g) => ({ ...g, hits: g.hits.filter((h) => !drop.has(h)).map((h) => (single.has(h) ? { ...h, single: true } : h)) }));
}

/** Decimals a number was written with (`12.50` → 2). */
export function decimalsShown(text: string): number {
  const m = /\.(\d+)/.exec(text);
  return m ? m[1].length : 0;
}

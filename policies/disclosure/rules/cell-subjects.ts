/**
 * Rule `cell-subjects` (block / review): every released cell of an accounted aggregate must
 * stand for enough distinct data subjects, as the ledger counted them (never a count column
 * the developer named or typed). Fewer than k subjects blocks; fewer than the review threshold
 * is reviewed, with the suppression remedy offered. A row the ledger map does not cover blocks
 * (fail closed). Cells the gate suppressed (every aggregate NULL) disclose nothing and are skipped.
 *
 * Source: AWS Clean Rooms aggregation constraint / minimum aggregation threshold (COUNT DISTINCT
 * over the identity column per output row); Google Ads Data Hub per-row user thresholds;
 * ACRO/SACRO `safe_threshold` = 10 (review); OpenSAFELY redacts ≤ 7. Defaults k = 5 (block,
 * GB/T 37964-2019 §6.2 and ARX's usual k), minCellCount = 10 (review, ACRO).
 */
import type { CheckContext } from "../context.js";
import { finding, label, remedy, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const CELL_SUBJECTS_DEFAULTS = { k: 5, minCellCount: 10 };

async function count(ctx: CheckContext, ref: string, where: string): Promise<number> {
  return Number((await ctx.rows(`SELECT count(*) AS n FROM ${ref} c WHERE ${where}`))[0].n);
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const { k, minCellCount: min } = ctx.thresholds;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    const name = label(t);
    const unmapped = await count(ctx, c.ref, "led_row IS NULL");
    if (unmapped > 0) {
      out.push(finding("cell-subjects", "block",
        `${name}: ${unmapped} row(s) have no ledger row; the gate cannot count who stands behind them`,
        `${name}：${unmapped} 行在台账中没有对应行，无法确认其背后的主体数`, { table: name }));
    }
    const small = "released AND subjects BETWEEN 1 AND " + (k - 1);
    const nSmall = await count(ctx, c.ref, small);
    if (nSmall > 0) {
      const s = await sampleCells(ctx, t, c.ref, small);
      out.push(finding("cell-subjects", "block",
        `${name}: ${nSmall} cell(s) stand for fewer than k=${k} distinct subjects (ledger count)`,
        `${name}：${nSmall} 个单元格背后的不同主体少于 k=${k}（台账计数）`,
        { table: name, ...s, remedy: remedy(["suppress-small"], { en: "or coarsen the categories (merge small groups)", zh: "合并小类别" }) }));
    }
    const review = `released AND subjects BETWEEN ${k} AND ${min - 1}`;
    const nReview = min > k ? await count(ctx, c.ref, review) : 0;
    if (nReview > 0) {
      const s = await sampleCells(ctx, t, c.ref, review);
      out.push(finding("cell-subjects", "review",
        `${name}: ${nReview} cell(s) stand for ${k}–${min - 1} distinct subjects (review threshold ${min})`,
        `${name}：${nReview} 个单元格背后的不同主体为 ${k}–${min - 1}（复核阈值 ${min}）`,
        { table: name, ...s, remedy: remedy(["suppress-small", "round5"]) }));
    }
  }
  return out;
}

export const cellSubjectsRule: Rule = { name: "cell-subjects", run };

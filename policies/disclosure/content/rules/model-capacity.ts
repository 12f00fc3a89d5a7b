/**
 * Rule `model-capacity` (review): a model storing many values for the subjects it was trained
 * on can memorise them. Counts every stored value (numbers, strings, object keys, booleans,
 * each array element) and reviews when values / distinct training subjects exceeds the ratio.
 * Numbers that trace to a ledger cell of ≥ minCellCount subjects (equal, or rounded to the
 * decimals stored) are accounted statistics, not capacity: they are left out of the count —
 * the evidence in a model's favour that issue 11 item 5 asks for.
 *
 * Source: DataSHIELD `nfilter.glm` = 0.33 (a GLM may not have more parameters than 0.33 × the
 * observations it is fitted on); SACRO-ML guidance on model capacity. Threshold
 * `modelParamRatio` (0.33). Subjects: ledger distinct `__sid`, else declared/raw rows.
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { decimalsShown } from "../findings.js";
import { ledgerCells, traceNumbers } from "../ledger.js";
import { modelValues } from "../model-values.js";
import { trainingSubjects } from "./model-memorization.js";

export const MODEL_CAPACITY_DEFAULTS = { modelParamRatio: 0.33 };

/** Numbers traced per model at most (a model past this is over capacity whatever they trace to). */
const MAX_TRACED = 1_000_000;

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.input.model === undefined) return [];
  const mv = modelValues(ctx.input.model);
  const subjects = await trainingSubjects(ctx);
  const limit = ctx.thresholds.modelParamRatio * subjects;
  if (mv.count <= limit) return [];
  let traced = 0;
  if ((await ledgerCells(ctx)) && mv.numbers.length <= MAX_TRACED) {
    const t = await traceNumbers(ctx, mv.numbers.map((n) => ({ x: n.x, decimals: decimalsShown(n.text) })));
    traced = t.filter((s) => (s ?? 0) >= ctx.thresholds.minCellCount).length;
  }
  const counted = mv.count - traced;
  const ratio = subjects === 0 ? Infinity : counted / subjects;
  if (ratio <= ctx.thresholds.modelParamRatio) return [];
  return [
    {
      rule: "model-capacity",
      severity: "review",
      detail: `model stores ${counted} values not traced to accounted cells${traced ? ` (${traced} more trace)` : ""} for ${subjects} distinct training subjects (ratio ${ratio.toFixed(3)} > ${ctx.thresholds.modelParamRatio}, DataSHIELD nfilter.glm) — 模型参数量相对训练对象过多`,
    },
  ];
}

export const modelCapacityRule: Rule = { name: "model-capacity", run };

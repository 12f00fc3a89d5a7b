/**
 * Rule `model-capacity` (review): a model storing many values for the subjects it was trained
 * on can memorise them. Counts every stored value (numbers, strings, object keys, booleans,
 * each array element) and reviews when values / distinct training subjects exceeds the ratio.
 *
 * Source: DataSHIELD `nfilter.glm` = 0.33 (a GLM may not have more parameters than 0.33 × the
 * observations it is fitted on); SACRO-ML guidance on model capacity. Threshold
 * `modelParamRatio` (0.33). Subjects: ledger distinct `__sid`, else declared/raw rows.
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { modelValues } from "../model-values.js";
import { trainingSubjects } from "./model-memorization.js";

export const MODEL_CAPACITY_DEFAULTS = { modelParamRatio: 0.33 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.input.model === undefined) return [];
  const stored = modelValues(ctx.input.model).count;
  const subjects = await trainingSubjects(ctx);
  const ratio = subjects === 0 ? Infinity : stored / subjects;
  if (ratio <= ctx.thresholds.modelParamRatio) return [];
  return [
    {
      rule: "model-capacity",
      severity: "review",
      detail: `model stores ${stored} values for ${subjects} distinct training subjects (ratio ${ratio.toFixed(3)} > ${ctx.thresholds.modelParamRatio}, DataSHIELD nfilter.glm) — 模型参数量相对训练对象过多`,
    },
  ];
}

export const modelCapacityRule: Rule = { name: "model-capacity", run };

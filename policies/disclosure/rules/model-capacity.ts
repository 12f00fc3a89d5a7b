/**
 * Rule `model-capacity` (review): a model whose parameter count is large against its training
 * rows can memorise them (and is a poor model). Review when parameters / training rows exceeds
 * the ratio.
 *
 * Source: DataSHIELD `nfilter.glm` (default 0.33: a GLM may not have more parameters than 0.33 ×
 * the rows it is fitted on); SACRO-ML guidance on model capacity. Default ratio 0.33.
 */
import type { CheckContext } from "../context.js";
import { walkModel } from "../model-walk.js";
import type { Finding, Rule } from "../types.js";

export const MODEL_CAPACITY_DEFAULTS = { modelParamRatio: 0.33 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.input.model === undefined) return [];
  const params = walkModel(ctx.input.model).parameterCount;
  const rows = await ctx.trainingRows();
  const ratio = rows === 0 ? Infinity : params / rows;
  if (ratio <= ctx.thresholds.modelParamRatio) return [];
  return [
    {
      rule: "model-capacity",
      severity: "review",
      detail: `model has ${params} numeric parameters for ${rows} training rows (ratio ${ratio.toFixed(3)} > ${ctx.thresholds.modelParamRatio})`,
    },
  ];
}

export const modelCapacityRule: Rule = { name: "model-capacity", run };

/**
 * Rule `index-memorization` (block): an index (a list of numbers) as long as ≥ 0.5 × the
 * job's distinct training subjects, or as the per-subject rows of one accounted query: one value
 * per person is a raw column, however transformed. Same thresholds and sources as
 * model-memorization.
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { perSubjectContainers } from "./model-memorization.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const index = ctx.input.index;
  if (!index?.length) return [];
  return perSubjectContainers(ctx, "index-memorization", "index", [{ path: "$", size: index.length }]);
}

export const indexMemorizationRule: Rule = { name: "index-memorization", run };

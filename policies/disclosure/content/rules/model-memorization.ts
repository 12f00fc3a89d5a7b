/**
 * Rule `model-memorization` (block): a model with a container (array, object, map) whose size
 * grows with the training subjects — at least `MEMORIZATION_RATIO` (0.5) × the distinct
 * subjects the job's accounted queries touched (k-NN, lookup tables, stored rows), or at least
 * that ratio × the per-subject rows of one accounted query (a subset: rows of one district, or
 * an aggregate grouped so finely that most groups hold < k subjects). Containers under
 * MIN_CONTAINER (10) entries are never per-subject storage.
 *
 * Training subjects come from the ledger (distinct `__sid` over every query's subject sets);
 * without a ledger, from the declared trainingRows or the largest raw table read.
 * Source: SACRO-ML (instance-based models store their training set); DataSHIELD (no
 * individual-level returns; its k-NN functions release aggregated neighbours only); GZ 24 /
 * HLJ 22. Ratio 0.5 is ours: a model holding one entry for every second person is a copy.
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { ledgerQueries, ledgerSubjects } from "../ledger.js";
import { modelValues } from "../model-values.js";

export const MEMORIZATION_RATIO = 0.5;
export const MIN_CONTAINER = 10;

/** Distinct training subjects: the ledger's, else declared rows, else the largest raw table. */
export async function trainingSubjects(ctx: CheckContext): Promise<number> {
  return (await ledgerSubjects(ctx)) ?? (await ctx.trainingRows());
}

/** Findings for containers (path, size) that grow with the subjects; `what` names the output. */
export async function perSubjectContainers(ctx: CheckContext, rule: string, what: string, containers: readonly { path: string; size: number }[]): Promise<Finding[]> {
  const big = containers.filter((c) => c.size >= MIN_CONTAINER);
  if (big.length === 0) return [];
  const subjects = await trainingSubjects(ctx);
  const findings: Finding[] = [];
  const whole = big.filter((c) => subjects > 0 && c.size >= MEMORIZATION_RATIO * subjects);
  if (whole.length > 0) {
    findings.push({
      rule,
      severity: "block",
      detail: `${what} has ${whole.length} container(s) with ≥ ${MEMORIZATION_RATIO} × the ${subjects} training subjects entries (largest ${Math.max(...whole.map((c) => c.size))}): it stores per-subject data — 模型存储了个体数据`,
      cells: whole.slice(0, 5).map((c) => ({ path: c.path, size: c.size })),
    });
  }
  const rest = big.filter((c) => !whole.includes(c));
  for (const q of await ledgerQueries(ctx)) {
    if (q.perSubjectRows < MIN_CONTAINER) continue;
    const sub = rest.filter((c) => c.size >= MEMORIZATION_RATIO * q.perSubjectRows);
    if (sub.length === 0) continue;
    findings.push({
      rule,
      severity: "block",
      detail: `${what} has ${sub.length} container(s) sized like the ${q.perSubjectRows} per-subject rows of accounted query ${q.q} (≥ ${MEMORIZATION_RATIO} ×): one entry per subject of a subset`,
      cells: sub.slice(0, 5).map((c) => ({ path: c.path, size: c.size })),
    });
    break;
  }
  return findings;
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.input.model === undefined) return [];
  return perSubjectContainers(ctx, "model-memorization", "model", modelValues(ctx.input.model).containers);
}

export const modelMemorizationRule: Rule = { name: "model-memorization", run };

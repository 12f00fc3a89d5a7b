import { invalid } from "../errors.js";
import { CELL_SUBJECTS_DEFAULTS } from "./rules/cell-subjects.js";
import { CANCELLATION_DEFAULTS } from "./rules/cancellation.js";
import { CONTRIBUTORS_DEFAULTS } from "./rules/contributors.js";
import { DIFFERENCING_DEFAULTS } from "./rules/differencing.js";
import { DOMINANCE_DEFAULTS } from "./rules/dominance.js";
import { IDENTIFIER_EQUIVALENT_DEFAULTS } from "./rules/identifier-equivalent.js";
import { K_ANONYMITY_DEFAULTS } from "./rules/k-anonymity.js";
import { L_DIVERSITY_DEFAULTS } from "./rules/l-diversity.js";
import { MODEL_CAPACITY_DEFAULTS } from "./content/rules/model-capacity.js";
import { P_PERCENT_DEFAULTS } from "./rules/p-percent.js";
import { RAW_VALUES_DEFAULTS } from "./rules/raw-values.js";
import type { Thresholds } from "./types.js";

/** Model arrays shorter than this are never per-row storage (model-memorization). */
const MAPPING_DEFAULTS = { minDistinctForMapping: 10 };
/** OpenSAFELY: redact counts ≤ 7 (the suppress-small remedy). */
const REMEDY_DEFAULTS = { suppressAtMost: 7 };

/** Every rule's defaults, gathered from the rule files (each documents its source). */
export function defaultThresholds(): Thresholds {
  return {
    ...CELL_SUBJECTS_DEFAULTS,
    ...CONTRIBUTORS_DEFAULTS,
    ...CANCELLATION_DEFAULTS,
    ...K_ANONYMITY_DEFAULTS,
    ...L_DIVERSITY_DEFAULTS,
    ...DOMINANCE_DEFAULTS,
    ...P_PERCENT_DEFAULTS,
    ...DIFFERENCING_DEFAULTS,
    ...MODEL_CAPACITY_DEFAULTS,
    ...MAPPING_DEFAULTS,
    ...RAW_VALUES_DEFAULTS,
    ...IDENTIFIER_EQUIVALENT_DEFAULTS,
    ...REMEDY_DEFAULTS,
  };
}

/** Defaults overlaid with `partial`; refuses values that would switch a rule off silently. */
export function resolveThresholds(partial: Partial<Thresholds> = {}): Thresholds {
  const t = { ...defaultThresholds(), ...partial };
  const bad = (Object.entries(t) as [keyof Thresholds, number][]).filter(([, v]) => !Number.isFinite(v) || v < 0);
  if (
    t.k < 2 || t.l < 1 || t.dominanceK > 1 || t.pPercent > 1 || bad.length > 0 || t.minCellCount < t.k ||
    t.differencingMin < 2 || ![1, 2].includes(t.dominanceN) || t.identifierRatio <= 0 || t.identifierRatio > 1 || t.suppressAtMost < t.k - 1 || t.contributorRest >= 1 || t.cancellationShare >= 1
  ) {
    throw invalid("BAD_THRESHOLDS", "thresholds must be finite and non-negative, with k ≥ 2, l ≥ 1, minCellCount ≥ k, differencingMin ≥ 2, dominanceN 1 or 2, dominanceK and pPercent ≤ 1, 0 < identifierRatio ≤ 1, suppressAtMost ≥ k − 1, contributorRest and cancellationShare < 1", {
      thresholds: t,
    });
  }
  return t;
}

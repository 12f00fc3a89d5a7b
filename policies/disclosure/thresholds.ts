import { invalid } from "../errors.js";
import { DIFFERENCING_DEFAULTS } from "./rules/differencing.js";
import { DOMINANCE_DEFAULTS } from "./rules/dominance.js";
import { K_ANONYMITY_DEFAULTS } from "./rules/k-anonymity.js";
import { L_DIVERSITY_DEFAULTS } from "./rules/l-diversity.js";
import { MODEL_CAPACITY_DEFAULTS } from "./content/rules/model-capacity.js";
import { ONE_TO_ONE_DEFAULTS } from "./rules/one-to-one.js";
import { P_PERCENT_DEFAULTS } from "./rules/p-percent.js";
import { RAW_VALUES_DEFAULTS } from "./rules/raw-values.js";
import { SMALL_CELLS_DEFAULTS } from "./rules/small-cells.js";
import type { Thresholds } from "./types.js";

/** Every rule's defaults, gathered from the rule files (each documents its source). */
export function defaultThresholds(): Thresholds {
  return {
    ...K_ANONYMITY_DEFAULTS,
    ...L_DIVERSITY_DEFAULTS,
    ...SMALL_CELLS_DEFAULTS,
    ...DOMINANCE_DEFAULTS,
    ...P_PERCENT_DEFAULTS,
    ...DIFFERENCING_DEFAULTS,
    ...MODEL_CAPACITY_DEFAULTS,
    ...ONE_TO_ONE_DEFAULTS,
    ...RAW_VALUES_DEFAULTS,
  };
}

/** Defaults overlaid with `partial`; refuses values that would switch a rule off silently. */
export function resolveThresholds(partial: Partial<Thresholds> = {}): Thresholds {
  const t = { ...defaultThresholds(), ...partial };
  const bad = (Object.entries(t) as [keyof Thresholds, number][]).filter(([, v]) => !Number.isFinite(v) || v < 0);
  if (t.k < 2 || t.l < 1 || t.dominanceK > 1 || t.pPercent > 1 || bad.length > 0) {
    throw invalid("BAD_THRESHOLDS", "thresholds must be finite and non-negative, with k ≥ 2, l ≥ 1, dominanceK and pPercent ≤ 1", {
      thresholds: t,
    });
  }
  return t;
}

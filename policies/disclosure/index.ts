import { asShuyuError } from "../errors.js";
import { CheckContext } from "./context.js";
import { addContentTables, CONTENT_RULES } from "./content/index.js";
import { differencingRule } from "./rules/differencing.js";
import { dominanceRule } from "./rules/dominance.js";
import { hashedIdentifiersRule } from "./rules/hashed-identifiers.js";
import { kAnonymityRule } from "./rules/k-anonymity.js";
import { lDiversityRule } from "./rules/l-diversity.js";
import { oneToOneRule } from "./rules/one-to-one.js";
import { pPercentRule } from "./rules/p-percent.js";
import { piiInTextRule } from "./rules/pii-in-text.js";
import { rawValuesRule } from "./rules/raw-values.js";
import { smallCellsRule } from "./rules/small-cells.js";
import { zeroCellsRule } from "./rules/zero-cells.js";
import type { CheckInput, Finding, Rule } from "./types.js";

export type * from "./types.js";
export { defaultThresholds, resolveThresholds } from "./thresholds.js";
export { inferTableKind, countColumnByName } from "./table-kind.js";
export { findPiiInText } from "./rules/pii-in-text.js";
export { walkModel, type ModelShape } from "./model-walk.js";
export { toFullWidth } from "./normalize.js";
export { extractTables, candidateForms, matchStrings, matchNumbers, matchTableValues, type ExtractedTable } from "./content/index.js";

/** Every rule, hard (block) rules first. */
export const RULES: readonly Rule[] = [
  rawValuesRule,
  hashedIdentifiersRule,
  oneToOneRule,
  kAnonymityRule,
  lDiversityRule,
  smallCellsRule,
  zeroCellsRule,
  dominanceRule,
  pPercentRule,
  differencingRule,
  piiInTextRule,
  ...CONTENT_RULES,
];

/**
 * Runs every rule on one egress request. Returns all findings; a rule with nothing to report
 * yields one `pass` finding so the manifest lists the checks passed. A rule that throws yields
 * a `block` finding (fail closed: an output the gate cannot check does not leave).
 */
export async function runChecks(input: CheckInput): Promise<Finding[]> {
  const ctx = await CheckContext.create(input);
  const findings: Finding[] = [];
  try {
    findings.push(...(await addContentTables(ctx)));
    for (const rule of RULES) {
      try {
        const found = await rule.run(ctx);
        findings.push(...(found.length ? found : [{ rule: rule.name, severity: "pass" as const, detail: "no finding" }]));
      } catch (err) {
        const e = asShuyuError(err);
        findings.push({ rule: rule.name, severity: "block", detail: `rule could not run (${e.code}): ${e.message}` });
      }
    }
  } finally {
    await ctx.cleanup();
  }
  return findings;
}

/** The worst severity among findings: block > review > pass. */
export function verdict(findings: readonly Finding[]): "block" | "review" | "pass" {
  if (findings.some((f) => f.severity === "block")) return "block";
  if (findings.some((f) => f.severity === "review")) return "review";
  return "pass";
}

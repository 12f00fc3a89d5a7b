import { asShuyuError } from "../errors.js";
import { CheckContext } from "./context.js";
import { addContentTables, CONTENT_RULES } from "./content/index.js";
import { cellSubjectsRule } from "./rules/cell-subjects.js";
import { computedTableRule } from "./rules/computed-table.js";
import { cancellationRule } from "./rules/cancellation.js";
import { contributorsRule } from "./rules/contributors.js";
import { differencingRule } from "./rules/differencing.js";
import { dominanceRule } from "./rules/dominance.js";
import { hashedIdentifiersRule } from "./rules/hashed-identifiers.js";
import { identifierEquivalentRule } from "./rules/identifier-equivalent.js";
import { kAnonymityRule } from "./rules/k-anonymity.js";
import { lDiversityRule } from "./rules/l-diversity.js";
import { nearConstantRule } from "./rules/near-constant.js";
import { pPercentRule } from "./rules/p-percent.js";
import { piiInTextRule } from "./rules/pii-in-text.js";
import { rawValuesRule } from "./rules/raw-values.js";
import { singleSubjectRule } from "./rules/single-subject.js";
import { valueListsRule } from "./rules/value-lists.js";
import { zeroCellsRule } from "./rules/zero-cells.js";
import type { CheckInput, Finding, Rule } from "./types.js";

export type * from "./types.js";
export { defaultThresholds, resolveThresholds } from "./thresholds.js";
export { findPiiInText } from "./rules/pii-in-text.js";
export { computedExplanation } from "./rules/computed-table.js";
export { walkModel, type ModelShape } from "./model-walk.js";
export { toFullWidth } from "./normalize.js";
export { extractTables, candidateForms, matchStrings, matchNumbers, matchTableValues, type ExtractedTable } from "./content/index.js";
export { applyRemedies, REMEDIES, type RemedyResult } from "./remedies.js";
export { canonicalReleaseSql, DEFAULT_PRECISION } from "./canonical.js";
export { RELEASED_STORE, ensureReleasedStore, recordReleasedCells } from "./released-cells.js";
export { precomputeRawFacts, RAW_FACTS_TABLE } from "./raw-facts.js";

/** Every rule, hard (block) rules first. */
export const RULES: readonly Rule[] = [
  computedTableRule,
  cellSubjectsRule,
  contributorsRule,
  nearConstantRule,
  cancellationRule,
  valueListsRule,
  differencingRule,
  kAnonymityRule,
  lDiversityRule,
  identifierEquivalentRule,
  rawValuesRule,
  hashedIdentifiersRule,
  singleSubjectRule,
  zeroCellsRule,
  dominanceRule,
  pPercentRule,
  piiInTextRule,
  ...CONTENT_RULES,
];

/** Rules that apply to tables only: run them alone at release time to difference against cells released meanwhile. */
export const RELEASE_TIME_RULES: readonly Rule[] = [differencingRule];

/**
 * Runs `rules` (default: every rule) on one egress request. Returns all findings; a rule with
 * nothing to report yields one `pass` finding so the manifest lists the checks passed. A rule
 * that throws yields a `block` finding (fail closed: an output the gate cannot check does not leave).
 */
export async function runChecks(input: CheckInput, rules: readonly Rule[] = RULES): Promise<Finding[]> {
  const ctx = await CheckContext.create(input);
  const findings: Finding[] = [];
  try {
    findings.push(...(await addContentTables(ctx)));
    for (const rule of rules) {
      try {
        const found = await rule.run(ctx);
        findings.push(...(found.length ? found : [{ rule: rule.name, severity: "pass" as const, detail: "no finding", zh: "未发现问题" }]));
      } catch (err) {
        const e = asShuyuError(err);
        findings.push({ rule: rule.name, severity: "block", detail: `rule could not run (${e.code}): ${e.message}`, zh: `规则无法运行（${e.code}），按阻断处理` });
      }
    }
  } finally {
    await ctx.cleanup();
  }
  return sortFindings(findings);
}

const ORDER = { block: 0, review: 1, pass: 2 } as const;

/** Blocks first, then reviews, then passes (stable within each). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}

/** The worst severity among findings: block > review > pass. */
export function verdict(findings: readonly Finding[]): "block" | "review" | "pass" {
  if (findings.some((f) => f.severity === "block")) return "block";
  if (findings.some((f) => f.severity === "review")) return "review";
  return "pass";
}

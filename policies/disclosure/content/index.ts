/** Content checks: models, reports, indices and logs, traced to the ledger and the raw data. */
import type { CheckContext } from "../context.js";
import { asShuyuError } from "../../errors.js";
import type { Finding, Rule } from "../types.js";
import { embeddedTables } from "./embedded.js";
import { embeddedTablesRule } from "./rules/embedded-tables.js";
import { indexMemorizationRule } from "./rules/index-memorization.js";
import { indexTraceRule } from "./rules/index-trace.js";
import { modelCapacityRule } from "./rules/model-capacity.js";
import { modelMemorizationRule } from "./rules/model-memorization.js";
import { modelRawValuesRule } from "./rules/model-raw-values.js";
import { textRawValuesRule } from "./rules/text-raw-values.js";
import { textTraceRule } from "./rules/text-trace.js";
import "./input.js";

export { candidateForms, canonical, joinDigitGroups, textTokens, type Form } from "./decode.js";
export { extractTables, proseOutside, type ExtractedTable } from "./extract-tables.js";
export { embeddedTables, type EmbeddedMark, type EmbeddedTable } from "./embedded.js";
export { matchNumbers, matchStrings, matchSubstrings, matchTableValues, decodableShapeSql, MAX_DECODED_VALUES, type Probe, type NumberProbe, type NumberGroup, type RawHit } from "./raw-match.js";
export { ledgerTable, ledgerSubjectsTable, ledgerCells, traceNumbers } from "./ledger.js";
export { numbersInText, codeConstants } from "./numbers.js";
export { modelValues, type ModelValues } from "./model-values.js";
export { MODEL_CAPACITY_DEFAULTS } from "./rules/model-capacity.js";
export { jobCodeFile, keepJobCode, readJobCode } from "./job-code.js";

/** Block rules first, then review rules. */
export const CONTENT_RULES: readonly Rule[] = [
  modelRawValuesRule,
  modelMemorizationRule,
  textRawValuesRule,
  embeddedTablesRule,
  indexMemorizationRule,
  modelCapacityRule,
  textTraceRule,
  indexTraceRule,
];

/**
 * Adds the report's embedded tables to the context's output tables, so the table rules check
 * them too. Fails closed: if they cannot be extracted or traced, a block finding says so.
 */
export async function addContentTables(ctx: CheckContext): Promise<Finding[]> {
  try {
    await embeddedTables(ctx);
    return [];
  } catch (err) {
    const e = asShuyuError(err);
    return [{ rule: "embedded-tables", severity: "block", detail: `embedded tables could not be checked (${e.code}): ${e.message}` }];
  }
}

export * from "./methods.js";
export { compileMethod, compileExpression, type CompileOptions } from "./compile.js";
export { applyPolicy, describeTable, type ApplyResult } from "./apply.js";
export { defaultMethodFor, defaultPolicyFor, type Grade, type ColumnHint, type ColumnTags } from "./defaults.js";
export { keyedPseudonym, assertSecret, MIN_SECRET_BYTES } from "./pseudonym.js";
export { quoteIdent, quoteTable, quoteLiteral } from "./sql-quote.js";
export { materializeHostMapping, tempName } from "./host-map.js";

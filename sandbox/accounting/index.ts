// Accounted queries: classification from the AST and the accounted statements (CONTRACT.md, "Accounted queries and the ledger").
export { planAccounting, type AccountingPlan, type AccountingView, type AggregatePlan, type RowsPlan, type SidGroup } from "./classify.js";
export { aggClass, type AggClass } from "./functions.js";
export { isObject, parseAst, statementJson, type Json, type JsonObject } from "./ast.js";
export { accountQuery, type AccountedQuery } from "./run.js";

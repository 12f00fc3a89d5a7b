// Public surface of the sandbox: the job contract, the worker pool and the SQL guard.
export type {
  ColumnarTable,
  ColumnRole,
  ColumnType,
  DeclaredKind,
  JobError,
  JobLimits,
  JobOutcome,
  JobOutputs,
  JobSpec,
  JobState,
  LedgerColumnMeta,
  LedgerQuery,
  LibraryView,
  LoggedQuery,
} from "./types.js";
export { DEFAULT_LIMITS } from "./types.js";
export { WorkerPool, workerRssCapMiB, type WorkerPoolOptions } from "./pool.js";
export { guardSql } from "./sqlguard/guard.js";
export type { GuardView } from "./sqlguard/roles.js";
export { toGuardViews } from "./sqlguard/guard-views.js";
export { openParserConnection } from "./sqlguard/parser.js";
export { transpileModel } from "./transpile.js";
export { columnNameProblem, outputNamesProblem, partNameProblem } from "./output-names.js";
export { isObject as isAstObject, parseAst, type Json as AstJson, type JsonObject as AstObject } from "./accounting/index.js";

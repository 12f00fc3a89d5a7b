// The release ledger: what the domain itself counted behind every result row of a job (CONTRACT.md).
export { LEDGER_QUERIES, ledgerMapTable, ledgerSubjectsTable, ledgerTable } from "./tables.js";
export { accountingSpec, dedupeQueries, purgeLedger, readLedger, writeLedger, type LedgerEntry } from "./ledger.js";
export { markTable, type TableMark } from "./match.js";
export { resultConstants, untracedCount, type JobOrigin } from "./constants.js";

export { AuditChain, readEntries, verifyChain, entryHash, GENESIS, type AuditEntry, type AuditInput, type VerifyResult } from "./chain.js";

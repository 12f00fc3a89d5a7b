export { PgConnection, numberPlaceholders, PG_COMPAT_FUNCTIONS } from "./pg-connection.js";
export { startLocalPostgres, createDatabase, dropDatabase, freePort, type LocalPostgres } from "./local-postgres.js";
export { appendPgAudit, readPgAudit, verifyPgAudit, CHECKPOINT_EVERY, PG_AUDIT_SCHEMA } from "./pg-audit.js";
export { installQueue, createWorkerRole, enqueueRun, cancelRun, awaitResult, RUN_TASK, WORKER_ROLE, CANCEL_CHANNEL, type RunPayload } from "./job-queue.js";
export { setupScaleOut, type ScaleSetup } from "./setup.js";
export { cancelRemoteRun } from "./remote-cancel.js";
export { lateRun, type LateRun } from "./late-results.js";
export { BlobStore, s3FromEnv, type S3Settings } from "./blob-store.js";
export { startWorkerHost, type WorkerHost } from "./worker-host.js";
export { spawnWorkerHost, type SpawnedHost } from "./spawn-host.js";
export { envelopeFromEnv, getVerified, putContent, putOutcome, storageKeys, storageKeyPath, type EnvelopeMode, type ObjectRef, type StorageKeys } from "./object-envelope.js";
export {
  exportVaultVersion, fetchVaultVersion, recordedVaultExport, restoreVaultVersion, vaultCacheDir, vaultStoreOf, VAULT_MANIFEST_FORMAT, type VaultManifest, type VaultStore,
} from "./vault-export.js";

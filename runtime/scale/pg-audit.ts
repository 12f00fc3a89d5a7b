import { CHECKPOINT_ACTION, entryHash, GENESIS, verifyChain, type AuditEntry, type AuditInput, type VerifyResult } from "../audit/chain.js";
import { canonicalJson } from "../canonical-json.js";
import { now } from "../clock.js";
import { checkpointVerifier } from "../domain/checkpoint.js";
import type { PgConnection } from "./pg-connection.js";

/**
 * The audit chain of a PostgreSQL domain: the same SM3-linked entries as audit/chain.jsonl,
 * one row each in `audit_log`, appended in the caller's transaction (so an entry exists
 * exactly when the action committed). Appends are serialised across every owner process by
 * a transaction-scoped advisory lock; a trigger refuses UPDATE, DELETE and TRUNCATE, and
 * every CHECKPOINT_EVERY entries a checkpoint entry carries the seal's SM2 signature over the
 * head (the chain file's checkpoint format, runtime/domain/checkpoint.ts), so even a superuser who drops the trigger cannot rewrite history unseen.
 */
export const PG_AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_log (seq BIGINT PRIMARY KEY, entry TEXT NOT NULL, hash VARCHAR(64) NOT NULL, checkpoint BOOLEAN NOT NULL);
CREATE INDEX IF NOT EXISTS audit_log_checkpoints ON audit_log (seq) WHERE checkpoint;
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $fn$;
DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
`;

/** The advisory lock key that serialises appends (any fixed 64-bit number; "shuyu-au" in ASCII). */
const AUDIT_LOCK = "7526220436766627189";

/** A signed checkpoint follows at most this many ordinary entries. */
export const CHECKPOINT_EVERY = 32;

async function insert(conn: PgConnection, prev: { seq: number; hash: string }, input: AuditInput): Promise<AuditEntry> {
  const base = { seq: prev.seq + 1, time: now().toISOString(), actor: input.actor, action: input.action, object: input.object, details: input.details ?? {}, prev: prev.hash };
  const entry: AuditEntry = { ...base, hash: entryHash(base) };
  await conn.native("INSERT INTO audit_log VALUES ($1, $2, $3, $4)", [entry.seq, canonicalJson(entry), entry.hash, entry.action === CHECKPOINT_ACTION]);
  return entry;
}

/**
 * Appends one entry inside the connection's open transaction (`input` may be computed from
 * the head, read under the lock) and, when the run since the last checkpoint is full, the
 * checkpoint `checkpointOf(head)` gives; returns the last entry written.
 */
export async function appendPgAudit(
  conn: PgConnection,
  input: AuditInput | ((head: { seq: number; hash: string }) => AuditInput),
  checkpointOf: (head: { seq: number; hash: string }) => AuditInput,
): Promise<AuditEntry> {
  await conn.native(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const last = (await conn.native("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).rows[0] as { seq: bigint; hash: string } | undefined;
  const head = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS };
  const entry = await insert(conn, head, typeof input === "function" ? input(head) : input);
  if (entry.action === CHECKPOINT_ACTION) return entry;
  const signed = (await conn.native("SELECT coalesce(max(seq), 0) AS seq FROM audit_log WHERE checkpoint")).rows[0] as { seq: bigint };
  if (entry.seq - Number(signed.seq) < CHECKPOINT_EVERY) return entry;
  return insert(conn, entry, checkpointOf(entry));
}

/** Every entry in sequence order. */
export async function readPgAudit(conn: PgConnection): Promise<AuditEntry[]> {
  const rows = (await conn.native("SELECT entry FROM audit_log ORDER BY seq")).rows as { entry: string }[];
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

/**
 * verifyChain with the seal's checkpoint signatures (checkpointVerifier, pinned by the chain's
 * first entry), and stricter on unsigned runs than the chain file: appends sign inside their
 * own transaction, so no run of unsigned entries is ever longer than CHECKPOINT_EVERY.
 */
export function verifyPgAudit(entries: AuditEntry[], anchor: { seq: number; hash: string } | undefined, keysDir: string, domainId: string): VerifyResult {
  const base = verifyChain(entries, anchor, checkpointVerifier(keysDir, domainId, entries));
  if (!base.ok) return base;
  let unsigned = 0;
  for (const e of entries) {
    if (e.action === CHECKPOINT_ACTION) unsigned = 0;
    else if (++unsigned > CHECKPOINT_EVERY) return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `more than ${CHECKPOINT_EVERY} entries without a signed checkpoint (checkpoints were removed)` };
  }
  return base;
}

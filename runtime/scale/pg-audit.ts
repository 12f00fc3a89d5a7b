import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCertificate, sm2, sm3Hex } from "../../crypto/index.js";
import { entryHash, GENESIS, verifyChain, type AuditEntry, type AuditInput, type VerifyResult } from "../audit/chain.js";
import { canonicalJson } from "../canonical-json.js";
import { now } from "../clock.js";
import type { Seal } from "../domain/seal.js";
import type { PgConnection } from "./pg-connection.js";

/**
 * The audit chain of a PostgreSQL domain: the same SM3-linked entries as audit/chain.jsonl,
 * one row each in `audit_log`, appended in the caller's transaction (so an entry exists
 * exactly when the action committed). Appends are serialised across every owner process by
 * a transaction-scoped advisory lock; a trigger refuses UPDATE, DELETE and TRUNCATE, and
 * every CHECKPOINT_EVERY entries a checkpoint entry carries the seal's SM2 signature over the
 * head, so even a superuser who drops the trigger cannot rewrite history unseen.
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

/** A signed checkpoint follows this many ordinary entries. */
export const CHECKPOINT_EVERY = 32;

const CHECKPOINT = "audit.checkpoint";

/** The bytes a checkpoint signs: the head it vouches for. */
function checkpointMessage(head: { seq: number; hash: string }): Uint8Array {
  return new TextEncoder().encode(`shuyu audit checkpoint\n${head.seq}\n${head.hash}\n`);
}

async function insert(conn: PgConnection, prev: { seq: number; hash: string }, input: AuditInput): Promise<AuditEntry> {
  const base = { seq: prev.seq + 1, time: now().toISOString(), actor: input.actor, action: input.action, object: input.object, details: input.details ?? {}, prev: prev.hash };
  const entry: AuditEntry = { ...base, hash: entryHash(base) };
  await conn.native("INSERT INTO audit_log VALUES ($1, $2, $3, $4)", [entry.seq, canonicalJson(entry), entry.hash, entry.action === CHECKPOINT]);
  return entry;
}

/**
 * Appends one entry inside the connection's open transaction (and, when the run since
 * the last checkpoint is full, a checkpoint signed by `seal()`); returns the last entry written.
 */
export async function appendPgAudit(conn: PgConnection, input: AuditInput, seal: () => Seal): Promise<AuditEntry> {
  await conn.native(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);
  const last = (await conn.native("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).rows[0] as { seq: bigint; hash: string } | undefined;
  const entry = await insert(conn, last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS }, input);
  const signed = (await conn.native("SELECT coalesce(max(seq), 0) AS seq FROM audit_log WHERE checkpoint")).rows[0] as { seq: bigint };
  if (entry.seq - Number(signed.seq) < CHECKPOINT_EVERY) return entry;
  const s = seal();
  const signature = Buffer.from(sm2.sign(checkpointMessage(entry), s.privateKey)).toString("base64");
  return insert(conn, entry, { actor: "system", action: CHECKPOINT, object: "audit", details: { head: { seq: entry.seq, hash: entry.hash }, signature, seal: s.fingerprint } });
}

/** Every entry in sequence order. */
export async function readPgAudit(conn: PgConnection): Promise<AuditEntry[]> {
  const rows = (await conn.native("SELECT entry FROM audit_log ORDER BY seq")).rows as { entry: string }[];
  return rows.map((r) => JSON.parse(r.entry) as AuditEntry);
}

/**
 * verifyChain plus the signatures: each checkpoint must vouch for the entry before it with
 * the seal whose fingerprint the chain's first entry (domain.init) pinned, and no run of
 * unsigned entries may be longer than CHECKPOINT_EVERY (a rewritten chain cannot be re-signed).
 */
export function verifyPgAudit(entries: AuditEntry[], anchor: { seq: number; hash: string } | undefined, keysDir: string): VerifyResult {
  const base = verifyChain(entries, anchor);
  if (!base.ok) return base;
  const bad = (seq: number, problem: string): VerifyResult => ({ ok: false, entries: entries.length, firstBadSeq: seq, problem });
  const pinned = entries[0]?.details.seal;
  const cert = parseCertificate(readFileSync(join(keysDir, "seal.cert.pem"), "utf8"));
  if (entries.length && sm3Hex(cert.der) !== pinned) return bad(1, "the seal certificate is not the one the chain's first entry pinned");
  let unsigned = 0;
  for (const e of entries) {
    if (e.action !== CHECKPOINT) {
      if (++unsigned > CHECKPOINT_EVERY) return bad(e.seq, `more than ${CHECKPOINT_EVERY} entries without a signed checkpoint (rewritten chain?)`);
      continue;
    }
    const d = e.details as { head?: { seq: number; hash: string }; signature?: string; seal?: string };
    const before = entries[e.seq - 2];
    if (!d.head || !d.signature || !before || d.head.seq !== before.seq || d.head.hash !== before.hash) return bad(e.seq, "a checkpoint does not vouch for the entry before it");
    if (d.seal !== pinned || !sm2.verify(checkpointMessage(d.head), Buffer.from(d.signature, "base64"), cert.publicKey)) return bad(e.seq, "a checkpoint's seal signature does not verify");
    unsigned = 0;
  }
  return base;
}

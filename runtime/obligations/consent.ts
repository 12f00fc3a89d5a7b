/**
 * Data subjects' authorizations (GZ 23, ZJ 20, HB 27(2)): consent records keyed by a
 * keyed digest of the subject's key value (the value itself is never stored: ID numbers
 * are few enough to brute-force a plain hash), with scope, term and revocation; and the
 * legal basis each scenario uses personal information on.
 */
import { createHmac, randomBytes } from "node:crypto";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { ConsentInput, LegalBasisInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import { all, one } from "../domain/db.js";
import { subjectSecret } from "../domain/subject-secret.js";
import { loadScenario } from "../services/scenarios.js";
import type { Session } from "../services/session.js";
import { datasetSubject } from "../services/subjects.js";

/** A consent record as shown (the digest, never the key value). */
export interface Consent {
  id: string; dataset: string; subjectDigest: string; scope: string; granted: string; expires: string; evidence: string;
  state: "active" | "revoked"; revokedAt: string | null; recordedBy: string; recordedAt: string;
}

type Row = { id: string; dataset: string; subject_digest: string; scope: string; granted_on: string; expires: string; evidence: string; state: Consent["state"]; revoked_at: Date | null; recorded_by: string; recorded_at: Date };
const SELECT = "SELECT id, dataset, subject_digest, scope, strftime(granted_on, '%Y-%m-%d') AS granted_on, strftime(expires, '%Y-%m-%d') AS expires, evidence, state, revoked_at, recorded_by, recorded_at FROM consents";
const toConsent = (r: Row): Consent => ({
  id: r.id, dataset: r.dataset, subjectDigest: r.subject_digest, scope: r.scope, granted: r.granted_on, expires: r.expires, evidence: r.evidence,
  state: r.state, revokedAt: r.revoked_at?.toISOString() ?? null, recordedBy: r.recorded_by, recordedAt: r.recorded_at.toISOString(),
});

/** HMAC-SM3 under the domain's subject secret of the subject kind and canonical key value(s). */
export function subjectDigest(keysDir: string, kind: string, values: (string | number)[]): string {
  const canonical = JSON.stringify(values.map((v) => String(v).trim().toUpperCase()));
  return createHmac("sm3", subjectSecret(keysDir)).update(`${kind}\u0000${canonical}`).digest("hex");
}

/** Records a data subject's authorization (operator admin, from a signed authorization it keeps as evidence). */
export async function recordConsent(s: Session, raw: unknown): Promise<Consent> {
  authorize(s.principal, "consent.record");
  const input = parseInput(ConsentInput, raw, "consent");
  const subject = await datasetSubject(s, input.dataset);
  if (!subject) throw new ShuyuError("invalid", "SUBJECT_KEY_MISSING", `dataset '${input.dataset}' has no subject key: whose authorization would this be?`, { details: { dataset: input.dataset } });
  if (subject.kind !== "person") throw new ShuyuError("invalid", "NOT_PERSONAL_DATA", `dataset '${input.dataset}' is about ${subject.kind}s, not persons: consent records are for personal information`);
  if (input.subject.length !== subject.columns.length) throw new ShuyuError("invalid", "SUBJECT_KEY_SHAPE", `the subject key of '${input.dataset}' is ${subject.columns.join(", ")}: give ${subject.columns.length} value(s)`, { details: { columns: subject.columns } });
  const digest = subjectDigest(s.domain.paths.keys, subject.kind, input.subject);
  const id = `cns-${today().replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT INTO consents VALUES (?, ?, ?, ?, ?::DATE, ?::DATE, ?, 'active', NULL, ?, ?::TIMESTAMP)", [
      id, input.dataset, digest, input.scope, input.granted, input.expires, input.evidence, s.principal.accountId, now().toISOString(),
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "consent.record", object: `consent:${id}`, details: { dataset: input.dataset, subjectDigest: digest, scope: input.scope, granted: input.granted, expires: input.expires } });
    return loadConsent(s, id);
  });
}

async function loadConsent(s: Pick<Session, "domain">, id: string): Promise<Consent> {
  const r = await one<Row>(s.domain.control, `${SELECT} WHERE id = ?`, [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `consent '${id}' does not exist`, { details: { what: "consent", id } });
  return toConsent(r);
}

/** Revokes a consent; the next call about that person is refused. */
export async function revokeConsent(s: Session, id: string, reason: string): Promise<Consent> {
  authorize(s.principal, "consent.revoke");
  if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", "a revocation states its reason: --reason TEXT");
  return s.domain.mutate(async () => {
    const c = await loadConsent(s, id);
    if (c.state !== "active") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `consent '${id}' is already ${c.state}`);
    await s.domain.control.run("UPDATE consents SET state = 'revoked', revoked_at = ?::TIMESTAMP WHERE id = ?", [now().toISOString(), id]);
    await s.domain.audit({ actor: s.principal.accountId, action: "consent.revoke", object: `consent:${id}`, details: { reason, subjectDigest: c.subjectDigest } });
    return loadConsent(s, id);
  });
}

/** Every consent record (operator and supervision view). */
export async function listConsents(s: Session): Promise<Consent[]> {
  authorize(s.principal, "consent.read");
  return (await all<Row>(s.domain.control, `${SELECT} ORDER BY recorded_at, id`)).map(toConsent);
}

/** The consent in force now for this subject and product/scenario, if any (never writes). */
export async function consentInForce(s: Pick<Session, "domain">, dataset: string, digest: string, product: string, scenario: string): Promise<string | undefined> {
  const r = await one<{ id: string }>(
    s.domain.control,
    "SELECT id FROM consents WHERE dataset = ? AND subject_digest = ? AND state = 'active' AND granted_on <= ?::DATE AND expires >= ?::DATE AND scope IN ('*', ?, ?) LIMIT 1",
    [dataset, digest, today(), today(), `product:${product}`, `scenario:${scenario}`],
  );
  return r?.id;
}

/** Records the legal basis (desensitized use, or subjects' authorization) a scenario uses personal information on. */
export async function recordLegalBasis(s: Session, raw: unknown): Promise<{ scenario: string; basis: string; note: string }> {
  authorize(s.principal, "basis.record");
  const input = parseInput(LegalBasisInput, raw, "basis");
  await loadScenario(s, input.scenario);
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT OR REPLACE INTO legal_bases VALUES (?, ?, ?, ?, ?::TIMESTAMP)", [input.scenario, input.basis, input.note, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "basis.record", object: `scenario:${input.scenario}`, details: { basis: input.basis, note: input.note } });
    return input;
  });
}

/** A scenario's recorded legal basis, if any. */
export async function legalBasis(s: Pick<Session, "domain">, scenario: string): Promise<{ basis: string; note: string } | undefined> {
  return one<{ basis: string; note: string }>(s.domain.control, "SELECT basis, note FROM legal_bases WHERE scenario = ?", [scenario]);
}

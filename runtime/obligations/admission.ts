/**
 * Developer admission and evaluation (GZ 9, ZJ 9, ZJ 14(5), GZ 20, ZJ 31, GY 35) and
 * real-name personnel with confidentiality agreements (HB 24(1)). An application is
 * publicised for a period before it can be admitted; once the domain requires admission
 * (`admission policy --require`), the one state check refuses developers not admitted.
 */
import { randomBytes } from "node:crypto";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { AdmissionApplyInput, AdmissionDecideInput, AdmissionPolicyInput, EvaluationInput, PersonnelInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { addDays, now, today } from "../clock.js";
import { all, one } from "../domain/db.js";
import { getOrg } from "../services/orgs.js";
import type { Session } from "../services/session.js";
import { admissionRequired } from "./access.js";

/** An application for admission. */
export interface Admission { id: string; org: string; qualifications: string; state: "publicity" | "admitted" | "rejected" | "removed"; appliedAt: string; publicityUntil: string; decidedBy: string | null; decidedAt: string | null; reason: string | null }
type Row = { id: string; org: string; qualifications: string; state: Admission["state"]; applied_at: Date; until: string; decided_by: string | null; decided_at: Date | null; reason: string | null };
const SELECT = "SELECT *, strftime(publicity_until, '%Y-%m-%d') AS until FROM admissions";
const toAdmission = (r: Row): Admission => ({ id: r.id, org: r.org, qualifications: r.qualifications, state: r.state, appliedAt: r.applied_at.toISOString(), publicityUntil: r.until, decidedBy: r.decided_by, decidedAt: r.decided_at?.toISOString() ?? null, reason: r.reason });


async function load(s: Pick<Session, "domain">, id: string): Promise<Admission> {
  const r = await one<Row>(s.domain.control, `${SELECT} WHERE id = ?`, [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `admission '${id}' does not exist`, { details: { what: "admission", id } });
  return toAdmission(r);
}

/** A developer organisation applies with its qualifications; the application is publicised for `publicityDays`. */
export async function applyAdmission(s: Session, raw: unknown): Promise<Admission> {
  const input = parseInput(AdmissionApplyInput, raw, "admission");
  authorize(s.principal, "admission.apply", { ownerOrg: input.org });
  const org = await getOrg(s, input.org);
  if (org.kind !== "developer") throw new ShuyuError("invalid", "NOT_A_DEVELOPER", `organisation '${org.id}' is a ${org.kind}; admission is for developer organisations`);
  const id = `adm-${today().replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  const until = addDays(today(), input.publicityDays);
  return s.domain.mutate(async () => {
    if (await one(s.domain.control, "SELECT 1 FROM admissions WHERE org = ? AND state IN ('publicity', 'admitted')", [org.id])) throw new ShuyuError("invalid", "ALREADY_APPLIED", `organisation '${org.id}' already has an application in publicity or is admitted`);
    await s.domain.control.run("INSERT INTO admissions VALUES (?, ?, ?, 'publicity', ?::TIMESTAMP, ?::DATE, NULL, NULL, NULL)", [id, org.id, input.qualifications, now().toISOString(), until]);
    await s.domain.audit({ actor: s.principal.accountId, action: "admission.apply", object: `admission:${id}`, details: { org: org.id, publicityUntil: until } });
    return load(s, id);
  });
}

/** The operator admits (after the publicity period), rejects, or removes an admitted organisation (GZ 20, ZJ 31). */
export async function decideAdmission(s: Session, raw: unknown): Promise<Admission> {
  authorize(s.principal, "admission.decide");
  const input = parseInput(AdmissionDecideInput, raw, "decision");
  return s.domain.mutate(async () => {
    const a = await load(s, input.id);
    const from = input.decision === "remove" ? "admitted" : "publicity";
    if (a.state !== from) throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `admission '${a.id}' is ${a.state}; ${input.decision} applies to an application in ${from}`);
    if (input.decision === "admit" && today() <= a.publicityUntil) throw new ShuyuError("invalid", "PUBLICITY_NOT_OVER", `the publicity period of '${a.id}' runs until ${a.publicityUntil}; admit after it (GZ 9, ZJ 9)`, { details: { until: a.publicityUntil } });
    const state = { admit: "admitted", reject: "rejected", remove: "removed" }[input.decision];
    await s.domain.control.run("UPDATE admissions SET state = ?, decided_by = ?, decided_at = ?::TIMESTAMP, reason = ? WHERE id = ?", [state, s.principal.accountId, now().toISOString(), input.reason, a.id]);
    await s.domain.audit({ actor: s.principal.accountId, action: `admission.${input.decision}`, object: `admission:${a.id}`, details: { org: a.org, reason: input.reason } });
    return load(s, a.id);
  });
}

/** Applications (a developer sees its own organisation's). */
export async function listAdmissions(s: Session): Promise<{ required: boolean; admissions: Admission[]; evaluations: { id: string; org: string; period: string; score: number; text: string; by: string; at: string }[] }> {
  authorize(s.principal, "admission.read");
  const mine = (o: string) => s.principal.orgKind === "operator" || s.principal.orgKind === "regulator" || o === s.principal.orgId;
  const admissions = (await all<Row>(s.domain.control, `${SELECT} ORDER BY applied_at, id`)).map(toAdmission).filter((a) => mine(a.org));
  const evaluations = (await all<{ id: string; org: string; period: string; score: number; text: string; recorded_by: string; recorded_at: Date }>(s.domain.control, "SELECT * FROM evaluations ORDER BY recorded_at, id"))
    .filter((e) => mine(e.org)).map((e) => ({ id: e.id, org: e.org, period: e.period, score: e.score, text: e.text, by: e.recorded_by, at: e.recorded_at.toISOString() }));
  return { required: await admissionRequired(s), admissions, evaluations };
}

/** Records a performance evaluation of a developer organisation (GZ 20, ZJ 31). */
export async function recordEvaluation(s: Session, raw: unknown) {
  authorize(s.principal, "evaluation.record");
  const input = parseInput(EvaluationInput, raw, "evaluation");
  await getOrg(s, input.org);
  const id = `evl-${today().replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMP)", [id, input.org, input.period, input.score, input.text, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "evaluation.record", object: `org:${input.org}`, details: { id, period: input.period, score: input.score } });
    return { id, ...input };
  });
}

/** Records that an account's holder is real-name verified and signed a confidentiality agreement (HB 24(1)). */
export async function recordPersonnel(s: Session, raw: unknown) {
  authorize(s.principal, "personnel.record");
  const input = parseInput(PersonnelInput, raw, "personnel");
  if (!(await one(s.domain.control, "SELECT 1 FROM accounts WHERE id = ?", [input.account]))) throw new ShuyuError("invalid", "NOT_FOUND", `account '${input.account}' does not exist`, { details: { what: "account", id: input.account } });
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT OR REPLACE INTO personnel VALUES (?, true, ?, ?::DATE, ?, ?::TIMESTAMP)", [input.account, input.confidentialityRef, input.signedOn, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "personnel.record", object: `account:${input.account}`, details: { confidentialityRef: input.confidentialityRef, signedOn: input.signedOn } });
    return { id: input.account, ...input };
  });
}

/** Switches the admission requirement on or off (audited). */
export async function setAdmissionPolicy(s: Session, raw: unknown): Promise<{ required: boolean }> {
  authorize(s.principal, "admission.policy");
  const input = parseInput(AdmissionPolicyInput, raw, "policy");
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT OR REPLACE INTO meta VALUES ('admission_required', ?)", [String(input.required)]);
    await s.domain.audit({ actor: s.principal.accountId, action: "admission.policy", object: "admission", details: input });
    return input;
  });
}

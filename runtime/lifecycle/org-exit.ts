import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { all, one } from "../domain/db.js";
import { expireLapsed, getAgreement, type Agreement } from "../services/agreements.js";
import type { Session } from "../services/session.js";
import { purgeAgreement, purgeReceipts, type PurgeReceipt } from "./purge.js";

/**
 * Removes a developer organisation (GZ 20, ZJ 31, GY 35: removal after evaluation;
 * GZ 26, HLJ 30: termination for breach): every live agreement is terminated and purged,
 * every account revoked, and the organisation can act no more. Ending one agreement is
 * `agreement terminate`; this ends the organisation.
 */
export async function terminateOrg(s: Session, org: string, reason: string): Promise<{ id: string; state: string; receipts: PurgeReceipt[]; revokedAccounts: string[] }> {
  authorize(s.principal, "org.terminate");
  if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", "--reason is required to terminate an organisation");
  return s.domain.mutate(async () => {
    await expireLapsed(s);
    const o = await one<{ kind: string; state: string }>(s.domain.control, "SELECT kind, state FROM orgs WHERE id = ?", [org]);
    if (!o) throw new ShuyuError("invalid", "NOT_FOUND", `organisation '${org}' does not exist`, { details: { what: "organisation", id: org } });
    if (o.kind !== "developer") throw new ShuyuError("invalid", "NOT_A_DEVELOPER", `only developer organisations are terminated this way; '${org}' is a ${o.kind}`);
    if (o.state !== "active") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `organisation '${org}' is ${o.state}`);
    const receipts: PurgeReceipt[] = [];
    for (const a of await all<{ id: string }>(s.domain.control, "SELECT id FROM agreements WHERE org = ? AND state IN ('active','suspended') ORDER BY id", [org])) {
      await s.domain.control.run("UPDATE agreements SET state = 'terminated', reason = ? WHERE id = ?", [reason, a.id]);
      await s.domain.audit({ actor: s.principal.accountId, action: "agreement.terminate", object: `agreement:${a.id}`, details: { reason, org, with: "org.terminate" } });
      receipts.push(await purgeAgreement(s, a.id, "terminated", s.principal.accountId));
    }
    const revoked = (await all<{ id: string }>(s.domain.control, "SELECT id FROM accounts WHERE org = ? AND state = 'active' ORDER BY id", [org])).map((r) => r.id);
    await s.domain.control.run("UPDATE accounts SET state = 'revoked' WHERE org = ? AND state = 'active'", [org]);
    await s.domain.control.run("UPDATE orgs SET state = 'terminated' WHERE id = ?", [org]);
    const all_revoked = [...new Set([...receipts.flatMap((r) => r.revokedAccounts), ...revoked])].sort();
    await s.domain.audit({ actor: s.principal.accountId, action: "org.terminate", object: `org:${org}`, details: { reason, agreements: receipts.map((r) => r.agreement), receipts: receipts.map((r) => r.id), revokedAccounts: all_revoked } });
    return { id: org, state: "terminated", receipts, revokedAccounts: all_revoked };
  });
}

/** One agreement with its scenarios and purge receipts (`shuyu agreement show`). */
export async function showAgreement(s: Session, id: string): Promise<Agreement & { scenarios: { id: string; state: string }[]; purges: (PurgeReceipt & { sm3: string })[] }> {
  await s.domain.mutate(() => expireLapsed(s));
  const a = await getAgreement(s, id);
  authorize(s.principal, "agreement.read", { ownerOrg: a.org });
  const scenarios = await all<{ id: string; state: string }>(s.domain.control, "SELECT id, state FROM scenarios WHERE agreement = ? ORDER BY id", [id]);
  return { ...a, scenarios, purges: await purgeReceipts(s, { agreement: id }) };
}

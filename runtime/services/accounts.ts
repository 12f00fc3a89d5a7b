import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput, RoleSchema, type OrgKind, type Role } from "../../policies/schemas/common.js";
import { newSalt, newToken, tokenDigest } from "../auth/tokens.js";
import { now } from "../clock.js";
import type { Domain } from "../domain/domain.js";
import { all, one } from "../domain/db.js";
import { getOrg } from "./orgs.js";
import type { Session } from "./session.js";

/** Which roles an account may hold in each kind of organisation. */
const ROLES_BY_ORG_KIND: Record<OrgKind, Role[]> = {
  operator: ["admin", "reviewer", "auditor"],
  provider: ["provider", "reviewer"],
  developer: ["developer"],
  // A supervising authority reads everything and changes nothing (ZJ 17, HB 17(4), HB 36).
  regulator: ["auditor"],
};

export const AddAccountInput = z.object({
  id: IdSchema,
  name: z.string().trim().min(1, "a real name is required").max(200),
  org: IdSchema,
  roles: z.array(RoleSchema).min(1, "at least one role"),
});

export interface Account {
  id: string;
  name: string;
  org: string;
  roles: Role[];
  state: string;
}

/** Inserts an account and returns its one-time token (used by init and account add). */
export async function insertAccount(domain: Domain, actor: string, a: { id: string; name: string; org: string; roles: Role[] }): Promise<string> {
  const token = newToken(a.id);
  const salt = newSalt();
  await domain.control.run("INSERT INTO accounts VALUES (?, ?, ?, ?, ?, ?, 'active', ?::TIMESTAMP, ?)", [
    a.id, a.name, a.org, JSON.stringify(a.roles), salt, tokenDigest(token, salt), now().toISOString(), actor,
  ]);
  await domain.audit({ actor, action: "account.add", object: `account:${a.id}`, details: { name: a.name, org: a.org, roles: a.roles } });
  return token;
}

/** Creates a real-name account; the token is returned once and stored only as a salted SM3 digest. */
export async function addAccount(s: Session, raw: unknown): Promise<Account & { token: string }> {
  authorize(s.principal, "account.add");
  const input = parseInput(AddAccountInput, raw, "account");
  return s.domain.mutate(async () => {
    const org = await getOrg(s, input.org);
    if (org.state !== "active") throw new ShuyuError("invalid", "ORG_INACTIVE", `organisation '${org.id}' is ${org.state}`);
    const allowed = ROLES_BY_ORG_KIND[org.kind as OrgKind];
    const wrong = input.roles.filter((r) => !allowed.includes(r));
    if (wrong.length) {
      throw new ShuyuError("invalid", "ROLE_NOT_ALLOWED", `role ${wrong.join(",")} cannot be held in a ${org.kind} organisation (allowed: ${allowed.join(",")})`, {
        details: { roles: wrong, orgKind: org.kind },
      });
    }
    if (await one(s.domain.control, "SELECT 1 FROM accounts WHERE id = ?", [input.id])) {
      throw new ShuyuError("invalid", "DUPLICATE_ID", `account '${input.id}' already exists`, { details: { id: input.id } });
    }
    const roles = [...new Set(input.roles)];
    const token = await insertAccount(s.domain, s.principal.accountId, { ...input, roles });
    return { id: input.id, name: input.name, org: input.org, roles, state: "active", token };
  });
}

/** Lists accounts (never their token digests). */
export async function listAccounts(s: Session): Promise<Account[]> {
  authorize(s.principal, "account.list");
  const rows = await all<{ id: string; name: string; org: string; roles: string; state: string }>(s.domain.control, "SELECT id, name, org, roles, state FROM accounts ORDER BY id");
  return rows.map((r) => ({ ...r, roles: JSON.parse(r.roles) as Role[] }));
}

/** Revokes an account: its token stops working at once. */
export async function revokeAccount(s: Session, id: string, reason: string): Promise<Account> {
  authorize(s.principal, "account.revoke");
  return s.domain.mutate(async () => {
    const row = await one<{ state: string }>(s.domain.control, "SELECT state FROM accounts WHERE id = ?", [id]);
    if (!row) throw new ShuyuError("invalid", "NOT_FOUND", `account '${id}' does not exist`, { details: { what: "account", id } });
    if (id === s.principal.accountId) throw new ShuyuError("invalid", "SELF_REVOKE", "an account cannot revoke itself");
    await s.domain.control.run("UPDATE accounts SET state = 'revoked' WHERE id = ?", [id]);
    await s.domain.audit({ actor: s.principal.accountId, action: "account.revoke", object: `account:${id}`, details: { reason } });
    const list = await all<{ id: string; name: string; org: string; roles: string; state: string }>(s.domain.control, "SELECT id, name, org, roles, state FROM accounts WHERE id = ?", [id]);
    return { ...list[0], roles: JSON.parse(list[0].roles) as Role[] };
  });
}

import type { Domain } from "../domain/domain.js";
import { one } from "../domain/db.js";
import type { Principal } from "../../policies/authz/principal.js";
import type { OrgKind, Role } from "../../policies/schemas/common.js";
import { ShuyuError } from "../../policies/errors.js";
import { tokenAccount, tokenMatches } from "./tokens.js";

const unauthenticated = (why: string) =>
  new ShuyuError("denied", "UNAUTHENTICATED", `${why}: pass --token TOKEN or set SHUYU_TOKEN to an active account's token`);

/** Checks a token against the stored salted digest and returns the acting principal. */
export async function authenticate(domain: Domain, token: string | undefined): Promise<Principal> {
  if (!token) throw unauthenticated("no token given");
  const accountId = tokenAccount(token);
  if (!accountId) throw unauthenticated("malformed token");
  const row = await one<{ id: string; name: string; org: string; roles: string; token_salt: string; token_digest: string; state: string; org_kind: OrgKind; org_state: string }>(
    domain.control,
    `SELECT a.*, o.kind AS org_kind, o.state AS org_state FROM accounts a JOIN orgs o ON o.id = a.org WHERE a.id = ?`,
    [accountId],
  );
  if (!row || !tokenMatches(token, row.token_salt, row.token_digest)) throw unauthenticated("unknown or wrong token");
  if (row.state !== "active") throw new ShuyuError("denied", "ACCOUNT_REVOKED", `account '${row.id}' is ${row.state}`);
  if (row.org_state !== "active") throw new ShuyuError("denied", "ORG_INACTIVE", `organisation '${row.org}' is ${row.org_state}`);
  return { accountId: row.id, name: row.name, orgId: row.org, orgKind: row.org_kind, roles: JSON.parse(row.roles) as Role[] };
}

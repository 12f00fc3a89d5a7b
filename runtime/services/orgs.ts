import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { all, one } from "../domain/db.js";
import type { Session } from "./session.js";

export const AddOrgInput = z.object({
  id: IdSchema,
  name: z.string().trim().min(1, "name is required").max(200),
  kind: z.enum(["provider", "developer", "regulator"], { message: "kind is developer, provider or regulator (the operator organisation is created by init)" }),
});

export interface Org {
  id: string;
  name: string;
  kind: string;
  state: string;
}

/** Registers a provider or developer organisation. */
export async function addOrg(s: Session, raw: unknown): Promise<Org> {
  authorize(s.principal, "org.add");
  const input = parseInput(AddOrgInput, raw, "org");
  return s.domain.mutate(async () => {
    if (await one(s.domain.control, "SELECT 1 FROM orgs WHERE id = ?", [input.id])) {
      throw new ShuyuError("invalid", "DUPLICATE_ID", `organisation '${input.id}' already exists`, { details: { id: input.id } });
    }
    await s.domain.control.run("INSERT INTO orgs VALUES (?, ?, ?, 'active', ?::TIMESTAMP, ?)", [
      input.id, input.name, input.kind, now().toISOString(), s.principal.accountId,
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "org.add", object: `org:${input.id}`, details: { name: input.name, kind: input.kind } });
    return { ...input, state: "active" };
  });
}

/** Lists organisations. */
export async function listOrgs(s: Session): Promise<Org[]> {
  authorize(s.principal, "org.list");
  return all<Org>(s.domain.control, "SELECT id, name, kind, state FROM orgs ORDER BY id");
}

/** Loads an organisation or fails with NOT_FOUND. */
export async function getOrg(s: Pick<Session, "domain">, id: string): Promise<Org> {
  const row = await one<Org>(s.domain.control, "SELECT id, name, kind, state FROM orgs WHERE id = ?", [id]);
  if (!row) throw new ShuyuError("invalid", "NOT_FOUND", `organisation '${id}' does not exist`, { details: { what: "organisation", id } });
  return row;
}

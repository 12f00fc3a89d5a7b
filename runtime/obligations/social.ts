/**
 * Social (non-public) data (HB 24(3), HB 32, ZJ 20, HLJ 25): a developer organisation's
 * own data, imported after the operator approves its lawful source. The operator holds it
 * in custody (it is ingested with the operator as provider); it is marked social in the
 * catalog, only its own organisation sees it, authorizes it or grants it, so it is fused
 * with public data only inside that organisation's scenarios granting both.
 */
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { SocialImportInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { all, one } from "../domain/db.js";
import { ingestDataset } from "../services/datasets.js";
import { getOrg } from "../services/orgs.js";
import type { Session } from "../services/session.js";

/** The approval record of one social dataset. */
export interface SocialSource { dataset: string; org: string; lawfulSource: string; approvedBy: string; approvedAt: string }

/** Social datasets and their owning organisations. */
export async function socialSources(s: Pick<Session, "domain">): Promise<Map<string, SocialSource>> {
  const rows = await all<{ dataset: string; org: string; lawful_source: string; approved_by: string; approved_at: Date }>(s.domain.control, "SELECT * FROM social_sources");
  return new Map(rows.map((r) => [r.dataset, { dataset: r.dataset, org: r.org, lawfulSource: r.lawful_source, approvedBy: r.approved_by, approvedAt: r.approved_at.toISOString() }]));
}

/** Whether `viewerOrg` (of kind `kind`) may see or use the dataset: anyone for public data; its owner and operator staff for social data. */
export async function socialVisible(s: Pick<Session, "domain">, dataset: string, viewerOrg: string, kind: string): Promise<boolean> {
  const r = await one<{ org: string }>(s.domain.control, "SELECT org FROM social_sources WHERE dataset = ?", [dataset]);
  return !r || r.org === viewerOrg || kind === "operator";
}

/** Refuses an agreement or scenario of `org` that would use another organisation's social data. */
export async function assertSocialOwner(s: Pick<Session, "domain">, dataset: string, org: string): Promise<void> {
  const r = await one<{ org: string }>(s.domain.control, "SELECT org FROM social_sources WHERE dataset = ?", [dataset]);
  // The same answer as for a dataset that does not exist: another organisation's social data is not even named.
  if (r && r.org !== org) throw new ShuyuError("invalid", "NOT_FOUND", `dataset '${dataset}' is not in the catalog`, { details: { what: "dataset", id: dataset } });
}

/** Approves the lawful source and imports a developer organisation's social data (operator admin). */
export async function importSocialData(s: Session, raw: unknown) {
  authorize(s.principal, "social.import");
  const input = parseInput(SocialImportInput, raw, "social");
  const org = await getOrg(s, input.org);
  if (org.kind !== "developer") throw new ShuyuError("invalid", "NOT_A_DEVELOPER", `social data is brought by a developer organisation; '${org.id}' is a ${org.kind}`);
  const operator = await one<{ id: string }>(s.domain.control, "SELECT id FROM orgs WHERE kind = 'operator'");
  if (await one(s.domain.control, "SELECT 1 FROM datasets WHERE id = ?", [input.id])) throw new ShuyuError("invalid", "DUPLICATE_ID", `dataset '${input.id}' already exists`);
  // The approval is written first: a dataset under this id is never, even briefly, public.
  await s.domain.mutate(async () => {
    await s.domain.control.run("INSERT OR REPLACE INTO social_sources VALUES (?, ?, ?, ?, ?::TIMESTAMP)", [input.id, org.id, input.lawfulSource, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "social.approve", object: `dataset:${input.id}`, details: { org: org.id, lawfulSource: input.lawfulSource } });
  });
  const ds = await ingestDataset(s, { id: input.id, file: input.file, provider: operator!.id, grade: input.grade, ...(input.subject ? { subject: input.subject } : {}) });
  return { ...(ds as object), id: input.id, social: true, org: org.id, lawfulSource: input.lawfulSource };
}

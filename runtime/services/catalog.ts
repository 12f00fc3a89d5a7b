import { randomInt } from "node:crypto";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import type { ColumnTag } from "../../policies/pii/types.js";
import { buildSample, type SampleResult } from "../../policies/sample/index.js";
import { all } from "../domain/db.js";
import { columnTags, currentVersion, sampleTags, versions } from "./datasets.js";
import { socialSources } from "../obligations/social.js";
import type { Session } from "./session.js";
import { allSubjects, datasetRoles, datasetSubject, roleOverrides, type DatasetSubject } from "./subjects.js";
import type { ColumnRole } from "../../policies/subjects/index.js";

/** A catalog entry (GY 10: name, content, format, source, sharing/opening, grade, update cycle). */
export interface CatalogEntry {
  id: string;
  name: string;
  description: string;
  category: string;
  provider: string;
  grade: number;
  format: string;
  rowCount: number;
  columns: number;
  version: number;
  versions: number;
  updatedAt: string;
  sharing: string;
  opening: string;
  negativeList: boolean;
  updateCycle: string;
  authorization: { agreements: number; approvedScenarios: number; status: "authorized" | "not-authorized" };
  /** The privacy unit: whose data a row is (null when none is proposed or set). Only a confirmed key can be granted. */
  subject: { kind: DatasetSubject["kind"]; columns: string[]; confirmed: boolean } | null;
  /** Each column's role (identifier, quasi, measure, sensitive): the SQL guard and the gate act on these. */
  roles: Record<string, ColumnRole>;
  /** Set for social (non-public) data brought by a developer organisation (HB 24(3)). */
  social?: { org: string; lawfulSource: string };
}

type EntryRow = {
  id: string; name: string; provider: string; grade: number; format: string; row_count: bigint; columns: string; version: number;
  ingested_at: Date; description: string; category: string; sharing: string; opening: string; negative_list: boolean; update_cycle: string;
  n_versions: bigint;
};

/** Operator staff see negative-listed data; nobody else does (GY 12). */
function seesNegativeList(s: Session): boolean {
  return s.principal.orgKind === "operator" || s.principal.roles.includes("provider");
}

async function authorizationStatus(s: Session): Promise<Map<string, { agreements: number; approved: number }>> {
  const out = new Map<string, { agreements: number; approved: number }>();
  const agreements = await all<{ datasets: string }>(s.domain.control, "SELECT datasets FROM agreements WHERE state = 'active'");
  for (const a of agreements) for (const d of JSON.parse(a.datasets) as string[]) {
    const e = out.get(d) ?? { agreements: 0, approved: 0 };
    e.agreements++;
    out.set(d, e);
  }
  const scenarios = await all<{ grants: string }>(s.domain.control, "SELECT grants FROM scenarios WHERE state = 'approved'");
  for (const sc of scenarios) for (const g of JSON.parse(sc.grants) as { dataset: string }[]) {
    const e = out.get(g.dataset) ?? { agreements: 0, approved: 0 };
    e.approved++;
    out.set(g.dataset, e);
  }
  return out;
}

/** Lists the catalog (R2), audited as a read. */
export async function listCatalog(s: Session): Promise<CatalogEntry[]> {
  authorize(s.principal, "catalog.read");
  const entries = await catalogEntries(s);
  await s.domain.exclusive(() => s.domain.audit({ actor: s.principal.accountId, action: "catalog.list", object: "catalog", details: { entries: entries.length } }));
  return entries;
}

export interface CatalogDetail extends CatalogEntry {
  columnDetails: { name: string; type: string; tags: ColumnTag[]; confirmed: boolean; proposed: unknown; role: ColumnRole; roleSet: boolean }[];
  /** The subject key with ingest's proposal and its reason. */
  subjectDetail: DatasetSubject | null;
  versionHistory: { version: number; rows: number; sm3: string; state: string; ingestedAt: string; ingestedBy: string }[];
  sample?: SampleResult;
}

/** Shows one entry with columns, tags and versions; with `sample`, safe sample rows (audited). */
export async function showCatalog(s: Session, id: string, opts: { sample?: boolean; rows?: number } = {}): Promise<CatalogDetail> {
  authorize(s.principal, opts.sample ? "catalog.sample" : "catalog.read", {});
  const entry = (await catalogEntries(s)).find((e) => e.id === id);
  if (!entry) throw new ShuyuError("invalid", "NOT_FOUND", `dataset '${id}' is not in the catalog`, { details: { what: "dataset", id } });
  const ds = await currentVersion(s, id);
  const tags = await columnTags(s, id);
  const overrides = await roleOverrides(s, id);
  const detail: CatalogDetail = {
    ...entry,
    columnDetails: ds.columns.map((c) => ({
      name: c.name, type: c.type, tags: tags.get(c.name)?.tags ?? [], confirmed: tags.get(c.name)?.confirmed ?? false, proposed: tags.get(c.name)?.proposed ?? [],
      role: entry.roles[c.name], roleSet: overrides.has(c.name),
    })),
    subjectDetail: (await datasetSubject(s, id)) ?? null,
    versionHistory: (await versions(s, id)).map((v) => ({ version: v.version, rows: v.rowCount, sm3: v.sourceSm3, state: v.state, ingestedAt: v.ingestedAt, ingestedBy: v.ingestedBy })),
  };
  if (opts.sample) {
    const rows = opts.rows ?? 100;
    if (!Number.isInteger(rows) || rows < 1 || rows > 10_000) throw new ShuyuError("invalid", "INVALID_ROWS", `--rows must be 1..10000 (got ${opts.rows})`);
    const seed = randomInt(2 ** 31);
    const forSample = await sampleTags(s, id);
    detail.sample = await buildSample(s.domain.vault, ds.vaultTable, detail.columnDetails.map((c) => ({ name: c.name, type: c.type, tags: forSample.get(c.name) ?? c.tags })), { rows, seed });
  }
  await s.domain.exclusive(() =>
    s.domain.audit({ actor: s.principal.accountId, action: opts.sample ? "catalog.sample" : "catalog.show", object: `dataset:${id}`, details: opts.sample ? { version: ds.version, rows: detail.sample?.rows.length } : { version: ds.version } }),
  );
  return detail;
}

/** The entries this principal may see (negative-listed data only for operator and provider staff). */
async function catalogEntries(s: Session): Promise<CatalogEntry[]> {
  const rows = await all<EntryRow>(
    s.domain.control,
    `SELECT d.id, d.name, d.provider, d.grade, d.format, d.row_count, d.columns, d.version, d.ingested_at,
            m.description, m.category, m.sharing, m.opening, m.negative_list, m.update_cycle,
            (SELECT count(*) FROM datasets v WHERE v.id = d.id) AS n_versions
     FROM datasets d JOIN dataset_meta m ON m.id = d.id WHERE d.state = 'current' ORDER BY d.id`,
  );
  const status = await authorizationStatus(s);
  const subjects = await allSubjects(s);
  // Social data (HB 24(3)) is marked, and seen only by its own organisation and operator staff.
  const social = await socialSources(s);
  const wide = s.principal.orgKind === "operator";
  const visible = rows.filter((r) => (!r.negative_list || seesNegativeList(s)) && (!social.has(r.id) || wide || social.get(r.id)!.org === s.principal.orgId));
  const roles = new Map<string, Record<string, ColumnRole>>();
  for (const r of visible) roles.set(r.id, await datasetRoles(s, r.id));
  return visible
    .map((r) => {
      const st = status.get(r.id) ?? { agreements: 0, approved: 0 };
      const k = subjects.get(r.id);
      return {
        id: r.id, name: r.name, description: r.description, category: r.category, provider: r.provider, grade: r.grade, format: r.format,
        rowCount: Number(r.row_count), columns: (JSON.parse(r.columns) as unknown[]).length, version: r.version, versions: Number(r.n_versions),
        updatedAt: r.ingested_at.toISOString(), sharing: r.sharing, opening: r.opening, negativeList: r.negative_list, updateCycle: r.update_cycle,
        authorization: { agreements: st.agreements, approvedScenarios: st.approved, status: st.approved > 0 ? "authorized" : "not-authorized" },
        subject: k ? { kind: k.kind, columns: k.columns, confirmed: k.confirmed } : null,
        roles: roles.get(r.id)!,
        ...(social.has(r.id) ? { social: { org: social.get(r.id)!.org, lawfulSource: social.get(r.id)!.lawfulSource } } : {}),
      };
    });
}

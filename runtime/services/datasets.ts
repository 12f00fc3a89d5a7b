import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { isColumnTag, PII_TYPES, type ColumnTag } from "../../policies/pii/types.js";
import { GradeSchema, IdSchema, parseInput } from "../../policies/schemas/common.js";
import { detectPii } from "../../policies/pii/detect.js";
import { precomputeRawFacts } from "../../policies/disclosure/raw-facts.js";
import { proposeSubject, SUBJECT_KINDS, subjectKeyProblem, type SubjectProposal } from "../../policies/subjects/index.js";
import { now } from "../clock.js";
import { all, exec, ident, one } from "../domain/db.js";
import { ingestFile, type IngestResult } from "../ingest/index.js";
import { getOrg } from "./orgs.js";
import { faultPoint } from "../domain/faults.js";
import { exportAfterIngest } from "../scale/vault-export.js";
import type { Session } from "./session.js";
import { datasetSubject, inferKind, saveSubject, type DatasetSubject } from "./subjects.js";

export const SharingSchema = z.enum(["unconditional", "conditional", "none"]);
export const OpeningSchema = z.enum(["open", "conditional", "closed"]);

export const IngestInput = z.object({
  id: IdSchema,
  file: z.string().min(1, "--file PATH is required"),
  provider: IdSchema,
  grade: GradeSchema,
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
  category: z.string().max(200).optional(),
  sharing: SharingSchema.optional(),
  opening: OpeningSchema.optional(),
  negativeList: z.boolean().optional(),
  updateCycle: z.string().max(100).optional(),
  /** Confirms the subject key at ingest (`--subject COL[,COL]`). */
  subject: z.array(z.string().trim().min(1)).min(1, "--subject names at least one column").optional(),
  subjectKind: z.enum(SUBJECT_KINDS).optional(),
}).refine((v) => v.subjectKind === undefined || v.subject !== undefined, { message: "--subject-kind needs --subject COL[,COL]", path: ["subjectKind"] });

export interface DatasetColumn {
  name: string;
  type: string;
}

/** One stored version of a dataset, as the catalog records it. */
export interface DatasetVersion {
  id: string;
  version: number;
  vaultTable: string;
  name: string;
  provider: string;
  grade: number;
  rowCount: number;
  columns: DatasetColumn[];
  format: string;
  sourceFile: string;
  sourceSm3: string;
  sourceBytes: number;
  state: "current" | "superseded" | "purged";
  ingestedBy: string;
  ingestedAt: string;
}

type DatasetRow = {
  id: string; version: number; vault_table: string; name: string; provider: string; grade: number; row_count: bigint;
  columns: string; format: string; source_file: string; source_sm3: string; source_bytes: bigint; state: DatasetVersion["state"];
  ingested_by: string; ingested_at: Date;
};

function toVersion(r: DatasetRow): DatasetVersion {
  return {
    id: r.id, version: r.version, vaultTable: r.vault_table, name: r.name, provider: r.provider, grade: r.grade,
    rowCount: Number(r.row_count), columns: JSON.parse(r.columns) as DatasetColumn[], format: r.format, sourceFile: r.source_file,
    sourceSm3: r.source_sm3, sourceBytes: Number(r.source_bytes), state: r.state, ingestedBy: r.ingested_by,
    ingestedAt: r.ingested_at.toISOString(),
  };
}

/** The current version of a dataset, or NOT_FOUND. */
export async function currentVersion(s: Pick<Session, "domain">, id: string): Promise<DatasetVersion> {
  const row = await one<DatasetRow>(s.domain.control, "SELECT * FROM datasets WHERE id = ? AND state = 'current'", [id]);
  if (!row) throw new ShuyuError("invalid", "NOT_FOUND", `dataset '${id}' does not exist`, { details: { what: "dataset", id } });
  return toVersion(row);
}

/** Every version of a dataset, newest first. */
export async function versions(s: Pick<Session, "domain">, id: string): Promise<DatasetVersion[]> {
  return (await all<DatasetRow>(s.domain.control, "SELECT * FROM datasets WHERE id = ? ORDER BY version DESC", [id])).map(toVersion);
}

/** Tags per column of a dataset. */
export async function columnTags(s: Pick<Session, "domain">, id: string): Promise<Map<string, { tags: ColumnTag[]; proposed: unknown; confirmed: boolean }>> {
  const rows = await all<{ column_name: string; tags: string; proposed: string; confirmed: boolean }>(s.domain.control, "SELECT * FROM column_tags WHERE dataset = ?", [id]);
  return new Map(rows.map((r) => [r.column_name, { tags: JSON.parse(r.tags) as ColumnTag[], proposed: JSON.parse(r.proposed), confirmed: r.confirmed }]));
}

/** Ingest's phases, in order: structure check (SM3, UTF-8, CSV records), typed load, PII discovery, catalog entry. */
export const INGEST_PHASES = ["check", "load", "detect", "catalog"] as const;
export type IngestPhase = (typeof INGEST_PHASES)[number];

/** One progress report: the phase and how far it is, in the phase's unit (bytes read, rows loaded, columns examined, steps). */
export interface IngestProgress {
  phase: IngestPhase;
  done: number;
  total: number;
  unit: "bytes" | "rows" | "columns" | "steps";
}

/**
 * Loads a file into the vault as a new version (R2): strict parse into a fresh table that
 * appears whole or not at all, PII discovery, then one catalog transaction.
 */
export async function ingestDataset(
  s: Session,
  raw: unknown,
  onProgress?: (p: IngestProgress) => void,
): Promise<DatasetVersion & { proposals: Awaited<ReturnType<typeof detectPii>>; subject: IngestSubject | null; warnings: string[] }> {
  authorize(s.principal, "dataset.ingest");
  const input = parseInput(IngestInput, raw, "dataset");
  const provider = await getOrg(s, input.provider);
  if (provider.kind !== "provider" && provider.kind !== "operator") {
    throw new ShuyuError("invalid", "NOT_A_PROVIDER", `organisation '${provider.id}' is a ${provider.kind}, not a data provider`, { details: { org: provider.id } });
  }
  const prev = await one<{ v: number | null }>(s.domain.control, "SELECT max(version) AS v FROM datasets WHERE id = ?", [input.id]);
  const version = (prev?.v ?? 0) + 1;
  const table = `ds_${input.id}_v${version}`;
  await s.domain.exclusive(() => s.domain.dropOrphanVaultTables());
  let result: IngestResult;
  try {
    // ingestFile runs its own vault transaction: keep other writers off the connection meanwhile.
    result = await s.domain.exclusive(() =>
      ingestFile(s.domain.vault, {
        file: input.file,
        table,
        onProgress: (done, total) => onProgress?.({ phase: "check", done, total, unit: "bytes" }),
        onLoad: () => onProgress?.({ phase: "load", done: 0, total: 1, unit: "steps" }),
      }),
    );
  } catch (err) {
    await s.domain.exclusive(() =>
      s.domain.audit({ actor: s.principal.accountId, action: "dataset.ingest.failed", object: `dataset:${input.id}`, details: { file: input.file, code: err instanceof ShuyuError ? err.code : "INTERNAL" } }),
    );
    throw err;
  }
  faultPoint("ingest.after-load");
  try {
    onProgress?.({ phase: "load", done: result.rowCount, total: result.rowCount, unit: "rows" });
    onProgress?.({ phase: "detect", done: 0, total: result.columns.length, unit: "columns" });
    const proposals = await s.domain.exclusive(() => detectPii(s.domain.vault, table));
    // The gate's raw-side facts of this version (exact distinct counts, lengths) are computed now, once,
    // so no egress request pays for them: text columns and proposed identifiers (the ones rules search).
    const isPii = (p: (typeof proposals)[number]) => p.tags.some((t) => t.startsWith("pii:"));
    const factColumns = proposals.filter((p) => p.type.toUpperCase() === "VARCHAR" || isPii(p)).map((p) => p.column);
    await s.domain.exclusive(() => precomputeRawFacts(s.domain.vault, table, factColumns, proposals.filter(isPii).map((p) => p.column)));
    onProgress?.({ phase: "detect", done: result.columns.length, total: result.columns.length, unit: "columns" });
    onProgress?.({ phase: "catalog", done: 0, total: 1, unit: "steps" });
    const proposal = (await s.domain.exclusive(() => proposeSubject(s.domain.vault, table, proposals))) ?? null;
    const names = result.columns.map((c) => c.name);
    const before = await datasetSubject(s, input.id);
    if (input.subject) {
      const problem = await subjectKeyProblem(s.domain.vault, table, names, input.subject);
      if (problem) throw new ShuyuError("invalid", problem.code, `--subject: ${problem.message}; nothing was ingested`, { details: { dataset: input.id, ...problem.details } });
    }
    // A key confirmed for an earlier version stays confirmed only while it still names a subject in every row.
    const keptProblem = !input.subject && before?.confirmed ? await subjectKeyProblem(s.domain.vault, table, names, before.columns) : undefined;
    const saved = await s.domain.mutate(async () => {
      const ts = now().toISOString();
      await s.domain.control.run("UPDATE datasets SET state = 'superseded' WHERE id = ? AND state = 'current'", [input.id]);
      await s.domain.control.run(
        "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'current', ?, ?::TIMESTAMP)",
        [input.id, version, table, input.name ?? input.id, input.provider, input.grade, result.rowCount, JSON.stringify(result.columns), result.format,
          input.file, result.sm3, result.bytes, s.principal.accountId, ts],
      );
      const existing = await one<{ id: string }>(s.domain.control, "SELECT id FROM dataset_meta WHERE id = ?", [input.id]);
      const meta = [input.description ?? "", input.category ?? "", input.sharing ?? "conditional", input.opening ?? "conditional", input.negativeList ?? false, input.updateCycle ?? "irregular", ts];
      if (existing) {
        await s.domain.control.run(
          `UPDATE dataset_meta SET description = coalesce(nullif(?, ''), description), category = coalesce(nullif(?, ''), category),
           sharing = ?, opening = ?, negative_list = ?, update_cycle = ?, updated_at = ?::TIMESTAMP WHERE id = ?`,
          [...meta, input.id],
        );
      } else {
        await s.domain.control.run("INSERT INTO dataset_meta VALUES (?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMP)", [input.id, ...meta]);
      }
      const confirmed = await columnTags(s, input.id);
      for (const p of proposals) {
        const keep = confirmed.get(p.column);
        await s.domain.control.run("INSERT OR REPLACE INTO column_tags VALUES (?, ?, ?, ?, ?)", [
          input.id, p.column, JSON.stringify(keep?.confirmed ? keep.tags : p.tags), JSON.stringify(p.matches), keep?.confirmed ?? false,
        ]);
      }
      const subject = subjectAfterIngest(input, before, proposal, keptProblem, new Map(proposals.map((p) => [p.column, { tags: p.tags as string[] }])));
      if (subject) await saveSubject(s, input.id, subject);
      else await s.domain.control.run("DELETE FROM dataset_subjects WHERE dataset = ?", [input.id]);
      await s.domain.audit({
        actor: s.principal.accountId, action: "dataset.ingest", object: `dataset:${input.id}`,
        details: {
          version, provider: input.provider, grade: input.grade, rows: result.rowCount, sm3: result.sm3, bytes: result.bytes, format: result.format, columns: result.columns.length,
          subject: subject ? { kind: subject.kind, columns: subject.columns, confirmed: subject.confirmed } : null,
        },
      });
      return { version: await currentVersion(s, input.id), subject };
    });
    onProgress?.({ phase: "catalog", done: 1, total: 1, unit: "steps" });
    const note = keptProblem ? `the subject key confirmed earlier (${before!.columns.join(",")}) no longer holds: ${keptProblem.message}` : undefined;
    // Re-loading the very same file is usually a mistake (the wrong file picked); say so, keep the version.
    const same = await one<{ version: number }>(s.domain.control, "SELECT version FROM datasets WHERE id = ? AND source_sm3 = ? AND version < ? ORDER BY version DESC LIMIT 1", [input.id, saved.version.sourceSm3, saved.version.version]);
    const warnings = same ? [`this file is identical (same SM3) to version ${same.version} of ${input.id}; version ${saved.version.version} was stored anyway`] : [];
    // Scale-out: the new version goes to the bucket as Parquet partitions too (runtime/scale/vault-export.ts; never throws).
    warnings.push(...(await exportAfterIngest(s, input.id, saved.version.version)));
    return { ...saved.version, proposals, subject: saved.subject ? { ...saved.subject, ...(note ? { note } : {}) } : null, warnings };
  } catch (err) {
    await exec(s.domain.vault, `DROP TABLE IF EXISTS ${ident(table)}`);
    throw err;
  }
}

/** The subject key after an ingest, with a note when a confirmed key had to be dropped. */
export type IngestSubject = DatasetSubject & { note?: string };

/**
 * Which key a new version gets: the one named with --subject (confirmed), else the key
 * confirmed before if it still holds, else ingest's proposal awaiting confirmation.
 */
function subjectAfterIngest(
  input: z.infer<typeof IngestInput>,
  before: DatasetSubject | undefined,
  proposal: SubjectProposal | null,
  keptProblem: unknown,
  tags: Map<string, { tags: string[] }>,
): DatasetSubject | undefined {
  if (input.subject) {
    return { kind: input.subjectKind ?? inferKind(input.subject, tags, proposal), columns: [...input.subject], confirmed: true, proposed: proposal };
  }
  if (before?.confirmed && !keptProblem) return { ...before, proposed: proposal };
  if (proposal) return { kind: proposal.kind, columns: proposal.columns, confirmed: false, proposed: proposal };
  // A broken confirmed key is kept, unconfirmed, so the admin sees what no longer holds.
  return before?.confirmed ? { ...before, confirmed: false, proposed: null } : undefined;
}

export const TagInput = z.object({
  dataset: IdSchema,
  column: z.string().min(1, "--column COL is required"),
  tags: z.array(z.string()).refine((ts) => ts.every(isColumnTag), { message: `tags are pii:<type> (${PII_TYPES.join("|")}), quasi or sensitive` }),
});

/** An admin confirms or edits a column's tags (replacing the proposal). */
export async function tagColumn(s: Session, raw: unknown): Promise<{ dataset: string; column: string; tags: ColumnTag[] }> {
  authorize(s.principal, "dataset.tag");
  const input = parseInput(TagInput, raw, "tag");
  return s.domain.mutate(async () => {
    const ds = await currentVersion(s, input.dataset);
    if (!ds.columns.some((c) => c.name === input.column)) {
      throw new ShuyuError("invalid", "UNKNOWN_COLUMN", `dataset '${ds.id}' has no column '${input.column}' (columns: ${ds.columns.map((c) => c.name).join(", ")})`, {
        details: { dataset: ds.id, column: input.column },
      });
    }
    const tags = [...new Set(input.tags)] as ColumnTag[];
    const prev = (await columnTags(s, ds.id)).get(input.column);
    await s.domain.control.run("INSERT OR REPLACE INTO column_tags VALUES (?, ?, ?, ?, true)", [ds.id, input.column, JSON.stringify(tags), JSON.stringify(prev?.proposed ?? [])]);
    await s.domain.audit({ actor: s.principal.accountId, action: "dataset.tag", object: `dataset:${ds.id}`, details: { column: input.column, tags, before: prev?.tags ?? [] } });
    return { dataset: ds.id, column: input.column, tags };
  });
}

/** Drops superseded versions' raw tables from the vault (the catalog keeps their record). */
export async function purgeVersions(s: Session, id: string, version?: number): Promise<number[]> {
  authorize(s.principal, "dataset.purge");
  return s.domain.mutate(async () => {
    const vs = (await versions(s, id)).filter((v) => v.state === "superseded" && (version === undefined || v.version === version));
    if (vs.length === 0) {
      if ((await versions(s, id)).length === 0) throw new ShuyuError("invalid", "NOT_FOUND", `dataset '${id}' does not exist`, { details: { what: "dataset", id } });
      throw new ShuyuError("invalid", "NOTHING_TO_PURGE", `dataset '${id}' has no superseded version${version ? ` ${version}` : ""}; the current version cannot be purged`);
    }
    for (const v of vs) {
      await exec(s.domain.vault, `DROP TABLE IF EXISTS ${ident(v.vaultTable)}`);
      await s.domain.control.run("UPDATE datasets SET state = 'purged' WHERE id = ? AND version = ?", [id, v.version]);
    }
    await s.domain.audit({ actor: s.principal.accountId, action: "dataset.purge", object: `dataset:${id}`, details: { versions: vs.map((v) => v.version) } });
    return vs.map((v) => v.version);
  });
}

/** Below the proposal threshold a column still holding this share of identifiers is faked in samples. */
export const SAMPLE_PII_SHARE = 0.02;

/**
 * Tags to use when building a sample: the confirmed or proposed tags, plus `pii:<type>` for
 * any untagged column where discovery saw identifiers at all — a sample errs toward faking.
 */
export async function sampleTags(s: Pick<Session, "domain">, id: string): Promise<Map<string, ColumnTag[]>> {
  const out = new Map<string, ColumnTag[]>();
  for (const [col, t] of await columnTags(s, id)) {
    const matches = (Array.isArray(t.proposed) ? t.proposed : []) as { type: string; share: number }[];
    const seen = matches.filter((m) => m.share >= SAMPLE_PII_SHARE).sort((a, b) => b.share - a.share)[0];
    const hasPii = t.tags.some((x) => x.startsWith("pii:"));
    out.set(col, !hasPii && seen && isColumnTag(`pii:${seen.type}`) ? [...t.tags.filter((x) => x !== "quasi"), `pii:${seen.type}` as ColumnTag] : t.tags);
  }
  return out;
}

import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput } from "../../policies/schemas/common.js";
import {
  COLUMN_ROLES,
  resolveRoles,
  SUBJECT_KINDS,
  subjectKeyProblem,
  type ColumnRole,
  type SubjectKind,
  type SubjectProposal,
} from "../../policies/subjects/index.js";
import { now } from "../clock.js";
import { all, one } from "../domain/db.js";
import { columnTags, currentVersion, type DatasetVersion } from "./datasets.js";
import type { Session } from "./session.js";

/** A dataset's subject key as the control store records it. */
export interface DatasetSubject {
  kind: SubjectKind;
  columns: string[];
  /** False while the key is only ingest's proposal: such a dataset cannot be granted. */
  confirmed: boolean;
  /** What ingest proposed for the current version, with its reason (null when nothing qualified). */
  proposed: SubjectProposal | null;
}

type SubjectRow = { dataset: string; columns: string; kind: SubjectKind; proposed: string; confirmed: boolean };

function toSubject(r: SubjectRow): DatasetSubject {
  return { kind: r.kind, columns: JSON.parse(r.columns) as string[], confirmed: r.confirmed, proposed: JSON.parse(r.proposed) as SubjectProposal | null };
}

/** The subject key of a dataset (confirmed or proposed), or undefined when it has none. */
export async function datasetSubject(s: Pick<Session, "domain">, dataset: string): Promise<DatasetSubject | undefined> {
  const r = await one<SubjectRow>(s.domain.control, "SELECT * FROM dataset_subjects WHERE dataset = ?", [dataset]);
  return r ? toSubject(r) : undefined;
}

/** Every dataset's subject key, by dataset id. */
export async function allSubjects(s: Pick<Session, "domain">): Promise<Map<string, DatasetSubject>> {
  const rows = await all<SubjectRow>(s.domain.control, "SELECT * FROM dataset_subjects");
  return new Map(rows.map((r) => [r.dataset, toSubject(r)]));
}

/** Writes a dataset's subject row (inside the caller's transaction). */
export async function saveSubject(s: Session, dataset: string, subject: DatasetSubject): Promise<void> {
  await s.domain.control.run("INSERT OR REPLACE INTO dataset_subjects VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMP)", [
    dataset, JSON.stringify(subject.columns), subject.kind, JSON.stringify(subject.proposed), subject.confirmed, s.principal.accountId, now().toISOString(),
  ]);
}

/** Admins' explicit roles per column of a dataset. */
export async function roleOverrides(s: Pick<Session, "domain">, dataset: string): Promise<Map<string, ColumnRole>> {
  const rows = await all<{ column_name: string; role: ColumnRole }>(s.domain.control, "SELECT column_name, role FROM column_roles WHERE dataset = ?", [dataset]);
  return new Map(rows.map((r) => [r.column_name, r.role]));
}

/** Effective role of every column of the dataset's current version (subject key → identifier, then the admin's choice, then the tag default). */
export async function datasetRoles(s: Pick<Session, "domain">, dataset: string, version?: DatasetVersion): Promise<Record<string, ColumnRole>> {
  const ds = version ?? (await currentVersion(s, dataset));
  const tags = await columnTags(s, dataset);
  const overrides = await roleOverrides(s, dataset);
  const subject = await datasetSubject(s, dataset);
  return resolveRoles(
    ds.columns.map((c) => ({ name: c.name, type: c.type, tags: tags.get(c.name)?.tags ?? [], role: overrides.get(c.name) })),
    subject?.confirmed ? subject.columns : [],
  );
}

/**
 * The kind a key gets when the admin does not say: the proposal's if the columns match it,
 * else person when every column is a resident ID, enterprise when every column is a USCC,
 * else record.
 */
export function inferKind(columns: string[], tags: Map<string, { tags: string[] }>, proposal: SubjectProposal | null | undefined): SubjectKind {
  if (proposal && proposal.columns.length === columns.length && proposal.columns.every((c, i) => c === columns[i])) return proposal.kind;
  if (columns.every((c) => tags.get(c)?.tags.includes("pii:resident_id"))) return "person";
  if (columns.every((c) => tags.get(c)?.tags.includes("pii:uscc"))) return "enterprise";
  return "record";
}

/** Refuses a key that does not name a subject in every row of the dataset's current version. */
export async function checkSubjectKey(s: Pick<Session, "domain">, ds: DatasetVersion, columns: string[]): Promise<void> {
  const problem = await subjectKeyProblem(s.domain.vault, ds.vaultTable, ds.columns.map((c) => c.name), columns);
  if (problem) {
    throw new ShuyuError("invalid", problem.code, `dataset '${ds.id}': ${problem.message}; the subject key stays as it was`, { details: { dataset: ds.id, ...problem.details } });
  }
}

const columnList = z
  .array(z.string().trim().min(1))
  .min(1, "name at least one subject-key column");

export const SubjectInput = z.object({
  dataset: IdSchema,
  /** Key columns; omitted to confirm or re-kind the current key. */
  columns: columnList.optional(),
  kind: z.enum(SUBJECT_KINDS).optional(),
});

/**
 * An admin confirms or sets a dataset's subject key (the privacy unit: whose data a row
 * is). The columns must exist and be non-empty in every row of the current version.
 */
export async function setSubjectKey(s: Session, raw: unknown): Promise<DatasetSubject & { dataset: string }> {
  authorize(s.principal, "dataset.tag");
  const input = parseInput(SubjectInput, raw, "subject");
  return s.domain.mutate(async () => {
    const ds = await currentVersion(s, input.dataset);
    const before = await datasetSubject(s, ds.id);
    const columns = input.columns ?? before?.columns;
    if (!columns) {
      throw new ShuyuError("invalid", "SUBJECT_KEY_MISSING", `dataset '${ds.id}' has no proposed subject key to confirm; name it: shuyu dataset tag ${ds.id} --subject COL[,COL]`, { details: { dataset: ds.id } });
    }
    await checkSubjectKey(s, ds, columns);
    const sameColumns = before !== undefined && before.columns.join("\u001f") === columns.join("\u001f");
    const kind = input.kind ?? (sameColumns ? before.kind : inferKind(columns, await columnTags(s, ds.id), before?.proposed));
    const subject: DatasetSubject = { kind, columns: [...columns], confirmed: true, proposed: before?.proposed ?? null };
    await saveSubject(s, ds.id, subject);
    await s.domain.audit({
      actor: s.principal.accountId, action: "dataset.subject", object: `dataset:${ds.id}`,
      details: { kind, columns, before: before ? { kind: before.kind, columns: before.columns, confirmed: before.confirmed } : null },
    });
    return { dataset: ds.id, ...subject };
  });
}

export const RoleInput = z.object({
  dataset: IdSchema,
  column: z.string().min(1, "--column COL is required"),
  role: z.enum(COLUMN_ROLES),
});

/** An admin sets one column's role; subject-key columns stay identifiers. */
export async function setColumnRole(s: Session, raw: unknown): Promise<{ dataset: string; column: string; role: ColumnRole; before: ColumnRole }> {
  authorize(s.principal, "dataset.tag");
  const input = parseInput(RoleInput, raw, "role");
  return s.domain.mutate(async () => {
    const ds = await currentVersion(s, input.dataset);
    if (!ds.columns.some((c) => c.name === input.column)) {
      throw new ShuyuError("invalid", "UNKNOWN_COLUMN", `dataset '${ds.id}' has no column '${input.column}' (columns: ${ds.columns.map((c) => c.name).join(", ")})`, {
        details: { dataset: ds.id, column: input.column },
      });
    }
    const subject = await datasetSubject(s, ds.id);
    if (subject?.confirmed && subject.columns.includes(input.column) && input.role !== "identifier") {
      throw new ShuyuError("invalid", "SUBJECT_KEY_ROLE", `'${input.column}' is part of the subject key of '${ds.id}', which is always an identifier; change the key first (shuyu dataset tag ${ds.id} --subject COL[,COL])`, {
        details: { dataset: ds.id, column: input.column, role: input.role },
      });
    }
    const before = (await datasetRoles(s, ds.id, ds))[input.column];
    await s.domain.control.run("INSERT OR REPLACE INTO column_roles VALUES (?, ?, ?, ?, ?::TIMESTAMP)", [ds.id, input.column, input.role, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "dataset.role", object: `dataset:${ds.id}`, details: { column: input.column, role: input.role, before } });
    return { dataset: ds.id, column: input.column, role: input.role, before };
  });
}

/** The subject key a grant of `dataset` needs, or SUBJECT_KEY_MISSING naming the fix. */
export async function requireSubjectKey(s: Pick<Session, "domain">, dataset: string): Promise<DatasetSubject> {
  const subject = await datasetSubject(s, dataset);
  if (subject?.confirmed) return subject;
  const hint = subject ? ` (ingest proposed ${subject.kind} by ${subject.columns.join(",")}: confirm with 'shuyu dataset tag ${dataset} --subject ${subject.columns.join(",")}')` : "";
  throw new ShuyuError(
    "invalid",
    "SUBJECT_KEY_MISSING",
    `dataset '${dataset}' has no confirmed subject key, so it cannot be granted; an admin sets it with 'shuyu dataset tag ${dataset} --subject COL[,COL] [--subject-kind person|enterprise|record]'${hint}`,
    { details: { dataset, proposed: subject ? { kind: subject.kind, columns: subject.columns } : null } },
  );
}

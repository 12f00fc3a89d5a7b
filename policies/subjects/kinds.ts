/** Whose data a row is: the kinds of privacy unit a dataset's subject key names. */
export const SUBJECT_KINDS = ["person", "enterprise", "record"] as const;

/** `person` (a natural person), `enterprise` (a legal entity), `record` (each row its own unit). */
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** True if `s` is a subject kind. */
export function isSubjectKind(s: string): s is SubjectKind {
  return (SUBJECT_KINDS as readonly string[]).includes(s);
}

/** A dataset's subject key: the column(s) whose value names the subject, and its kind. */
export interface SubjectKey {
  kind: SubjectKind;
  columns: string[];
}

/** The hidden column every library file carries: 60 bits of a keyed hash of the subject key. */
export const SID_COLUMN = "__sid";

/** Column and view names starting with this are reserved for the domain (`__sid`, accounting columns). */
export const RESERVED_PREFIX = "__";

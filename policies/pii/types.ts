/** PII types that discovery detects and desensitization and disclosure rules know. */
export const PII_TYPES = [
  "resident_id",
  "mobile",
  "bank_card",
  "uscc",
  "email",
  "ip",
  "plate",
  "person_name",
  "address",
] as const;

export type PiiType = (typeof PII_TYPES)[number];

/** A column tag: `pii:<type>`, `quasi` (quasi-identifier) or `sensitive` (sensitive attribute). */
export type ColumnTag = `pii:${PiiType}` | "quasi" | "sensitive";

/** True if `s` is a known tag. */
export function isColumnTag(s: string): s is ColumnTag {
  if (s === "quasi" || s === "sensitive") return true;
  return s.startsWith("pii:") && (PII_TYPES as readonly string[]).includes(s.slice(4));
}

/**
 * The subject id (`__sid`) as DuckDB SQL: 60 bits of SHA-256(secret ‖ kind ‖ canonical key),
 * fields separated by the unit separator (chr(31)), computed vectorised at materialisation.
 * The secret is never part of the SQL text: it is read from a session variable the caller
 * sets with a bound parameter and resets afterwards.
 */
import type { SubjectKind } from "./kinds.js";

/** The DuckDB session variable that holds the subject secret while a library is written. */
export const SECRET_VARIABLE = "shuyu_subject_secret";

const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/**
 * One key column as canonical text. Person and enterprise keys (resident IDs, USCCs) are
 * compared as identifiers are written on paper: trimmed, spaces removed, upper case, so
 * `11010519491231002x` in one dataset and `11010519491231002X` in another are one person.
 * Record keys are only trimmed: they mean nothing outside their dataset.
 */
export function canonicalColumnSql(column: string, kind: SubjectKind): string {
  const text = `trim(CAST(${quoteIdent(column)} AS VARCHAR))`;
  // replace(), not a regex: this runs once per library row and a regex costs as much as the hash.
  return kind === "record" ? text : `upper(replace(${text}, ' ', ''))`;
}

/** The canonical text of a (multi-column) key: its columns' canonical texts joined by chr(31). */
export function canonicalKeySql(columns: readonly string[], kind: SubjectKind): string {
  return columns.map((c) => canonicalColumnSql(c, kind)).join(" || chr(31) || ");
}

/**
 * The `__sid` expression for a key. `domain` separates id spaces that must never meet:
 * the sample twin hashes its fake keys under "sample", so a fake key that happens to
 * equal a real one still cannot produce a raw subject's id.
 */
export function subjectIdSql(columns: readonly string[], kind: SubjectKind, domain: "raw" | "sample" = "raw"): string {
  if (columns.length === 0) throw new Error("a subject key has at least one column");
  const tag = domain === "raw" ? `'${kind}'` : `'sample' || chr(31) || '${kind}'`;
  const hashed = `sha256(getvariable('${SECRET_VARIABLE}') || chr(31) || ${tag} || chr(31) || ${canonicalKeySql(columns, kind)})`;
  // 15 hex digits = 60 bits: always a positive BIGINT.
  return `('0x' || left(${hashed}, 15))::BIGINT`;
}

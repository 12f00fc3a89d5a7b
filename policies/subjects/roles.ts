/**
 * Column roles: what a column is to the privacy unit, and so what the SQL guard and the
 * gate let a query do with it. Defaults come from the PII tags; an admin may edit them.
 */
import type { ColumnTag } from "../pii/types.js";

export const COLUMN_ROLES = ["identifier", "quasi", "measure", "sensitive"] as const;

/** `identifier` (direct identifiers, the subject key), `quasi`, `measure` (numbers), `sensitive`. */
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** A role in a scenario's grant: a column role, or `join-only` (usable only to join and filter). */
export type GrantedRole = ColumnRole | "join-only";

/** True if `s` is a column role. */
export function isColumnRole(s: string): s is ColumnRole {
  return (COLUMN_ROLES as readonly string[]).includes(s);
}

const NUMERIC = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/i;

/**
 * The role a column gets from its tags and DuckDB type: any `pii:*` → identifier, then
 * `sensitive`, then `quasi`; an untagged number is a measure and any other untagged
 * column a quasi-identifier (unknown text is treated as able to single people out).
 */
export function defaultRole(tags: readonly (ColumnTag | string)[], duckType: string): ColumnRole {
  if (tags.some((t) => t.startsWith("pii:"))) return "identifier";
  // A sensitive attribute is the stricter treatment when a column carries both tags.
  if (tags.includes("sensitive")) return "sensitive";
  if (tags.includes("quasi")) return "quasi";
  return NUMERIC.test(duckType.trim()) ? "measure" : "quasi";
}

/** One column as role resolution needs it. */
export interface RoleInput {
  name: string;
  type: string;
  tags: readonly string[];
  /** An admin's explicit role, if any. */
  role?: ColumnRole;
}

/**
 * Each column's effective role: the admin's choice, else identifier for subject-key columns,
 * else `defaultRole`. The subject key is always an identifier — an edit cannot make it less.
 */
export function resolveRoles(columns: readonly RoleInput[], subjectColumns: readonly string[]): Record<string, ColumnRole> {
  const key = new Set(subjectColumns);
  return Object.fromEntries(
    columns.map((c) => [c.name, key.has(c.name) ? "identifier" : (c.role ?? defaultRole(c.tags, c.type))]),
  );
}

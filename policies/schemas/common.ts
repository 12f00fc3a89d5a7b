import { z } from "zod";
import { invalid } from "../errors.js";

/** Identifiers users choose for orgs, accounts, datasets, scenarios: safe in paths and table names. */
export const IdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, "ids are 1-63 characters: letters, digits, '_' or '-', starting with a letter or digit");

/** A calendar date, strictly YYYY-MM-DD and a real day. */
export const DateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "dates are YYYY-MM-DD")
  .refine((s) => {
    const d = new Date(s + "T00:00:00Z");
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, "not a real calendar day");

/** Data grade 1 (public) … 4 (most sensitive). */
export const GradeSchema = z.coerce.number().int().min(1, "grade is 1..4").max(4, "grade is 1..4");

export const OrgKindSchema = z.enum(["operator", "provider", "developer", "regulator"]);
export type OrgKind = z.infer<typeof OrgKindSchema>;

export const RoleSchema = z.enum(["admin", "provider", "developer", "reviewer", "auditor"]);
export type Role = z.infer<typeof RoleSchema>;

/** Parses `value` with `schema`, turning zod issues into an INVALID_<FIELD> ShuyuError (exit 3). */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? `${field}.${issue.path.join(".")}` : field;
  throw invalid(`INVALID_${field.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`, `${where}: ${issue.message} (got ${JSON.stringify(value)})`, {
    field: where,
    value,
  });
}

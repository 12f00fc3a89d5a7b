import { invalid } from "../errors.js";
import { PII_TYPES, type PiiType } from "../pii/types.js";
import { DesensitizePolicy, type Method } from "./methods.js";

/** Data grade 1-4 (higher = more sensitive = stricter method). */
export type Grade = 1 | 2 | 3 | 4;

const pseudonym = (context: string): Method => ({ method: "pseudonym", context, length: 32 });
const mask = (keepFirst: number, keepLast: number): Method => ({ method: "mask", keepFirst, keepLast, char: "*" });
const suppress: Method = { method: "suppress" };

/** Default method per PII type, indexed by grade - 1. Grade 3 pseudonymises, grade 4 suppresses. */
const BY_TYPE: Record<PiiType, [Method, Method, Method, Method]> = {
  resident_id: [mask(6, 4), mask(6, 1), pseudonym("resident_id"), suppress],
  mobile: [mask(3, 4), mask(3, 0), pseudonym("mobile"), suppress],
  bank_card: [mask(6, 4), mask(6, 0), pseudonym("bank_card"), suppress],
  uscc: [mask(8, 4), mask(8, 0), pseudonym("uscc"), suppress],
  email: [{ method: "mask_email", keepFirst: 1 }, { method: "mask_email", keepFirst: 0 }, pseudonym("email"), suppress],
  ip: [{ method: "generalize_ip", prefix: 24 }, { method: "generalize_ip", prefix: 16 }, pseudonym("ip"), suppress],
  plate: [mask(2, 1), mask(2, 0), pseudonym("plate"), suppress],
  person_name: [mask(1, 0), mask(1, 0), pseudonym("person_name"), suppress],
  address: [
    { method: "generalize_region", to: "county", input: "address" },
    { method: "generalize_region", to: "city", input: "address" },
    { method: "generalize_region", to: "province", input: "address" },
    suppress,
  ],
};

/** Facts about a column that refine the default for untyped quasi-identifiers. */
export interface ColumnHint {
  name?: string;
  type?: string;
}

const DISTRICT_NAME = /(district|region|area|adcode|division|xzqh|区划|行政区|地区)/i;
const AGE_NAME = /(^|_)(age|年龄)($|_)|年龄/i;

function quasiDefault(grade: Grade, hint: ColumnHint): Method {
  const type = (hint.type ?? "").toUpperCase();
  const name = hint.name ?? "";
  if (type === "DATE" || type.startsWith("TIMESTAMP")) {
    return { method: "generalize_date", to: grade === 1 ? "month" : grade === 2 ? "quarter" : "year" };
  }
  if (DISTRICT_NAME.test(name)) {
    return { method: "generalize_region", to: grade === 1 ? "county" : grade === 2 ? "city" : "province", input: "code" };
  }
  if (AGE_NAME.test(name)) return { method: "generalize_age", band: grade === 1 ? 5 : 10, topCode: 90 };
  return grade === 4 ? suppress : { method: "keep" };
}

/**
 * The default method for a column with `tags` at `grade`: the PII type decides (see README table);
 * an untyped quasi-identifier is generalised by what its type/name say; anything else is kept.
 */
export function defaultMethodFor(tags: readonly string[], grade: Grade, hint: ColumnHint = {}): Method {
  if (![1, 2, 3, 4].includes(grade)) {
    throw invalid("BAD_GRADE", `grade must be 1, 2, 3 or 4, got ${String(grade)}`, { grade });
  }
  for (const t of PII_TYPES) {
    if (tags.includes(`pii:${t}`)) return BY_TYPE[t][grade - 1];
  }
  if (tags.includes("quasi")) return quasiDefault(grade, hint);
  return { method: "keep" };
}

/** A column's tags, optionally with its DuckDB type. */
export type ColumnTags = readonly string[] | { tags: readonly string[]; type?: string };

/** The default policy for a table whose columns carry `columns[name]` tags, at `grade`. */
export function defaultPolicyFor(columns: Record<string, ColumnTags>, grade: Grade): DesensitizePolicy {
  const out: DesensitizePolicy["columns"] = {};
  for (const [name, spec] of Object.entries(columns)) {
    const tags = Array.isArray(spec) ? (spec as readonly string[]) : (spec as { tags: readonly string[] }).tags;
    const type = Array.isArray(spec) ? undefined : (spec as { type?: string }).type;
    out[name] = defaultMethodFor(tags, grade, { name, type });
  }
  return DesensitizePolicy.parse({ columns: out });
}

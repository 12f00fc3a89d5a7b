import { z } from "zod";

/** Keep the first `keepFirst` and last `keepLast` characters, replace the rest with `char`. */
export const MaskMethod = z.object({
  method: z.literal("mask"),
  keepFirst: z.number().int().min(0).max(64),
  keepLast: z.number().int().min(0).max(64),
  char: z.string().length(1).default("*"),
});

/** E-mail: keep the first character of the local part (or none) and the domain. */
export const MaskEmailMethod = z.object({
  method: z.literal("mask_email"),
  keepFirst: z.number().int().min(0).max(1).default(1),
});

/** Keep only a prefix (or suffix) of `keep` characters. */
export const TruncateMethod = z.object({
  method: z.literal("truncate"),
  keep: z.number().int().min(0).max(1024),
  from: z.enum(["start", "end"]).default("start"),
});

/** Age (an integer) to a band `lo-hi` of 5 or 10 years; ages ≥ `topCode` collapse into `topCode+`. */
export const GeneralizeAgeMethod = z.object({
  method: z.literal("generalize_age"),
  band: z.union([z.literal(5), z.literal(10)]),
  topCode: z.number().int().min(1).max(150).default(90),
});

/** Date or timestamp to the first day of its month, quarter or year. */
export const GeneralizeDateMethod = z.object({
  method: z.literal("generalize_date"),
  to: z.enum(["month", "quarter", "year"]),
});

/** GB/T 2260 district code, or address text, up to county, city or province. */
export const GeneralizeRegionMethod = z.object({
  method: z.literal("generalize_region"),
  to: z.enum(["county", "city", "province"]),
  input: z.enum(["code", "address"]).default("code"),
});

/** IPv4 address to its /8, /16 or /24 network; anything else (IPv6, junk) becomes NULL. */
export const GeneralizeIpMethod = z.object({
  method: z.literal("generalize_ip"),
  prefix: z.union([z.literal(8), z.literal(16), z.literal(24)]),
});

/** Keyed pseudonym: hex HMAC-SM3(domain secret, context ‖ 0x00 ‖ value), truncated to `length` hex digits. */
export const PseudonymMethod = z.object({
  method: z.literal("pseudonym"),
  context: z.string().max(64).default(""),
  length: z.number().int().min(16).max(64).default(32),
});

/** Replace every value with NULL (the column stays, with its type). */
export const SuppressMethod = z.object({ method: z.literal("suppress") });

/** Drop the column from the output. */
export const DropMethod = z.object({ method: z.literal("drop") });

/** Keep the column as it is (explicit, so the policy documents the decision). */
export const KeepMethod = z.object({ method: z.literal("keep") });

/** Round a number to the nearest multiple of `base` (OpenSAFELY rounds counts to 5). */
export const RoundMethod = z.object({
  method: z.literal("round"),
  base: z.number().positive().finite(),
});

/** Counts at or below `threshold` become NULL (OpenSAFELY suppresses ≤ 7). */
export const SuppressSmallMethod = z.object({
  method: z.literal("suppress_small"),
  threshold: z.number().int().min(0).default(7),
});

/** Add Laplace(0, sensitivity/ε) noise: ε-differential privacy for one query of that sensitivity. */
export const LaplaceMethod = z.object({
  method: z.literal("laplace"),
  epsilon: z.number().positive().finite(),
  sensitivity: z.number().positive().finite(),
});

/** Shift a date/timestamp by a uniform random whole number of days in [-maxDays, maxDays]. */
export const DateShiftMethod = z.object({
  method: z.literal("date_shift"),
  maxDays: z.number().int().min(1).max(3650),
});

/** One desensitization method (discriminated on `method`). */
export const MethodSchema = z.discriminatedUnion("method", [
  MaskMethod,
  MaskEmailMethod,
  TruncateMethod,
  GeneralizeAgeMethod,
  GeneralizeDateMethod,
  GeneralizeRegionMethod,
  GeneralizeIpMethod,
  PseudonymMethod,
  SuppressMethod,
  DropMethod,
  KeepMethod,
  RoundMethod,
  SuppressSmallMethod,
  LaplaceMethod,
  DateShiftMethod,
]);
export type Method = z.infer<typeof MethodSchema>;
export type MethodInput = z.input<typeof MethodSchema>;

/** A policy: one method per column; columns not named pass through unchanged. */
export const DesensitizePolicy = z.object({
  columns: z.record(z.string(), MethodSchema),
  /** Significant digits of every floating value released under this policy (egress gate; default 6). */
  precision: z.number().int().min(1).max(15).optional(),
});
export type DesensitizePolicy = z.infer<typeof DesensitizePolicy>;

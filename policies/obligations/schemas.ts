/**
 * Inputs of the obligations (issue 15), one zod schema per action. Amounts are integer
 * fen (分) so that fees add up exactly.
 */
import { z } from "zod";
import { DateSchema, IdSchema } from "../schemas/common.js";

const Text = (what: string, min = 2, max = 2000) => z.string().trim().min(min, `${what} (at least ${min} characters)`).max(max);

/** HB 27, HB 31: a product-use agreement, filed in the domain. */
export const UseAgreementInput = z
  .object({
    id: IdSchema.optional(),
    product: z.string().min(1).max(63),
    org: IdSchema,
    useScenario: Text("--use-scenario: what the buyer uses the product for", 4),
    delivery: z.enum(["api", "package"], { message: "delivery is api (calls) or package (download)" }),
    priceFen: z.coerce.number().int().min(0).max(1e12).optional(),
    publicInterest: z.boolean().prefault(false),
    conditions: Text("--conditions of use", 2),
    start: DateSchema,
    end: DateSchema,
  })
  .refine((v) => v.start <= v.end, { message: "the term ends before it starts", path: ["end"] })
  .refine((v) => !(v.publicInterest && (v.priceFen ?? 0) > 0), { message: "public-interest use is free (ZJ 25, GY 33): no price", path: ["priceFen"] });

/** GZ 23, ZJ 20, HB 27(2): a data subject's authorization (its key value is digested, never stored). */
export const ConsentInput = z.object({
  dataset: IdSchema,
  /** The subject key value(s), in the order of the dataset's subject columns. */
  subject: z.array(z.string().trim().min(1).max(200)).min(1).max(8),
  scope: z.string().regex(/^(\*|product:[A-Za-z0-9_-]{1,63}|scenario:[A-Za-z0-9_-]{1,63})$/, "scope is product:ID, scenario:ID or *"),
  granted: DateSchema,
  expires: DateSchema,
  evidence: Text("--evidence: where the signed authorization is kept", 2),
}).refine((v) => v.granted <= v.expires, { message: "expires before it was granted", path: ["expires"] });

/** The legal basis a scenario uses personal information on. */
export const LegalBasisInput = z.object({
  scenario: IdSchema,
  basis: z.enum(["desensitized", "consent"], { message: "basis is desensitized or consent" }),
  note: Text("--note", 2),
});

/** HB 26(2), ZJ 22, GZ 18: a registration in the product register. */
export const RegisterProductInput = z
  .object({
    product: z.string().min(1).max(63),
    name: Text("--name", 2, 200),
    description: Text("--description", 4),
    pricing: z.enum(["cost", "free"], { message: "pricing is cost (cost-based) or free (public interest)" }),
    priceFen: z.coerce.number().int().min(0).max(1e12).prefault(0),
    costBasis: Text("--cost-basis: how the price follows from costs (ZJ 23)", 2),
  })
  .refine((v) => v.pricing === "cost" || v.priceFen === 0, { message: "a free product has no price", path: ["priceFen"] });

export const DelistInput = z.object({ product: z.string().min(1).max(63), reason: Text("--reason", 2) });

/** GZ 9, ZJ 9, ZJ 14(5): a developer's application for admission. */
export const AdmissionApplyInput = z.object({
  org: IdSchema,
  qualifications: Text("--qualifications", 4, 4000),
  publicityDays: z.coerce.number().int().min(1).max(60).prefault(7),
});
export const AdmissionDecideInput = z.object({ id: z.string().min(1).max(63), decision: z.enum(["admit", "reject", "remove"]), reason: Text("--reason", 2) });
export const EvaluationInput = z.object({ org: IdSchema, period: Text("--period", 4, 40), score: z.coerce.number().int().min(0).max(100), text: Text("--text", 2) });
export const PersonnelInput = z.object({ account: IdSchema, confidentialityRef: Text("--confidentiality: the signed agreement's reference", 2, 200), signedOn: DateSchema, idVerified: z.literal(true, { message: "real-name verification must be done (--id-verified)" }) });
export const AdmissionPolicyInput = z.object({ required: z.boolean() });

/** HB 28: whitelists of datasets and scenario templates, and exempt organisations. */
export const WhitelistInput = z.object({ kind: z.enum(["dataset", "template", "org"]), target: z.string().trim().min(1).max(200), note: Text("--note", 2) });

/** HB 25, GZ 21: days that differ from Monday-Friday (public holidays, make-up working weekends). */
export const CalendarInput = z.object({ days: z.array(DateSchema).min(1).max(400), kind: z.enum(["holiday", "workday"]), name: Text("--name", 1, 100) });

/** HB 24(3), ZJ 20, HLJ 25: a developer organisation's own (social) data, after approval of its lawful source. */
export const SocialImportInput = z.object({
  id: IdSchema,
  org: IdSchema,
  lawfulSource: Text("--lawful-source: contract, licence or consent the data was obtained under", 4),
  file: z.string().min(1),
  grade: z.coerce.number().int().min(1).max(4),
  subject: z.array(z.string()).optional(),
});

export const PeriodInput = z.object({ from: DateSchema.optional(), to: DateSchema.optional() });

/**
 * The obligations' part of the one state check (runtime/lifecycle/standing.ts): a
 * product is used only while it is listed and, by another organisation, only under a use
 * agreement in force (HB 27, HB 31); a call about a person needs that person's
 * authorization in force (GZ 23, ZJ 20, HB 27(2)); and, where the domain requires
 * admission, an organisation acts only once admitted and its personnel only with a
 * recorded confidentiality agreement (GZ 9, ZJ 9, HB 24(1)). Reads current rows, never writes.
 */
import type { OrgKind } from "../../policies/schemas/common.js";
import { one } from "../domain/db.js";
import type { Session } from "../services/session.js";
import type { Standing } from "../lifecycle/standing.js";
import { consentInForce, legalBasis } from "./consent.js";
import { productRef } from "./products.js";
import { useInForce } from "./use-agreements.js";

/** What the obligations look at. */
export interface ObligationSubject {
  step: string;
  /** The product being used (download or call). */
  product?: string;
  /** The organisation using it, and its kind (operator staff need no use agreement). */
  callerOrg?: string;
  callerKind?: OrgKind;
  delivery?: "api" | "package";
  /** For a call about a person: the subject's digest, or `unbound` when the call cannot name one. */
  consent?: { dataset: string; digest?: string };
  /** The organisation acting (a scenario's), and accounts acting. */
  org?: string;
  accounts?: string[];
}

const no = (code: string, message: string, details: Record<string, unknown> = {}): Standing => ({ ok: false, code, message, details });

/** Whether this domain requires admission (GZ 9, ZJ 9) before a developer organisation acts. */
export async function admissionRequired(s: Pick<Session, "domain">): Promise<boolean> {
  return (await one<{ value: string }>(s.domain.control, "SELECT value FROM meta WHERE key = 'admission_required'"))?.value === "true";
}

async function admissionStanding(s: Pick<Session, "domain">, orgs: string[], accounts: string[]): Promise<Standing> {
  if (!(await admissionRequired(s))) return { ok: true };
  for (const org of new Set(orgs)) {
    const o = await one<{ kind: string }>(s.domain.control, "SELECT kind FROM orgs WHERE id = ?", [org]);
    if (o?.kind !== "developer") continue;
    const a = await one<{ state: string }>(s.domain.control, "SELECT state FROM admissions WHERE org = ? ORDER BY applied_at DESC LIMIT 1", [org]);
    if (a?.state !== "admitted") return no("ORG_NOT_ADMITTED", `organisation '${org}' is ${a ? `${a.state} (admission)` : "not admitted"}; a developer acts only once admitted after its publicity period (GZ 9, ZJ 9)`, { org, admission: a?.state ?? null });
  }
  for (const acc of accounts) {
    const r = await one<{ kind: string; p: string | null }>(s.domain.control, "SELECT o.kind, p.account AS p FROM accounts a JOIN orgs o ON o.id = a.org LEFT JOIN personnel p ON p.account = a.id WHERE a.id = ?", [acc]);
    if (r?.kind === "developer" && !r.p) return no("CONFIDENTIALITY_MISSING", `account '${acc}' has no recorded real-name verification and confidentiality agreement (HB 24(1))`, { account: acc });
  }
  return { ok: true };
}

/** The obligations' verdict for one step. */
export async function obligationStanding(s: Pick<Session, "domain">, subject: ObligationSubject): Promise<Standing> {
  const base = await obligationBase(s, subject);
  if (!base.ok || !subject.consent) return base.ok ? { ok: true } : base;
  const basis = await consentBasis(s, base.scenario);
  if (!basis.ok) return basis;
  return subjectConsent(s, subject, base.scenario);
}

/**
 * Everything but the data subject's own authorization: the product listed, admission, and
 * the use agreement in force. On success it names the product's scenario (for the consent checks).
 */
export async function obligationBase(s: Pick<Session, "domain">, subject: ObligationSubject): Promise<Standing & { scenario?: string }> {
  let scenario: string | undefined;
  const p = subject.product ? await productRef(s, subject.product).catch(() => undefined) : undefined;
  if (subject.product) {
    if (!p) return no("NOT_FOUND", `product '${subject.product}' does not exist`, { what: "product", id: subject.product });
    scenario = p.scenario;
    if (p.state === "delisted") {
      const r = await one<{ reason: string | null }>(s.domain.control, "SELECT reason FROM product_register WHERE product = ?", [p.id]);
      return no("PRODUCT_DELISTED", `product '${p.id}' was delisted (recalled)${r?.reason ? `: ${r.reason}` : ""}; it is neither called nor delivered (GY 31)`, { product: p.id });
    }
    if (p.state !== "listed") return no("PRODUCT_NOT_LISTED", `product '${p.id}' is ${p.state}; only a listed product is used`, { product: p.id, state: p.state });
  }
  const admitted = await admissionStanding(s, [subject.org, subject.callerOrg].filter((x): x is string => !!x), subject.accounts ?? []);
  if (!admitted.ok) return admitted;
  if (p) {
    if (subject.callerOrg && subject.callerOrg !== p.org && subject.callerKind !== "operator") {
      const use = await useInForce(s, p.id, subject.callerOrg, subject.delivery ?? (p.kind === "api" ? "api" : "package"));
      if (!use) return no("USE_AGREEMENT_REQUIRED", `organisation '${subject.callerOrg}' holds no product-use agreement in force for '${p.id}' (HB 27, HB 31)`, { product: p.id, org: subject.callerOrg });
    }
  }
  return { ok: true, scenario };
}

/** The scenario's legal basis for using personal information: it must be the subjects' authorization (GZ 23). */
export async function consentBasis(s: Pick<Session, "domain">, scenario: string | undefined): Promise<Standing> {
  const basis = await legalBasis(s, scenario ?? "");
  if (basis?.basis !== "consent") return no("LEGAL_BASIS_MISSING", `scenario '${scenario}' has no recorded legal basis of data subjects' authorization; a product answering about persons needs one (GZ 23): shuyu consent basis`, { scenario });
  return { ok: true };
}

/** The data subject's own authorization in force now (checked per call: a withdrawal applies to the next one). */
export async function subjectConsent(
  s: Pick<Session, "domain">, subject: Pick<ObligationSubject, "consent" | "product">, scenario: string | undefined,
  lookup: (dataset: string, digest: string, product: string, scenario: string) => Promise<string | undefined> = (...a) => consentInForce(s, ...a),
): Promise<Standing> {
  if (!subject.consent) return { ok: true };
  if (!subject.consent.digest) return no("CONSENT_SUBJECT_UNBOUND", `${subject.product ?? "the product"} answers about persons but its parameters do not name the subject key, so no call can be matched to an authorization (GZ 23)`, { dataset: subject.consent.dataset });
  const id = await lookup(subject.consent.dataset, subject.consent.digest, subject.product ?? "", scenario ?? "");
  if (!id) return no("CONSENT_REQUIRED", `no authorization of this data subject is in force for ${subject.product ? `product '${subject.product}'` : "this use"} (GZ 23, ZJ 20, HB 27(2))`, { dataset: subject.consent.dataset, subjectDigest: subject.consent.digest });
  return { ok: true };
}

import { z } from "zod";
import { CalendarInput, ConsentInput, LegalBasisInput, AdmissionApplyInput, AdmissionPolicyInput, EvaluationInput, PeriodInput, PersonnelInput, SocialImportInput, UseAgreementInput, WhitelistInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import {
  addUseAgreement, addWhitelist, applyAdmission, decideAdmission, delistProduct, importSocialData, listAdmissions, listCatalogProducts, listConsents, listUseAgreements, listWhitelist,
  recordConsent, recordEvaluation, recordLegalBasis, recordPersonnel, registerProduct, registrationRecord, removeWhitelist, revokeConsent, setAdmissionPolicy, setCalendarDays, setTimeZone,
  showCalendar, terminateUseAgreement, usageReport,
} from "../obligations/index.js";
import type { ApiRoute } from "./api-routes.js";
import { ReasonBody } from "./reason-body.js";

const RegisterBody = z.object({ name: z.string(), description: z.string(), pricing: z.string(), priceFen: z.number().optional(), costBasis: z.string() });
const DecisionBody = z.object({ decision: z.enum(["admit", "reject", "remove"]), reason: z.string() });
const ZoneBody = z.object({ timeZone: z.string().min(1).max(64) });
const body = (b: unknown) => (b ?? {}) as Record<string, unknown>;

/** The obligations' actions over HTTP (issue 15): the same service calls as the CLI. */
export const OBLIGATION_ROUTES: ApiRoute[] = [
  { method: "GET", url: "/api/use-agreements", summary: "Product-use agreements (HB 27, HB 31)", permission: "use.read", handler: (s) => listUseAgreements(s) },
  { method: "POST", url: "/api/use-agreements", summary: "File a product-use agreement (buyer, use scenario, delivery, price or public interest, conditions, term)", permission: "use.add", body: UseAgreementInput, status: 201, handler: (s, i) => addUseAgreement(s, i.body) },
  { method: "POST", url: "/api/use-agreements/:id/terminate", summary: "Terminate a product-use agreement", permission: "use.change", body: ReasonBody, handler: (s, i) => terminateUseAgreement(s, i.params.id, parseInput(ReasonBody, i.body, "terminate").reason) },
  { method: "GET", url: "/api/consents", summary: "Data subjects' authorizations (digests only)", permission: "consent.read", handler: (s) => listConsents(s) },
  { method: "POST", url: "/api/consents", summary: "Record a data subject's authorization (GZ 23, ZJ 20, HB 27(2))", permission: "consent.record", body: ConsentInput, status: 201, handler: (s, i) => recordConsent(s, i.body) },
  { method: "POST", url: "/api/consents/:id/revoke", summary: "Revoke a data subject's authorization (the next call is refused)", permission: "consent.revoke", body: ReasonBody, handler: (s, i) => revokeConsent(s, i.params.id, parseInput(ReasonBody, i.body, "revoke").reason) },
  { method: "POST", url: "/api/scenarios/:id/basis", summary: "Record a scenario's legal basis for personal information (desensitized | consent)", permission: "basis.record", body: LegalBasisInput.omit({ scenario: true }), handler: (s, i) => recordLegalBasis(s, { ...body(i.body), scenario: i.params.id }) },
  { method: "GET", url: "/api/product-catalog", summary: "The product catalog (name, form, scenario, sources, price, registration number, state)", permission: "product.read", handler: (s) => listCatalogProducts(s) },
  { method: "POST", url: "/api/products/:id/register", summary: "Register a listed product (HB 26(2), ZJ 22)", permission: "product.register", body: RegisterBody, handler: (s, i) => registerProduct(s, { ...body(i.body), product: i.params.id }) },
  { method: "GET", url: "/api/products/:id/registration", summary: "The signed registration record (存证, shuyu-registration/1)", permission: "product.registration", handler: (s, i) => registrationRecord(s, i.params.id) },
  { method: "POST", url: "/api/products/:id/delist", summary: "Recall one product: calls and delivery stop (GY 31)", permission: "product.delist", body: ReasonBody, handler: (s, i) => delistProduct(s, { product: i.params.id, reason: parseInput(ReasonBody, i.body, "delist").reason }) },
  { method: "GET", url: "/api/admissions", summary: "Admission applications and evaluations", permission: "admission.read", handler: (s) => listAdmissions(s) },
  { method: "POST", url: "/api/admissions", summary: "Apply for admission (qualifications; publicity period)", permission: "admission.apply", body: AdmissionApplyInput, status: 201, handler: (s, i) => applyAdmission(s, i.body) },
  { method: "POST", url: "/api/admissions/:id/decide", summary: "Admit (after publicity), reject or remove", permission: "admission.decide", body: DecisionBody, handler: (s, i) => decideAdmission(s, { ...body(i.body), id: i.params.id }) },
  { method: "POST", url: "/api/admissions/policy", summary: "Require admission (or not) before developers act", permission: "admission.policy", body: AdmissionPolicyInput, handler: (s, i) => setAdmissionPolicy(s, i.body) },
  { method: "POST", url: "/api/evaluations", summary: "Record a developer's performance evaluation (GZ 20, ZJ 31)", permission: "evaluation.record", body: EvaluationInput, status: 201, handler: (s, i) => recordEvaluation(s, i.body) },
  { method: "POST", url: "/api/personnel", summary: "Record real-name verification and a confidentiality agreement (HB 24(1))", permission: "personnel.record", body: PersonnelInput, status: 201, handler: (s, i) => recordPersonnel(s, i.body) },
  { method: "GET", url: "/api/whitelist", summary: "Whitelisted datasets, scenario templates and exempt organisations (HB 28)", permission: "whitelist.read", handler: (s) => listWhitelist(s) },
  { method: "POST", url: "/api/whitelist", summary: "Add a whitelist entry", permission: "whitelist.set", body: WhitelistInput, status: 201, handler: (s, i) => addWhitelist(s, i.body) },
  { method: "POST", url: "/api/whitelist/remove", summary: "Remove a whitelist entry", permission: "whitelist.set", body: WhitelistInput.pick({ kind: true, target: true }), handler: (s, i) => { const b = parseInput(WhitelistInput.pick({ kind: true, target: true }), i.body, "whitelist"); return removeWhitelist(s, b.kind, b.target); } },
  { method: "GET", url: "/api/usage", summary: "Metered use and revenue per product (the market section)", permission: "usage.read", query: PeriodInput, handler: (s, i) => usageReport(s, i.query) },
  { method: "GET", url: "/api/calendar", summary: "The working-day calendar and time zone", permission: "calendar.read", handler: (s) => showCalendar(s) },
  { method: "POST", url: "/api/calendar", summary: "Set public holidays or make-up working days", permission: "calendar.set", body: CalendarInput, handler: (s, i) => setCalendarDays(s, i.body) },
  { method: "POST", url: "/api/calendar/zone", summary: "Set the domain's time zone", permission: "calendar.set", body: ZoneBody, handler: (s, i) => setTimeZone(s, parseInput(ZoneBody, i.body, "zone").timeZone) },
  { method: "POST", url: "/api/social", summary: "Approve the lawful source of a developer's social data and import it (file on the server)", permission: "social.import", body: SocialImportInput, status: 201, handler: (s, i) => importSocialData(s, i.body) },
];

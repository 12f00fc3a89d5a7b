import type { Action } from "./actions.js";
import type { Principal } from "./principal.js";

/** Facts about the object an action touches; each rule reads only what it needs. */
export interface ObjectFacts {
  /** Organisation owning the object (job, scenario, egress request, agreement). */
  ownerOrg?: string;
  /** Provider organisations whose datasets the object uses. */
  providerOrgs?: string[];
  /** Organisation of the account that submitted the object (separation of duties). */
  submitterOrg?: string;
}

type Rule = (p: Principal, o: ObjectFacts) => string | null;

const operatorStaff = (p: Principal) => p.orgKind === "operator";

/** Operator staff and the supervising authority see across organisations (the supervision view). */
export const seesAllOrgs = (p: Principal) => p.orgKind === "operator" || p.orgKind === "regulator";

/** Developers see and act only within their own organisation. */
const ownOrgForDevelopers: Rule = (p, o) => {
  if (operatorStaff(p)) return null;
  if (p.roles.includes("auditor") && seesAllOrgs(p)) return null;
  if (o.ownerOrg !== undefined && o.ownerOrg !== p.orgId && !p.roles.includes("reviewer")) {
    return `object belongs to organisation '${o.ownerOrg}', not '${p.orgId}'`;
  }
  return null;
};

/** Acting on an organisation's own running work: that organisation, or the operator's admins (no cross-org reviewer pass). */
const ownOrgOrOperatorAdmin: Rule = (p, o) => {
  if (operatorStaff(p) && p.roles.includes("admin")) return null;
  return o.ownerOrg !== undefined && o.ownerOrg !== p.orgId ? `object belongs to organisation '${o.ownerOrg}', not '${p.orgId}'` : null;
};

/** Providers decide only on scenarios that use their own datasets. */
const providerOwnsData: Rule = (p, o) => {
  if (p.roles.includes("admin") && operatorStaff(p)) return null;
  if (!o.providerOrgs?.includes(p.orgId)) return `scenario uses no dataset of organisation '${p.orgId}'`;
  return null;
};

/** A reviewer never reviews their own organisation's request (DESIGN §1). */
const otherOrgReviewer: Rule = (p, o) =>
  o.submitterOrg === p.orgId ? `reviewer belongs to the submitting organisation '${p.orgId}' (separation of duties)` : null;

/** The supervising authority reads the catalog but never sample rows (its view holds no data). */
const noSamplesForRegulator: Rule = (p) => (p.orgKind === "regulator" ? "the supervision view shows the catalog without sample data" : null);

/** Object rules per action; actions without an entry need only the role. */
export const OBJECT_RULES: Partial<Record<Action, Rule[]>> = {
  "scenario.read": [ownOrgForDevelopers],
  "catalog.sample": [noSamplesForRegulator],
  "scenario.approve": [providerOwnsData],
  "scenario.reject": [providerOwnsData],
  "job.read": [ownOrgForDevelopers],
  "job.submit": [ownOrgForDevelopers],
  "job.dev": [ownOrgForDevelopers],
  "job.cancel": [ownOrgOrOperatorAdmin],
  "egress.request": [ownOrgForDevelopers],
  "egress.read": [ownOrgForDevelopers],
  "egress.review": [otherOrgReviewer],
  "agreement.read": [ownOrgForDevelopers],
  "product.read": [ownOrgForDevelopers],
  "product.download": [ownOrgForDevelopers],
  "feedback.read": [ownOrgForDevelopers],
  "use.read": [ownOrgForDevelopers],
  "admission.apply": [ownOrgForDevelopers],
  "admission.read": [ownOrgForDevelopers],
};

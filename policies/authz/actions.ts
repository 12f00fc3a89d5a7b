import type { Role } from "../schemas/common.js";

/**
 * The permission table: which role may attempt which action. Object rules
 * (own organisation, own datasets, separation of duties) live in object-rules.ts.
 */
export const ROLE_PERMISSIONS = {
  "org.add": ["admin"],
  "org.list": ["admin", "auditor"],
  "account.add": ["admin"],
  "account.list": ["admin", "auditor"],
  "account.revoke": ["admin"],
  "dataset.ingest": ["admin"],
  "dataset.tag": ["admin"],
  "dataset.purge": ["admin"],
  "dataset.describe": ["admin"],
  "catalog.read": ["admin", "provider", "developer", "reviewer", "auditor"],
  "catalog.sample": ["admin", "provider", "developer", "reviewer", "auditor"],
  "agreement.add": ["admin"],
  "agreement.change": ["admin"],
  "agreement.read": ["admin", "auditor", "developer", "provider"],
  "scenario.submit": ["developer"],
  "scenario.approve": ["admin", "provider"],
  "scenario.reject": ["admin", "provider"],
  "scenario.change": ["admin"],
  "scenario.read": ["admin", "auditor", "developer", "provider", "reviewer"],
  "job.submit": ["developer"],
  "job.dev": ["developer"],
  "job.read": ["developer", "admin", "auditor", "reviewer"],
  /** Ending someone's running job changes state: the submitting developers and the operator's admins only. */
  "job.cancel": ["developer", "admin"],
  "quota.set": ["admin"],
  "quota.read": ["admin", "auditor"],
  "limits.set": ["admin"],
  "limits.read": ["admin", "auditor", "developer"],
  "egress.request": ["developer"],
  "egress.read": ["developer", "reviewer", "admin", "auditor"],
  "egress.review": ["reviewer"],
  "product.read": ["developer", "reviewer", "admin", "auditor", "provider"],
  /** Calling a data interface returns data-derived answers: not for read-only supervision. */
  "product.call": ["developer", "reviewer", "admin", "provider"],
  "product.publish": ["developer"],
  "product.download": ["developer", "admin"],
  "operator.authorize": ["admin"],
  "operator.read": ["admin", "auditor"],
  "org.terminate": ["admin"],
  "incident.open": ["admin"],
  "incident.close": ["admin"],
  "incident.read": ["admin", "auditor"],
  "audit.export": ["admin", "auditor"],
  "backup.create": ["admin"],
  "logs.prune": ["admin"],
  "audit.read": ["auditor", "admin"],
  "audit.verify": ["auditor", "admin"],
  /** The operator raises quality issues to providers too (HLJ 19). */
  "feedback.submit": ["developer", "admin"],
  "feedback.read": ["developer", "provider", "admin", "auditor"],
  "feedback.answer": ["provider", "admin"],
  "report.read": ["admin", "auditor"],
  "bench.run": ["admin"],
  // Obligations (issue 15): product use, consent, register, admission, whitelists, fees, calendar, social data.
  "use.add": ["admin"],
  "use.change": ["admin"],
  "use.read": ["admin", "auditor", "developer", "provider"],
  "consent.record": ["admin"],
  "consent.revoke": ["admin"],
  "consent.read": ["admin", "auditor"],
  "basis.record": ["admin"],
  "product.register": ["admin"],
  "product.delist": ["admin"],
  "product.registration": ["admin", "auditor"],
  "admission.apply": ["developer", "admin"],
  "admission.decide": ["admin"],
  "admission.read": ["admin", "auditor", "developer"],
  "admission.policy": ["admin"],
  "evaluation.record": ["admin"],
  "personnel.record": ["admin"],
  "whitelist.set": ["admin"],
  "whitelist.read": ["admin", "auditor", "reviewer", "developer", "provider"],
  "calendar.set": ["admin"],
  "calendar.read": ["admin", "auditor", "developer", "provider", "reviewer"],
  "social.import": ["admin"],
  "usage.read": ["admin", "auditor"],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ROLE_PERMISSIONS;

/** True if some role of the principal holds `action` in the table. */
export function roleAllows(roles: readonly Role[], action: Action): boolean {
  const allowed: readonly Role[] = ROLE_PERMISSIONS[action];
  return roles.some((r) => allowed.includes(r));
}

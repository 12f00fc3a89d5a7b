import type { Principal } from "../../policies/authz/principal.js";
import { ShuyuError } from "../../policies/errors.js";
import type { Domain } from "../domain/domain.js";

/**
 * Records a refused attempt by a known account (R7: every operation recorded and
 * reviewable, HB 24(1), ZJ 28): the permission or state check that refused it, never the
 * input. Unauthenticated requests are not chained (bad tokens are rate-limited instead),
 * so a flood of guesses cannot flood the chain.
 */
export async function auditDenied(domain: Domain, principal: Principal | undefined, err: unknown, where: string): Promise<void> {
  if (!principal || !(err instanceof ShuyuError) || err.kind !== "denied") return;
  try {
    await domain.audit({
      actor: principal.accountId, action: "access.denied", object: where,
      details: { code: err.code, ...(typeof err.details.permission === "string" ? { permission: err.details.permission } : {}), ...(typeof err.details.step === "string" ? { step: err.details.step } : {}) },
    });
  } catch {
    // the refusal itself is what the caller reports; a failed audit write must not mask it
  }
}

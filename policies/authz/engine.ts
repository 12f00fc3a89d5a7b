import { ShuyuError } from "../errors.js";
import { roleAllows, type Action } from "./actions.js";
import { OBJECT_RULES, type ObjectFacts } from "./object-rules.js";
import type { Principal } from "./principal.js";

/** The single place where permission decisions are made; returns the reason when denied. */
export function decide(principal: Principal, action: Action, object?: ObjectFacts): { allowed: true } | { allowed: false; reason: string } {
  if (!roleAllows(principal.roles, action)) {
    return { allowed: false, reason: `missing permission '${action}' (roles: ${principal.roles.join(",") || "none"})` };
  }
  if (object) {
    for (const rule of OBJECT_RULES[action] ?? []) {
      const why = rule(principal, object);
      if (why) return { allowed: false, reason: `permission '${action}' denied: ${why}` };
    }
  }
  return { allowed: true };
}

/** Throws a DENIED ShuyuError (exit 2) naming the missing permission unless allowed. */
export function authorize(principal: Principal, action: Action, object?: ObjectFacts): void {
  const d = decide(principal, action, object);
  if (!d.allowed) {
    throw new ShuyuError("denied", "PERMISSION_DENIED", `${principal.accountId}: ${d.reason}`, {
      details: { permission: action, account: principal.accountId },
    });
  }
}

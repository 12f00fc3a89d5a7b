/**
 * `shuyu status`: what waits for the signed-in person — scenarios to approve (operator admins,
 * providers of granted data), egress requests to review (reviewers who may decide them), and
 * for developers their failed jobs and returned requests. Built only from the services' own
 * views, so nobody learns more here than `list` would show them.
 */
import type { Principal } from "../../policies/authz/principal.js";
import { listEgress, type EgressRequest } from "./egress.js";
import { listJobs } from "./jobs.js";
import { listScenarios } from "./scenarios.js";
import type { Session } from "./session.js";

/** One thing that waits, with the command that deals with it. */
export interface WaitingItem {
  kind: "scenario-approval" | "egress-review" | "failed-job" | "returned-request";
  id: string;
  what: string;
  next: string;
}

/** Who the signed-in account is. */
export function whoami(s: Session): Principal & { domain: string } {
  return { ...s.principal, domain: s.domain.paths.dir };
}

const may = (p: Principal, role: string) => p.roles.includes(role as Principal["roles"][number]);

/** Everything waiting for this principal, oldest concerns first within each kind. */
export async function waitingFor(s: Session): Promise<WaitingItem[]> {
  const p = s.principal;
  const out: WaitingItem[] = [];
  if ((p.orgKind === "operator" && may(p, "admin")) || may(p, "provider")) {
    for (const sc of await listScenarios(s).catch(() => [])) {
      if (sc.state !== "submitted") continue;
      const mine = p.orgKind === "operator" ? sc.approvals.required.includes("operator") && !sc.approvals.operator : sc.approvals.required.includes(p.orgId) && !sc.approvals.providers[p.orgId];
      if (mine) out.push({ kind: "scenario-approval", id: sc.id, what: `scenario ${sc.id} of ${sc.org}: ${sc.purpose}`, next: `shuyu scenario approve ${sc.id}  (or reject ${sc.id} --reason TEXT)` });
    }
  }
  if (may(p, "reviewer")) {
    for (const r of await listEgress(s)) {
      if (r.state !== "checked" || r.org === p.orgId || r.reviews.some((v) => v.by === p.accountId)) continue;
      out.push({ kind: "egress-review", id: r.id, what: `egress ${r.id} (${r.form}, grade ${r.grade}) of ${r.org}: ${r.approvals} of ${r.reviewsNeeded} approvals`, next: `shuyu egress show ${r.id} --data` });
    }
  }
  if (may(p, "developer")) {
    for (const j of await listJobs(s, { state: "failed", limit: 20 })) {
      if (j.org === p.orgId) out.push({ kind: "failed-job", id: j.id, what: `job ${j.id} (${j.mode}) on ${j.scenario} failed${j.reason ? `: ${j.reason}` : ""}`, next: j.mode === "dev" ? `shuyu job logs ${j.id}` : `shuyu job status ${j.id}` });
    }
    for (const r of (await listEgress(s)).filter((x: EgressRequest) => x.state === "returned" && x.org === p.orgId)) {
      const why = r.reviews.filter((v) => v.decision === "return").at(-1)?.reason ?? "";
      out.push({ kind: "returned-request", id: r.id, what: `egress ${r.id} returned for changes: ${why}`, next: `change the job, submit it again and request egress` });
    }
  }
  return out;
}

/**
 * The call-site forms of the state check: `checkNow` for gates outside a mutation (it
 * first writes any lapsed term's expiry and purge in its own mutation, so the expiry
 * holds even when the gate then denies), and `gateCompletion` for a finishing job.
 */
import type { JobOutcome } from "../../sandbox/index.js";
import { one } from "../domain/db.js";
import { expireLapsed } from "../services/agreements.js";
import type { Session } from "../services/session.js";
import { assertStanding, standing, type StandingSubject } from "./standing.js";

/** Expires lapsed terms (committed), then throws unless the subject may act now. */
export async function checkNow(s: Pick<Session, "domain">, subject: StandingSubject): Promise<void> {
  await s.domain.mutate(() => expireLapsed(s));
  await assertStanding(s, subject);
}

/**
 * A job that finishes after its organisation, agreement, scenario or submitter lost
 * standing (or was cancelled by a purge or an incident) stages nothing: its outcome
 * becomes `cancelled` with the reason's code, so no output exists to request egress for.
 */
export async function gateCompletion(s: Pick<Session, "domain">, jobId: string, outcome: JobOutcome): Promise<JobOutcome> {
  const job = await one<{ scenario: string; submitted_by: string; state: string; reason: string | null }>(s.domain.control, "SELECT scenario, submitted_by, state, reason FROM jobs WHERE id = ?", [jobId]);
  if (!job) return outcome;
  const cancelled = (reason: string): JobOutcome => ({ state: "cancelled" as JobOutcome["state"], reason, outputs: { tables: {}, logs: [] }, queries: outcome.queries });
  if (job.state === "cancelled") return cancelled(job.reason ?? "CANCELLED");
  const v = await standing(s, { step: "job.complete", scenario: job.scenario, accounts: [job.submitted_by] });
  return v.ok ? outcome : cancelled(v.code);
}

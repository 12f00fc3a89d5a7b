import { randomBytes } from "node:crypto";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput } from "../../policies/schemas/common.js";
import { localDate, now, today } from "../clock.js";
import { all, one } from "../domain/db.js";
import { currentVersion } from "./datasets.js";
import type { Session } from "./session.js";
import { workingDeadline } from "../obligations/calendar.js";

/** HB 25: the provider answers a quality report within 3 working days. */
export const DEFAULT_FEEDBACK_WORKING_DAYS = 3;
/** GZ 21 allows 10 working days: the longest deadline a domain may configure. */
export const MAX_FEEDBACK_WORKING_DAYS = 10;

export const SubmitFeedbackInput = z.object({
  dataset: IdSchema,
  text: z.string().trim().min(5, "describe the quality problem in at least 5 characters").max(4000),
});

export const AnswerFeedbackInput = z.object({
  id: z.string().min(1),
  text: z.string().trim().min(2, "--text is the provider's answer").max(4000),
});

export const FeedbackFilter = z.object({
  dataset: IdSchema.optional(),
  state: z.enum(["open", "answered"]).optional(),
  overdue: z.boolean().optional(),
});

/** A data-quality report (R8) as its parties see it. */
export interface Feedback {
  id: string;
  dataset: string;
  provider: string;
  org: string;
  text: string;
  state: "open" | "answered";
  answer: string | null;
  submittedBy: string;
  submittedAt: string;
  due: string;
  answeredAt: string | null;
  /** Open past its due date, or answered after it. */
  overdue: boolean;
}

type FeedbackRow = {
  id: string; dataset: string; provider: string; org: string; text: string; state: Feedback["state"]; answer: string | null;
  submitted_by: string; submitted_at: Date; due: unknown; answered_at: Date | null;
};

const dateText = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d));

/** The domain's calendar day of an answer's instant (ISO, UTC). */
export function answeredDay(at: string): string {
  return localDate(new Date(at));
}

/** Whether an item is late as of `asOf` (YYYY-MM-DD): open after its due day, or answered after it. */
export function isOverdue(f: { state: string; due: string; answeredAt: string | null }, asOf: string): boolean {
  if (f.state === "answered") return f.answeredAt !== null && answeredDay(f.answeredAt) > f.due;
  return asOf > f.due;
}

function toFeedback(r: FeedbackRow, asOf: string): Feedback {
  const f = {
    id: r.id, dataset: r.dataset, provider: r.provider, org: r.org, text: r.text, state: r.state, answer: r.answer, submittedBy: r.submitted_by,
    submittedAt: r.submitted_at.toISOString(), due: dateText(r.due), answeredAt: r.answered_at ? r.answered_at.toISOString() : null,
  };
  return { ...f, overdue: isOverdue(f, asOf) };
}

/**
 * The date `days` working days (Monday to Friday) after `from` (YYYY-MM-DD). Public holidays
 * and the make-up working weekends of the State Council calendar are not modelled.
 */
export function addWorkingDays(from: string, days: number): string {
  const d = new Date(from + "T00:00:00Z");
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d.toISOString().slice(0, 10);
}

/** The domain's answer deadline in working days (3 unless configured, at most 10). */
export async function feedbackWorkingDays(s: Pick<Session, "domain">): Promise<number> {
  const row = await one<{ value: string }>(s.domain.control, "SELECT value FROM meta WHERE key = 'feedback_working_days'");
  return row ? Number(row.value) : DEFAULT_FEEDBACK_WORKING_DAYS;
}

/** Sets the answer deadline (operator admin; 1..10 working days, GZ 21 being the longest). */
export async function setFeedbackWorkingDays(s: Session, days: number): Promise<{ workingDays: number }> {
  // Deadlines are dataset-governance settings: the admin-only permission that describes datasets covers them.
  authorize(s.principal, "dataset.describe");
  if (!Number.isInteger(days) || days < 1 || days > MAX_FEEDBACK_WORKING_DAYS) {
    throw new ShuyuError("invalid", "INVALID_WORKING_DAYS", `the answer deadline is 1..${MAX_FEEDBACK_WORKING_DAYS} working days (HB 25: 3, GZ 21: 10); got ${days}`, { details: { days } });
  }
  return s.domain.mutate(async () => {
    const before = await feedbackWorkingDays(s);
    await s.domain.control.run("INSERT OR REPLACE INTO meta VALUES ('feedback_working_days', ?)", [String(days)]);
    await s.domain.audit({ actor: s.principal.accountId, action: "feedback.configure", object: "feedback", details: { workingDays: days, before } });
    return { workingDays: days };
  });
}

/** A developer reports a quality problem; it is routed to the dataset's provider with a due date (R8). */
export async function submitFeedback(s: Session, raw: unknown): Promise<Feedback> {
  authorize(s.principal, "feedback.submit");
  const input = parseInput(SubmitFeedbackInput, raw, "feedback");
  return s.domain.mutate(async () => {
    const ds = await currentVersion(s, input.dataset);
    const id = `fb-${today().replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
    const days = await feedbackWorkingDays(s);
    // Working days of the domain's calendar (public holidays, make-up weekends) in its time zone (HB 25, GZ 21).
    const { due, timeZone } = await workingDeadline(s, days);
    await s.domain.control.run("INSERT INTO feedback VALUES (?, ?, ?, ?, ?, 'open', NULL, ?, ?::TIMESTAMP, ?::DATE, NULL)", [
      id, ds.id, ds.provider, s.principal.orgId, input.text, s.principal.accountId, now().toISOString(), due,
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "feedback.submit", object: `feedback:${id}`, details: { dataset: ds.id, version: ds.version, provider: ds.provider, due, workingDays: days, timeZone, raisedBy: s.principal.orgKind === "operator" ? "operator" : "developer" } });
    return getFeedback(s, id);
  });
}

/** Loads one item or NOT_FOUND (no authorization: callers decide). */
export async function getFeedback(s: Pick<Session, "domain">, id: string): Promise<Feedback> {
  const r = await one<FeedbackRow>(s.domain.control, "SELECT * FROM feedback WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `feedback '${id}' does not exist`, { details: { what: "feedback", id } });
  return toFeedback(r, today());
}

/** Whether the principal is a party to the item: its developer organisation, its provider, or operator staff. */
function isParty(s: Session, f: Pick<Feedback, "org" | "provider">): boolean {
  return s.principal.orgKind === "operator" || f.org === s.principal.orgId || f.provider === s.principal.orgId;
}

/** Items the principal is a party to, with their due dates and whether they are overdue. */
export async function listFeedback(s: Session, raw: unknown = {}): Promise<Feedback[]> {
  authorize(s.principal, "feedback.read");
  const f = parseInput(FeedbackFilter, raw, "filter");
  const asOf = today();
  const rows = (await all<FeedbackRow>(s.domain.control, "SELECT * FROM feedback ORDER BY submitted_at, id")).map((r) => toFeedback(r, asOf));
  return rows.filter(
    (x) => isParty(s, x) && (!f.dataset || x.dataset === f.dataset) && (!f.state || x.state === f.state) && (f.overdue === undefined || x.overdue === f.overdue),
  );
}

/** The dataset's provider (or operator admin) answers an open item. */
export async function answerFeedback(s: Session, raw: unknown): Promise<Feedback> {
  authorize(s.principal, "feedback.answer");
  const input = parseInput(AnswerFeedbackInput, raw, "answer");
  return s.domain.mutate(async () => {
    const f = await getFeedback(s, input.id);
    if (s.principal.orgKind !== "operator" && f.provider !== s.principal.orgId) {
      throw new ShuyuError("denied", "PERMISSION_DENIED", `${s.principal.accountId}: feedback '${f.id}' is addressed to provider '${f.provider}', not '${s.principal.orgId}'`, {
        details: { permission: "feedback.answer", account: s.principal.accountId },
      });
    }
    if (f.state !== "open") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `feedback '${f.id}' was already answered at ${f.answeredAt}`);
    const at = now().toISOString();
    await s.domain.control.run("UPDATE feedback SET state = 'answered', answer = ?, answered_at = ?::TIMESTAMP WHERE id = ?", [input.text, at, f.id]);
    const late = answeredDay(at) > f.due;
    await s.domain.audit({ actor: s.principal.accountId, action: "feedback.answer", object: `feedback:${f.id}`, details: { dataset: f.dataset, due: f.due, late } });
    return getFeedback(s, f.id);
  });
}

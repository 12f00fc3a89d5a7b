/**
 * Terms of an authorization (R3). The regulations cap an authorization at three years
 * (GZ 7, HLJ 14(2), HB 9, ZJ 8, GY 32) and let it be renewed on application within the
 * three months before it expires (ZJ 11); a developer agreement cannot outlast the
 * operator's own authorization (ZJ 11, GZ 7). We read the cap as binding the continuous
 * authorized span of one organisation over one dataset, renewals included: agreements
 * whose terms overlap or adjoin form one span, and that span is at most three years.
 * A new span after a gap is a new authorization (a fresh admission, GZ 9, ZJ 9).
 */
import { ShuyuError } from "../../policies/errors.js";
import { today } from "../clock.js";
import { all } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { ensureLifecycleTables } from "./schema.js";

/** GZ 7, HLJ 14(2), HB 9, ZJ 8, GY 32. */
export const MAX_SPAN_YEARS = 3;
/** ZJ 11: a renewal is applied for within three months before expiry. */
export const RENEWAL_WINDOW_MONTHS = 3;

/** Adds calendar years/months/days to a YYYY-MM-DD date (day clamped to the month's end). */
export function shiftDate(date: string, { years = 0, months = 0, days = 0 }: { years?: number; months?: number; days?: number }): string {
  const [y, m, d] = date.split("-").map(Number);
  const first = new Date(Date.UTC(y + years, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  const t = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last) + days));
  return t.toISOString().slice(0, 10);
}

type Ctx = Pick<Session, "domain">;

/**
 * Checks a proposed agreement's term against the operator's authorization, the
 * three-year span and the renewal window; returns which agreements it renews.
 */
export async function checkTerms(s: Ctx, a: { org: string; datasets: string[]; start: string; end: string }): Promise<{ renews: string[] }> {
  await ensureLifecycleTables(s.domain.control);
  const ops = await all<{ id: string; datasets: string; start: string; end: string }>(
    s.domain.control,
    "SELECT id, datasets, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\" FROM operator_authorization ORDER BY recorded_at DESC, id DESC",
  );
  const fits = (op: (typeof ops)[number]) => {
    const covered = JSON.parse(op.datasets) as string[];
    return a.start >= op.start && a.end <= op.end && (covered.includes("*") || a.datasets.every((d) => covered.includes(d)));
  };
  if (ops.length && !ops.some(fits)) {
    const op = ops[0];
    throw new ShuyuError("invalid", "BEYOND_OPERATOR_AUTHORIZATION", `the operator's own authorization ${op.id} covers ${(JSON.parse(op.datasets) as string[]).join(", ")} from ${op.start} to ${op.end}; an agreement cannot reach beyond it (ZJ 11, GZ 7)`, {
      details: { authorization: op.id, start: op.start, end: op.end },
    });
  }
  const rows = await all<{ id: string; datasets: string; state: string; start: string; end: string }>(
    s.domain.control,
    "SELECT id, datasets, state, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\" FROM agreements WHERE org = ? ORDER BY start_date",
    [a.org],
  );
  const renews = new Set<string>();
  for (const d of a.datasets) {
    // Grow the span of periods that overlap or adjoin the new one.
    const periods = rows.filter((r) => (JSON.parse(r.datasets) as string[]).includes(d));
    let lo = a.start;
    let hi = a.end;
    const inSpan = new Set<string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of periods) {
        if (inSpan.has(p.id)) continue;
        if (p.start <= shiftDate(hi, { days: 1 }) && shiftDate(p.end, { days: 1 }) >= lo) {
          inSpan.add(p.id);
          if (p.start < lo) lo = p.start;
          if (p.end > hi) hi = p.end;
          grew = true;
        }
      }
    }
    const limit = shiftDate(lo, { years: MAX_SPAN_YEARS });
    if (hi > limit) {
      throw new ShuyuError("invalid", "SPAN_TOO_LONG", `organisation '${a.org}' would hold '${d}' from ${lo} to ${hi} with ${[...inSpan].join(", ") || "no other agreement"}; the authorized span, renewals included, lasts at most ${MAX_SPAN_YEARS} years (ends on or before ${limit})`, {
        details: { org: a.org, dataset: d, from: lo, to: hi, limit, agreements: [...inSpan] },
      });
    }
    // A new term that continues a live agreement is a renewal: only in the window before its end.
    for (const p of periods.filter((x) => inSpan.has(x.id) && (x.state === "active" || x.state === "suspended") && x.end < a.end)) {
      const opens = shiftDate(p.end, { months: -RENEWAL_WINDOW_MONTHS });
      if (today() < opens) {
        throw new ShuyuError("invalid", "RENEWAL_TOO_EARLY", `agreement ${p.id} runs until ${p.end}; a renewal is applied for within ${RENEWAL_WINDOW_MONTHS} months before expiry, from ${opens} (ZJ 11)`, {
          details: { agreement: p.id, end: p.end, opens },
        });
      }
      renews.add(p.id);
    }
  }
  return { renews: [...renews] };
}

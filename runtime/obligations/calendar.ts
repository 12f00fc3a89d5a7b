/**
 * Working days in the domain's time zone (Asia/Shanghai unless configured) with a
 * configurable calendar of public holidays and make-up working weekends (调休), for the
 * quality-feedback deadlines of HB 25 (3 working days) and GZ 21 (10).
 */
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { CalendarInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { DEFAULT_TIME_ZONE, localDate, now, useTimeZone } from "../clock.js";
import { all, one } from "../domain/db.js";
import type { Session } from "../services/session.js";

export { DEFAULT_TIME_ZONE, localDate };

/** The domain's time zone. */
export async function domainTimeZone(s: Pick<Session, "domain">): Promise<string> {
  return (await one<{ value: string }>(s.domain.control, "SELECT value FROM meta WHERE key = 'time_zone'"))?.value ?? DEFAULT_TIME_ZONE;
}

/** Days that differ from Monday-Friday. */
export async function calendarDays(s: Pick<Session, "domain">): Promise<Map<string, "holiday" | "workday">> {
  const rows = await all<{ day: string; kind: "holiday" | "workday" }>(s.domain.control, "SELECT strftime(day, '%Y-%m-%d') AS day, kind FROM calendar_days");
  return new Map(rows.map((r) => [r.day, r.kind]));
}

/** Whether `day` is a working day: Monday-Friday unless a holiday, and a weekend day set as a make-up working day. */
export function isWorkingDay(day: string, calendar: Map<string, "holiday" | "workday">): boolean {
  const set = calendar.get(day);
  if (set) return set === "workday";
  const wd = new Date(day + "T00:00:00Z").getUTCDay();
  return wd !== 0 && wd !== 6;
}

/** The date `days` working days after `from`. */
export function addWorkingDaysWith(from: string, days: number, calendar: Map<string, "holiday" | "workday">): string {
  const d = new Date(from + "T00:00:00Z");
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(d.toISOString().slice(0, 10), calendar)) left--;
  }
  return d.toISOString().slice(0, 10);
}

/** A deadline `days` working days from now, counted in the domain's calendar and time zone. */
export async function workingDeadline(s: Pick<Session, "domain">, days: number): Promise<{ from: string; due: string; timeZone: string }> {
  const timeZone = await domainTimeZone(s);
  const from = localDate(now(), timeZone);
  return { from, due: addWorkingDaysWith(from, days, await calendarDays(s)), timeZone };
}

/** Sets days as holidays or make-up working days (operator admin; audited). */
export async function setCalendarDays(s: Session, raw: unknown) {
  authorize(s.principal, "calendar.set");
  const input = parseInput(CalendarInput, raw, "calendar");
  return s.domain.mutate(async () => {
    for (const day of input.days) await s.domain.control.run("INSERT OR REPLACE INTO calendar_days VALUES (?::DATE, ?, ?, ?, ?::TIMESTAMP)", [day, input.kind, input.name, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "calendar.set", object: "calendar", details: input });
    return { id: input.name, ...input };
  });
}

/** Sets the domain's time zone (an IANA name). */
export async function setTimeZone(s: Session, timeZone: string) {
  authorize(s.principal, "calendar.set");
  try {
    localDate(new Date(), timeZone);
  } catch {
    throw new ShuyuError("invalid", "INVALID_TIME_ZONE", `'${timeZone}' is not an IANA time zone (e.g. Asia/Shanghai)`);
  }
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT OR REPLACE INTO meta VALUES ('time_zone', ?)", [timeZone]);
    await s.domain.audit({ actor: s.principal.accountId, action: "calendar.zone", object: "calendar", details: { timeZone } });
    useTimeZone(timeZone);
    return { timeZone };
  });
}

/** The calendar and time zone. */
export async function showCalendar(s: Session) {
  authorize(s.principal, "calendar.read");
  const rows = await all<{ day: string; kind: string; name: string }>(s.domain.control, "SELECT strftime(day, '%Y-%m-%d') AS day, kind, name FROM calendar_days ORDER BY day");
  return { timeZone: await domainTimeZone(s), days: rows };
}

/**
 * The domain's notion of "now". SHUYU_NOW (ISO date or timestamp) moves it for tests and
 * expiry drills; every use is still written to the audit chain with the clock it saw.
 */
export function now(): Date {
  const override = process.env.SHUYU_NOW;
  if (override) {
    const d = new Date(override);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date();
}

/** The regulations' days are China's calendar days: a domain's zone unless its operator set another. */
export const DEFAULT_TIME_ZONE = "Asia/Shanghai";
let zone = DEFAULT_TIME_ZONE;

/** Sets the zone whose calendar day `today()` gives (the open domain's, read from its meta at open). */
export function useTimeZone(timeZone: string): void {
  zone = timeZone;
}

/** The zone `today()` uses. */
export function currentTimeZone(): string {
  return zone;
}

/** The calendar date (YYYY-MM-DD) of `at` in `timeZone`. */
export function localDate(at: Date, timeZone: string = zone): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** The instant at which calendar day `day` (YYYY-MM-DD) begins in `timeZone`. */
export function dayStart(day: string, timeZone: string = zone): Date {
  const midnightUtc = Date.parse(day + "T00:00:00Z");
  // Offset of the zone at a moment, from the wall-clock time it shows; twice for a DST edge.
  const offset = (t: number) => {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(t));
    const f = (type: string) => Number(parts.find((p) => p.type === type)!.value);
    return Date.UTC(f("year"), f("month") - 1, f("day"), f("hour"), f("minute"), f("second")) - t;
  };
  let t = midnightUtc - offset(midnightUtc);
  t = midnightUtc - offset(t);
  return new Date(t);
}

/** The calendar date `n` days after `day` (YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(day + "T00:00:00Z") + n * 86_400_000).toISOString().slice(0, 10);
}

/** Today's date as YYYY-MM-DD in the domain's time zone (agreements, consents, quotas, deadlines). */
export function today(): string {
  return localDate(now());
}

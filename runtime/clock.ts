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

/** Today's date as YYYY-MM-DD (UTC). */
export function today(): string {
  return now().toISOString().slice(0, 10);
}

import { ShuyuError } from "../../policies/errors.js";
import { currentTimeZone, localDate, now } from "../clock.js";

/** Requests per second a key may sustain and how many it may send at once. */
export interface RateRule {
  perSecond: number;
  burst: number;
}

/**
 * Token buckets per key (an account, or a caller of one API product). In memory:
 * a restart refills every bucket, which errs towards availability, not towards leaking data.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly rule: RateRule, private readonly clock: () => number = () => performance.now()) {}

  /** Throws RATE_LIMITED if `key` has no token left, without taking one. */
  check(key: string, rule: RateRule = this.rule): void {
    const b = this.buckets.get(key);
    if (!b) return;
    const tokens = Math.min(rule.burst, b.tokens + ((this.clock() - b.at) / 1000) * rule.perSecond);
    if (tokens < 1) this.take(key, rule);
  }

  /** Takes one token for `key` or throws RATE_LIMITED (429) saying when to retry. */
  take(key: string, rule: RateRule = this.rule): void {
    const t = this.clock();
    const b = this.buckets.get(key) ?? { tokens: rule.burst, at: t };
    b.tokens = Math.min(rule.burst, b.tokens + ((t - b.at) / 1000) * rule.perSecond);
    b.at = t;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      const retryMs = Math.ceil(((1 - b.tokens) / rule.perSecond) * 1000);
      throw new ShuyuError("denied", "RATE_LIMITED", `too many requests: at most ${rule.perSecond}/s (burst ${rule.burst}); retry in ${retryMs} ms`, {
        details: { perSecond: rule.perSecond, burst: rule.burst, retryMs },
      });
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > 100_000) this.sweep(t);
  }

  /** Drops full buckets so keys that stopped calling do not accumulate. */
  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((t - b.at) / 1000) * this.rule.perSecond >= this.rule.burst) this.buckets.delete(k);
  }
}

/** Counts calls per key per calendar day of the domain's time zone and refuses past the quota (QUOTA_EXCEEDED, 429). */
export class DailyQuota {
  private day = "";
  private readonly used = new Map<string, number>();

  /** Counts one call for `key` under `limit`, or throws. */
  take(key: string, limit: number, today = localDate(now())): void {
    if (today !== this.day) {
      this.day = today;
      this.used.clear();
    }
    const n = this.used.get(key) ?? 0;
    if (n >= limit) throw new ShuyuError("denied", "QUOTA_EXCEEDED", `daily quota of ${limit} calls used up; it resets at 00:00 ${currentTimeZone()}`, { details: { limit, day: today } });
    this.used.set(key, n + 1);
  }
}

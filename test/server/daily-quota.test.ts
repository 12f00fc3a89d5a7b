import { afterEach, describe, expect, it } from "vitest";
import { useTimeZone, DEFAULT_TIME_ZONE } from "../../runtime/clock.js";
import { DailyQuota } from "../../runtime/server/rate-limit.js";

const saved = process.env.SHUYU_NOW;
afterEach(() => {
  if (saved === undefined) delete process.env.SHUYU_NOW;
  else process.env.SHUYU_NOW = saved;
  useTimeZone(DEFAULT_TIME_ZONE);
});

const code = (f: () => void) => {
  try {
    f();
    return "ok";
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

describe("API products' daily quota counts the domain's calendar day, not UTC's", () => {
  it("a call at 23:30 UTC is the next Shanghai day: the quota used up at 15:00 UTC the same UTC date is fresh again", () => {
    const q = new DailyQuota();
    process.env.SHUYU_NOW = "2026-12-03T15:00:00Z"; // 23:00 in Shanghai, 3 December
    q.take("caller", 1);
    expect(code(() => q.take("caller", 1))).toBe("QUOTA_EXCEEDED");
    process.env.SHUYU_NOW = "2026-12-03T16:30:00Z"; // 00:30 on 4 December in Shanghai, still 3 December in UTC
    expect(code(() => q.take("caller", 1))).toBe("ok");
  });

  it("within one domain day the count holds across UTC's midnight, and the refusal names the zone", () => {
    const q = new DailyQuota();
    process.env.SHUYU_NOW = "2026-12-03T23:50:00Z"; // 07:50 on 4 December in Shanghai
    q.take("caller", 1);
    process.env.SHUYU_NOW = "2026-12-04T00:10:00Z"; // a new UTC date, the same Shanghai day
    let message = "";
    try {
      q.take("caller", 1);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/Asia\/Shanghai/);
    // An operator in another zone gets that zone's day.
    useTimeZone("UTC");
    const u = new DailyQuota();
    process.env.SHUYU_NOW = "2026-12-03T23:50:00Z";
    u.take("caller", 1);
    process.env.SHUYU_NOW = "2026-12-04T00:10:00Z";
    expect(code(() => u.take("caller", 1))).toBe("ok");
  });
});

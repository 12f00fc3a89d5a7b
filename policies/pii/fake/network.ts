/** Fake e-mail addresses and IP addresses. */
import type { Rng } from "./rng.js";

const EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com", "outlook.com", "aliyun.com"] as const;
const SYLLABLES = [
  "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu",
  "guo", "lin", "gao", "luo", "wei", "fang", "hua", "ming", "jun", "hong", "lei", "tao", "jie", "yu", "xin",
  "hao", "yan", "qing", "ping", "feng", "bo", "ning", "hui", "long", "xiao",
] as const;
const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A fake e-mail address: pinyin-style or numeric (QQ-style) local part at a common domain. */
export function fakeEmail(rng: Rng): string {
  const domain = rng.pick(EMAIL_DOMAINS);
  const style = rng.next();
  if (domain === "qq.com" && style < 0.6) return `${rng.int(10_000, 3_999_999_999)}@qq.com`;
  let local = rng.pick(SYLLABLES) + rng.pick(SYLLABLES);
  if (style < 0.5) local += String(rng.int(1, 9999));
  else if (style < 0.8) local += "_" + ALNUM[rng.int(0, 25)] + ALNUM[rng.int(0, 35)] + ALNUM[rng.int(0, 35)];
  else local = rng.pick(SYLLABLES) + "." + local;
  return `${local}@${domain}`;
}

/** True if the first two octets fall in a non-public IPv4 range (RFC 1918, loopback, CGNAT, link-local, test nets). */
function isNonPublic(a: number, b: number): boolean {
  return (
    a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 198 && (b === 18 || b === 19))
  );
}

/** A fake public unicast IPv4 address in dotted-decimal form. */
export function fakeIPv4(rng: Rng): string {
  let a: number;
  let b: number;
  do {
    a = rng.int(1, 223);
    b = rng.int(0, 255);
  } while (isNonPublic(a, b));
  return `${a}.${b}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

// Allocations of Chinese carriers (China Telecom 240e, Unicom 2408, Mobile 2409, CERNET 2001:da8).
const V6_PREFIXES = ["240e", "2408", "2409", "2001:da8"] as const;

/** A fake global unicast IPv6 address, eight groups, no zero compression. */
export function fakeIPv6(rng: Rng): string {
  const prefix = rng.pick(V6_PREFIXES);
  const groups = prefix.split(":").length;
  let s = prefix;
  for (let i = groups; i < 8; i++) s += ":" + rng.int(0, 0xffff).toString(16);
  return s;
}

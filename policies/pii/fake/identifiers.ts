/**
 * Fake identifiers with valid check characters: resident ID (GB 11643), mobile,
 * bank card (Luhn), unified social credit code (GB 32100).
 */
import { invalid } from "../../errors.js";
import { luhnCheckDigit, residentIdCheckChar, usccCheckChar } from "../checksums.js";
import { allDistricts, resolveDistrict } from "./districts.js";
import type { Rng } from "./rng.js";

const DAY_MS = 86_400_000;
// Default birth dates: 1940-01-01 .. 2015-12-31 (adults and children alive today).
const BIRTH_FROM = Date.UTC(1940, 0, 1) / DAY_MS;
const BIRTH_TO = Date.UTC(2015, 11, 31) / DAY_MS;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function districtCodeFor(rng: Rng, code: string | undefined): string {
  if (code === undefined) {
    const ds = allDistricts();
    return ds[Math.floor(rng.next() * ds.length)].code;
  }
  return resolveDistrict(rng, code).code;
}

/**
 * A fake 18-character resident ID: GB/T 2260 district, birth date, sequence whose
 * last digit is odd for men and even for women, GB 11643 check character.
 */
export function fakeResidentId(rng: Rng, opts: { districtCode?: string; birth?: Date; gender?: "M" | "F" } = {}): string {
  const district = districtCodeFor(rng, opts.districtCode);
  let birth: string;
  if (opts.birth) {
    const t = opts.birth.getTime();
    if (!Number.isFinite(t) || opts.birth.getUTCFullYear() < 1900) {
      throw invalid("BAD_BIRTH_DATE", "birth must be a valid date in or after 1900", { birth: String(opts.birth) });
    }
    const b = opts.birth;
    birth = pad(b.getUTCFullYear(), 4) + pad(b.getUTCMonth() + 1, 2) + pad(b.getUTCDate(), 2);
  } else {
    const b = new Date(rng.int(BIRTH_FROM, BIRTH_TO) * DAY_MS);
    birth = pad(b.getUTCFullYear(), 4) + pad(b.getUTCMonth() + 1, 2) + pad(b.getUTCDate(), 2);
  }
  const gender = opts.gender ?? (rng.next() < 0.5 ? "M" : "F");
  // Sequence 001..999: two free digits, then the gender digit (odd = male).
  const genderDigit = gender === "M" ? 2 * rng.int(0, 4) + 1 : 2 * rng.int(0, 4);
  let head = rng.int(0, 99);
  if (head === 0 && genderDigit === 0) head = 1; // "000" is not issued
  const first17 = district + birth + pad(head, 2) + String(genderDigit);
  return first17 + residentIdCheckChar(first17);
}

// Mainland mobile prefixes in use by China Mobile, Unicom, Telecom and Broadnet.
const MOBILE_PREFIXES = [
  "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
  "145", "147", "149", "150", "151", "152", "153", "155", "156", "157", "158", "159",
  "162", "165", "166", "167", "170", "171", "172", "173", "175", "176", "177", "178",
  "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
  "190", "191", "192", "193", "195", "196", "197", "198", "199",
] as const;

/** A fake 11-digit mainland mobile number with a carrier prefix in use. */
export function fakeMobile(rng: Rng): string {
  return rng.pick(MOBILE_PREFIXES) + pad(rng.int(0, 99_999_999), 8);
}

// [UnionPay BIN, card length] of common debit and credit products.
const CARD_BINS: readonly (readonly [string, number])[] = [
  ["622202", 19], ["622848", 19], ["621700", 19], ["622588", 16], ["622262", 19], ["621661", 19],
  ["621226", 19], ["622700", 19], ["623668", 19], ["621483", 16], ["625965", 16], ["622609", 16],
];

/** A fake UnionPay card number (BIN 62…, 16 or 19 digits) with a valid Luhn digit. */
export function fakeBankCard(rng: Rng): string {
  const [bin, len] = rng.pick(CARD_BINS);
  let body = bin;
  // Fill in chunks of up to 9 digits: one rng call per chunk instead of per digit.
  let left = len - 1 - bin.length;
  while (left > 0) {
    const k = Math.min(9, left);
    body += pad(rng.int(0, 10 ** k - 1), k);
    left -= k;
  }
  return body + luhnCheckDigit(body);
}

// Registration authority + organisation type (GB 32100 table 1), weighted toward enterprises.
const USCC_KINDS = ["91", "91", "91", "91", "91", "91", "92", "92", "93", "11", "12", "51", "52", "53", "59"] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 check character of an 8-digit organisation code body. */
function orgCodeCheck(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * ORG_WEIGHTS[i];
  const c = 11 - (sum % 11);
  return c === 10 ? "X" : c === 11 ? "0" : String(c);
}

/** A fake unified social credit code: kind, district, GB 11714 organisation code, GB 32100 check character. */
export function fakeUscc(rng: Rng, opts: { districtCode?: string } = {}): string {
  const district = districtCodeFor(rng, opts.districtCode);
  const org = pad(rng.int(0, 99_999_999), 8);
  const first17 = rng.pick(USCC_KINDS) + district + org + orgCodeCheck(org);
  return first17 + usccCheckChar(first17);
}

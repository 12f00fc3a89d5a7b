/**
 * Check-character algorithms of Chinese identifiers (GB 11643, GB 32100) and Luhn.
 * Pure functions; the SQL versions used by discovery live in detect-sql.ts and are
 * tested against these.
 */

const ID_CHECK_MAP = "10X98765432";
// GB 11643 weights are 2^(17-i) mod 11 for positions i = 0..16 (left to right).
const ID_WEIGHTS: readonly number[] = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);

/** GB 11643 check character (ISO 7064 MOD 11-2) for the first 17 digits of a resident ID. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError("residentIdCheckChar needs exactly 17 digits");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK_MAP[sum % 11];
}

/** True if y-m-d is a real calendar date. */
function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= dim;
}

/** True for an 18-digit resident ID with a valid check character and birth date, or a 15-digit legacy ID with a valid date. */
export function isValidResidentId(id: string): boolean {
  if (/^\d{17}[\dXx]$/.test(id)) {
    if (id[0] === "0") return false; // no province code starts with 0
    const y = Number(id.slice(6, 10));
    const m = Number(id.slice(10, 12));
    const d = Number(id.slice(12, 14));
    // Oldest plausible holder born after 1900; no birth dates in the future.
    if (y < 1900 || y > new Date().getUTCFullYear() || !isRealDate(y, m, d)) return false;
    return residentIdCheckChar(id.slice(0, 17)) === id[17].toUpperCase();
  }
  if (/^\d{15}$/.test(id)) {
    if (id[0] === "0") return false;
    // Legacy IDs (issued until 2004) carry a 2-digit year of the 1900s.
    return isRealDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
  }
  return false;
}

/** Luhn check digit to append to `partial` (digits only). */
export function luhnCheckDigit(partial: string): string {
  if (!/^\d+$/.test(partial)) throw new RangeError("luhnCheckDigit needs digits");
  let sum = 0;
  // Rightmost digit of `partial` is doubled, since the check digit will follow it.
  for (let i = partial.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let v = Number(partial[i]);
    if (dbl) {
      v *= 2;
      if (v > 9) v -= 9;
    }
    sum += v;
  }
  return String((10 - (sum % 10)) % 10);
}

/** True if `digits` (at least 2 digits) passes the Luhn check. */
export function isValidLuhn(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === digits[digits.length - 1];
}

const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100 check character for the first 17 characters of a unified social credit code. */
export function usccCheckChar(first17: string): string {
  const s = first17.toUpperCase();
  if (s.length !== 17) throw new RangeError("usccCheckChar needs exactly 17 characters");
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_CHARSET.indexOf(s[i]);
    if (v < 0) throw new RangeError(`usccCheckChar: '${s[i]}' is not in the GB 32100 character set`);
    sum += v * USCC_WEIGHTS[i];
  }
  const c = 31 - (sum % 31);
  return USCC_CHARSET[c === 31 ? 0 : c];
}

/** True if `code` is an 18-character USCC with a valid GB 32100 check character. */
export function isValidUscc(code: string): boolean {
  // Registration authority code [1-9A-GY], organisation type, 6-digit region, 9-char org code, check char.
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

/** True for a mainland 11-digit mobile number 1[3-9]xxxxxxxxx, optionally prefixed by +86 or 86. */
export function isValidMobile(s: string): boolean {
  return /^(?:\+?86)?1[3-9]\d{9}$/.test(s);
}

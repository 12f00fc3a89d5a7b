/**
 * DuckDB SQL predicates for PII discovery, one per type, vectorised over a column:
 * every builder takes a SQL expression yielding a trimmed VARCHAR and returns a boolean
 * SQL expression. Check digits are computed in SQL (weighted sums written out as scalar
 * arithmetic over `substr` positions), never per row in JS. The pure-JS reference is
 * checksums.ts; tests compare the two.
 */
import type { PiiType } from "./types.js";
import { COMPOUND_SURNAMES, SINGLE_SURNAMES } from "./surnames.js";

const ID_WEIGHTS = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";
const PLATE_LETTER = "[A-HJ-NP-Z]"; // plates never use I or O

const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/** Digit value of character `pos` (1-based SQL expression) of `v`. */
const digitAt = (v: string, pos: string): string => `(ascii(substr(${v}, ${pos}, 1)) - 48)`;

/**
 * 18-digit (GB 11643 check character, real birth date) or 15-digit legacy resident ID.
 * The checks sit in CASE branches behind the cheap shape test: DuckDB evaluates both sides
 * of an AND over the whole vector, but a CASE branch only over the rows that reach it.
 */
export function residentIdSql(v: string): string {
  // Written out as 17 scalar terms: plain vectorised arithmetic, no per-row list or lambda.
  const sum = `(${ID_WEIGHTS.map((w, i) => `${digitAt(v, String(i + 1))} * ${w}`).join(" + ")})`;
  const shape18 = `regexp_full_match(${v}, '[1-9]\\d{5}(19|20)\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])\\d{3}[0-9Xx]')`;
  const check18 =
    `try_strptime(substr(${v}, 7, 8), '%Y%m%d') IS NOT NULL` +
    ` AND TRY_CAST(substr(${v}, 7, 4) AS INTEGER) <= year(current_date)` +
    ` AND substr('10X98765432', ${sum} % 11 + 1, 1) = upper(substr(${v}, 18, 1))`;
  const shape15 = `regexp_full_match(${v}, '[1-9]\\d{14}')`;
  const check15 = `try_strptime('19' || substr(${v}, 7, 6), '%Y%m%d') IS NOT NULL`;
  // Prefilter: only 15- or 18-byte values reach the regular expressions.
  return `(CASE WHEN strlen(${v}) NOT IN (15, 18) THEN false WHEN ${shape18} THEN (${check18}) WHEN ${shape15} THEN (${check15}) ELSE false END)`;
}

/** `v` without spaces and hyphens (how card and phone numbers are often grouped). */
export function withoutSeparatorsSql(v: string): string {
  // translate deletes characters it has no replacement for: RE2's \s ([\t\n\f\r ]) and '-', without a regex.
  return `translate(${v}, ' ' || chr(9) || chr(10) || chr(12) || chr(13) || '-', '')`;
}

/** Mainland mobile number, optional +86/86, spaces and hyphens ignored (`d`: `v` without them, if already computed). */
export function mobileSql(v: string, d = withoutSeparatorsSql(v)): string {
  // Prefilter: 11 digits, 13-14 with the country code.
  return `(CASE WHEN strlen(${d}) BETWEEN 11 AND 14 THEN regexp_full_match(${d}, '(\\+?86)?1[3-9]\\d{9}') ELSE false END)`;
}

/**
 * True if the digit string `d` (at most 19 digits) passes the Luhn check. `d` appears 19
 * times in the result, so pass a column or lambda parameter, not a costly expression.
 */
export function luhnSql(d: string): string {
  // Left-padding with zeros leaves the Luhn sum unchanged and fixes every position, so the
  // sum is 19 scalar terms. Position k from the right (0-based) is doubled when k is odd;
  // a doubled digit x contributes (2x mod 10) + (1 if x ≥ 5).
  const p = `lpad(${d}, 19, '0')`;
  const terms = Array.from({ length: 19 }, (_, k) => {
    const x = digitAt(p, String(19 - k));
    return k % 2 === 1 ? `((2 * ${x}) % 10 + CAST(${x} >= 5 AS INTEGER))` : x;
  });
  return `((${terms.join(" + ")}) % 10 = 0)`;
}

/**
 * Bank card: 16, 17 or 19 digits with a card-scheme prefix (62/60 UnionPay, 4 Visa, 5/2
 * Mastercard, 35 JCB, 95 domestic), Luhn-valid. 18-digit strings are left out: in Chinese data
 * they are resident IDs or credit codes (one in ten passes Luhn by chance), while cards of
 * 18 digits are rare.
 */
export function bankCardSql(v: string, d = withoutSeparatorsSql(v)): string {
  const shape = `regexp_full_match(${d}, '(62|60|4|5[1-5]|2[2-7]|35|95)\\d{14,17}')`;
  // Prefilter on the byte length before the expression and the 19-term Luhn sum.
  return `(CASE WHEN strlen(${d}) NOT IN (16, 17, 19) THEN false WHEN ${shape} THEN ${luhnSql(d)} ELSE false END)`;
}

/** Shaped like an 18-character resident ID (birth century 19/20 at positions 7-8), valid or not. */
export function residentIdShapeSql(v: string): string {
  return `regexp_full_match(${v}, '[1-9]\\d{5}(19|20)\\d{9}[0-9Xx]')`;
}

/**
 * Unified social credit code with a valid GB 32100 check character. All-digit strings shaped
 * like a resident ID are left out: one in 31 of them passes the check by chance.
 */
export function usccSql(v: string): string {
  const cs = lit(USCC_CHARSET);
  const sum = `(${USCC_WEIGHTS.map((w, i) => `(instr(${cs}, substr(${v}, ${i + 1}, 1)) - 1) * ${w}`).join(" + ")})`;
  const shape = `regexp_full_match(${v}, '[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}') AND NOT ${residentIdShapeSql(v)}`;
  return `(CASE WHEN strlen(${v}) <> 18 THEN false WHEN ${shape} THEN substr(${cs}, (31 - ${sum} % 31) % 31 + 1, 1) = substr(${v}, 18, 1) ELSE false END)`;
}

const EMAIL = "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}";

/** E-mail address with a dotted domain and an alphabetic top-level domain. */
export function emailSql(v: string): string {
  return `(CASE WHEN contains(${v}, '@') THEN regexp_full_match(${v}, '${EMAIL}') ELSE false END)`;
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const H = "[0-9A-Fa-f]{1,4}";
const IPV6 = [
  `(${H}:){7}${H}`,
  `(${H}:){1,7}:`,
  `(${H}:){1,6}:${H}`,
  `(${H}:){1,5}(:${H}){1,2}`,
  `(${H}:){1,4}(:${H}){1,3}`,
  `(${H}:){1,3}(:${H}){1,4}`,
  `(${H}:){1,2}(:${H}){1,5}`,
  `${H}:(:${H}){1,6}`,
  `:((:${H}){1,7}|:)`,
].join("|");

/** Dotted-decimal IPv4 or IPv6 (full or zero-compressed; no zone id or embedded IPv4). */
export function ipSql(v: string): string {
  // Prefilter: "::" to a full IPv6 address, holding a '.' or a ':'.
  return (
    `(CASE WHEN strlen(${v}) NOT BETWEEN 2 AND 39 THEN false` +
    ` WHEN contains(${v}, '.') THEN regexp_full_match(${v}, '(${OCTET}\\.){3}${OCTET}')` +
    ` WHEN contains(${v}, ':') THEN regexp_full_match(${v}, '${IPV6}') ELSE false END)`
  );
}

/** Vehicle plate: province abbreviation, city letter, 5-char serial (ordinary) or 6-char new-energy serial. */
export function plateSql(v: string): string {
  const p = `upper(regexp_replace(${v}, '[\\s·•.-]', '', 'g'))`;
  const serial = `([A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]|[DF][A-HJ-NP-Z0-9]\\d{4}|\\d{5}[DF])`;
  // Prefilter: 7 or 8 characters once separators are gone; at most 32 with them.
  return `(CASE WHEN length(${v}) BETWEEN 7 AND 32 THEN regexp_full_match(${p}, '[${PROVINCE_ABBR}]${PLATE_LETTER}${serial}') ELSE false END)`;
}

// Characters that end place, organisation and category words, not given names.
const NOT_NAME_END = "省市区县镇乡村路街道号站店局院所部厂司园场馆队组会处科室业类型费款品";

/** Chinese personal name: a listed surname and one or two Han characters. */
export function personNameSql(v: string): string {
  const surname = `(${COMPOUND_SURNAMES.join("|")}|[${SINGLE_SURNAMES}])`;
  // Prefilter: a surname of one or two characters and one or two more.
  return (
    `(CASE WHEN length(${v}) NOT BETWEEN 2 AND 4 THEN false` +
    ` WHEN regexp_full_match(${v}, '${surname}\\p{Han}{1,2}') THEN NOT regexp_full_match(${v}, '.*[${NOT_NAME_END}]') ELSE false END)`
  );
}

/** Postal address: an administrative-level keyword followed by a street-level one, or a street with a house number. */
export function addressSql(v: string): string {
  const admin = "(省|自治区|市|自治州|地区|盟|区|县|旗|镇|乡|街道)";
  const street = "(路|街|道|巷|弄|胡同|村|组|小区|花园|苑|栋|幢|单元|室|号|大厦|公寓)";
  return (
    `(CASE WHEN length(${v}) < 6 THEN false ELSE (regexp_matches(${v}, '${admin}.*${street}')` +
    ` OR regexp_matches(${v}, '(路|街|大道|巷|弄)\\d+号')) END)`
  );
}

/**
 * The detection predicate for PII type `t` over the VARCHAR expression `v`; `d`, if given,
 * is a column holding `v` without separators (computed once instead of once per use).
 */
export function piiPredicateSql(t: PiiType, v: string, d?: string): string {
  switch (t) {
    case "resident_id":
      return residentIdSql(v);
    case "mobile":
      return mobileSql(v, d);
    case "bank_card":
      return bankCardSql(v, d);
    case "uscc":
      return usccSql(v);
    case "email":
      return emailSql(v);
    case "ip":
      return ipSql(v);
    case "plate":
      return plateSql(v);
    case "person_name":
      return personNameSql(v);
    case "address":
      return addressSql(v);
  }
}

/** Candidates of `pattern` (group 1) inside `v`, kept when `check` (SQL over `x`) holds. */
function embeddedSql(v: string, pattern: string, check: (x: string) => string): string {
  return `(len(list_filter(regexp_extract_all(${v}, '${pattern}', 1), lambda x: coalesce(${check("x")}, false))) > 0)`;
}

// Identifier boundaries: a digit run must not continue on either side; long numbers must
// not sit inside a longer code either (a 17-digit run followed by X is an ID, not a card).
const ND = "(?:^|[^0-9])";
const NDE = "(?:[^0-9]|$)";
const NA = "(?:^|[^0-9A-Za-z])";
const NAE = "(?:[^0-9A-Za-z]|$)";

/** The value's own classification, when the caller has it (see embeddedPiiSql). */
export interface KnownValue {
  /** SQL naming the type the value *is* (the precedence CASE over piiPredicateSql), or NULL. */
  type: string;
  /** SQL naming the value without separators (withoutSeparatorsSql). */
  plain: string;
}

// Candidate patterns (group 1) of the embedded scans. A value holds a candidate exactly when
// regexp_matches finds the pattern, so that search gates the costlier extraction and lambda.
const EMBEDDED_ID = `${NA}([1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14})${NAE}`;
const EMBEDDED_MOBILE = `${ND}((?:\\+?86)?1[3-9][0-9]{9})${NDE}`;
const EMBEDDED_CARD = `${NA}([0-9]{16,19})${NAE}`;
const EMBEDDED_USCC = `(?:^|[^0-9A-Z])([0-9A-HJ-NPQRTUWXY]{18})(?:[^0-9A-Z]|$)`;

/**
 * True if `v` *contains* a value of type `t` (inside free text such as "tel: 138…"),
 * candidates checked with the same predicate as whole values. Undefined for names and
 * addresses, which any Chinese text would "contain". With `known`, values whose own type
 * settles the answer skip the search: a value that *is* an ID, credit code, e-mail or IP
 * address (or, written without separators, a mobile or card number) contains itself, and
 * a resident ID holds no credit code (its 18 characters are the only candidate, and the
 * credit-code check refuses ID-shaped values).
 */
export function embeddedPiiSql(t: PiiType, v: string, known?: KnownValue): string | undefined {
  const is = (type: PiiType, sameWithoutSeparators = false): string =>
    known === undefined ? "" : ` WHEN ${known.type} = '${type}'${sameWithoutSeparators ? ` AND ${v} = ${known.plain}` : ""} THEN true`;
  const isNot = (type: PiiType): string => (known === undefined ? "" : ` WHEN ${known.type} = '${type}' THEN false`);
  // Gates in sequence, each a CASE branch: DuckDB evaluates both sides of an AND over the whole vector.
  const search = (shortcuts: string, gates: string[], test: string): string =>
    `(CASE${shortcuts}${gates.slice(0, -1).map((g) => ` WHEN NOT ${g} THEN false`).join("")} WHEN ${gates[gates.length - 1]} THEN ${test} ELSE false END)`;
  switch (t) {
    // Prefilters: each candidate needs a digit run (11 digits for IDs, phones and cards, 6 in a
    // credit code), an '@', a '.' or ':' beside a digit, or a province character; then the candidate pattern itself.
    case "resident_id":
      return search(is("resident_id"), [`regexp_matches(${v}, '[0-9]{11}')`, `regexp_matches(${v}, '${EMBEDDED_ID}')`], embeddedSql(v, EMBEDDED_ID, residentIdSql));
    case "mobile":
      return search(is("mobile", true), [`regexp_matches(${v}, '[0-9]{11}')`, `regexp_matches(${v}, '${EMBEDDED_MOBILE}')`], embeddedSql(v, EMBEDDED_MOBILE, (x) => mobileSql(x, x)));
    case "bank_card":
      // Candidates are bare digit runs already: no separators to strip.
      return search(is("bank_card", true), [`regexp_matches(${v}, '[0-9]{16}')`, `regexp_matches(${v}, '${EMBEDDED_CARD}')`], embeddedSql(v, EMBEDDED_CARD, (x) => bankCardSql(x, x)));
    case "uscc":
      return search(
        is("uscc") + isNot("resident_id"),
        [`strlen(${v}) >= 18`, `regexp_matches(${v}, '[0-9]{6}')`, `regexp_matches(${v}, '${EMBEDDED_USCC}')`],
        embeddedSql(v, EMBEDDED_USCC, usccSql),
      );
    case "email":
      return search(is("email"), [`contains(${v}, '@')`], `regexp_matches(${v}, '${EMAIL}')`);
    case "ip":
      return search(
        is("ip"),
        [`regexp_matches(${v}, '[0-9A-Fa-f:][.:]|[.:][0-9A-Fa-f]')`],
        `(${embeddedSql(v, `(?:^|[^0-9.])((?:[0-9]{1,3}\\.){3}[0-9]{1,3})(?:[^0-9.]|$)`, ipSql)}` +
          ` OR ${embeddedSql(v, `(?:^|[^0-9A-Fa-f:])([0-9A-Fa-f:]{2,39})(?:[^0-9A-Fa-f:]|$)`, ipSql)})`,
      );
    case "plate":
      return search(
        "",
        [`regexp_matches(${v}, '[${PROVINCE_ABBR}]')`],
        `regexp_matches(upper(${v}), '(^|[^A-Z0-9])[${PROVINCE_ABBR}]${PLATE_LETTER}[·]?([A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]|[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF])([^A-Z0-9]|$)')`,
      );
    case "person_name":
    case "address":
      return undefined;
  }
}

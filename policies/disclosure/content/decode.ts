/**
 * Output-side normalisation and decoding: every form a raw identifier may take after a reversible
 * transform the model applied. `candidateForms(token)` returns the token's canonical form and every
 * decoded form reachable in at most `MAX_DEPTH` decoding steps, each also reversed and digit-rotated.
 * Pure JS on distinct tokens: each decoder runs only on tokens of its shape, and results are deduped.
 *
 * Normalisation (always): NFKC (full-width → half-width), lower case, separators stripped from
 * digit groups (`138 1234 5678`, `138-1234-5678`, `1101.0519.9001`).
 * Decoders: hex, base32 (RFC 4648), base58 (Bitcoin alphabet), base64 (standard and URL-safe),
 * percent/URL encoding, Unicode and HTML escapes (`\u0031`, `\x31`, `&#49;`, `&#x31;`), numbers in
 * other bases (0b/0o/0x prefixes, bare binary, octal-looking and hex digits, base36 words).
 */

/** Decoding steps applied one after another (base64 of hex of reversed …). */
export const MAX_DEPTH = 3;
/** Most forms kept per token: a guard against blow-up on long, ambiguous tokens. */
const MAX_FORMS = 400;
/** Shortest token any decoder looks at: shorter ones decode to less than an identifier. */
const MIN_ENCODED = 6;
/** Longest token decoded (a base64 of a 200-character address is ~270). */
const MAX_ENCODED = 400;

/** One candidate form and how it was reached (`base58>reversed`). */
export interface Form {
  v: string;
  how: string;
}

const CN_DIGITS: Record<string, string> = {
  "〇": "0", 零: "0", 一: "1", 二: "2", 三: "3", 四: "4", 五: "5", 六: "6", 七: "7", 八: "8", 九: "9",
  壹: "1", 贰: "2", 叁: "3", 肆: "4", 伍: "5", 陆: "6", 柒: "7", 捌: "8", 玖: "9", 两: "2",
};

/** Runs of six or more Chinese numerals (`一三八…`, `壹叁捌…`) written as digits. */
export function chineseDigits(s: string): string {
  return s.replace(/[〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖两]{6,}/g, (m) => [...m].map((c) => CN_DIGITS[c]).join(""));
}

/** Canonical text: NFKC (full-width → half-width), lower case. */
export function canonical(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

/** Digit groups split by spaces, dashes, dots, underscores or slashes joined into one run. */
export function joinDigitGroups(s: string): string {
  return s.replace(/\d+(?:[ \t\-._/·]{1,2}\d+)+(?:[ \t\-._]?[xX](?![0-9A-Za-z]))?/g, (m) => m.replace(/[^0-9xX]/g, ""));
}

const PRINTABLE = /^[\p{L}\p{N}\p{P}\p{S}\p{Zs}]+$/u;

const UTF8 = new TextDecoder("utf-8");

function utf8(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return undefined;
  // Fast path: printable ASCII (identifiers, digits) needs no decoder.
  let ascii = true;
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) {
      ascii = false;
      break;
    }
  }
  if (ascii) return String.fromCharCode(...bytes);
  // A control byte or an invalid sequence: not text.
  if (bytes.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a)) return undefined;
  // Non-fatal decoding and a check for U+FFFD: exceptions cost more than the decoding itself.
  const s = UTF8.decode(bytes);
  return !s.includes("\uFFFD") && PRINTABLE.test(s) ? s : undefined;
}

function fromHex(s: string): string | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-f]+$/.test(s)) return undefined;
  return utf8(Buffer.from(s, "hex"));
}

function fromBase64(s: string): string | undefined {
  if (!/^[0-9a-z+/_-]+={0,2}$/i.test(s)) return undefined;
  const body = s.replace(/=+$/, "");
  if (body.length % 4 === 1) return undefined;
  return utf8(Buffer.from(body.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
}

const B32 = "abcdefghijklmnopqrstuvwxyz234567";
function fromBase32(s: string): string | undefined {
  const body = s.replace(/=+$/, "");
  if (!/^[a-z2-7]+$/.test(body) || [1, 3, 6].includes(body.length % 8)) return undefined;
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  for (const c of body) {
    acc = (acc << 5) | B32.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return utf8(Uint8Array.from(out));
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** Base58 is case-sensitive: it takes the token as written, before case folding. */
function fromBase58(s: string): string | undefined {
  if (s.length > 140 || !/^[1-9A-HJ-NP-Za-km-z]+$/.test(s)) return undefined;
  let n = 0n;
  for (const c of s) n = n * 58n + BigInt(B58.indexOf(c));
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const c of s) {
    if (c !== "1") break;
    bytes.unshift(0);
  }
  return utf8(Uint8Array.from(bytes));
}

function fromPercent(s: string): string | undefined {
  if (!/%[0-9a-f]{2}/i.test(s)) return undefined;
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function fromEscapes(s: string): string | undefined {
  if (!/\\u\{?[0-9a-f]{2,6}|\\x[0-9a-f]{2}|&#x?[0-9a-f]+;/i.test(s)) return undefined;
  const cp = (n: number) => (n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : "");
  return s
    .replace(/\\u\{([0-9a-f]{1,6})\}/gi, (_, h: string) => cp(parseInt(h, 16)))
    .replace(/\\u([0-9a-f]{4})/gi, (_, h: string) => cp(parseInt(h, 16)))
    .replace(/\\x([0-9a-f]{2})/gi, (_, h: string) => cp(parseInt(h, 16)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => cp(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => cp(Number(d)));
}

function bigFrom(s: string, base: number): string | undefined {
  const digits = "0123456789abcdefghijklmnopqrstuvwxyz".slice(0, base);
  let n = 0n;
  const b = BigInt(base);
  for (const c of s) {
    const d = digits.indexOf(c);
    if (d < 0) return undefined;
    n = n * b + BigInt(d);
  }
  return n.toString();
}

/** The token read as a number written in another base, as decimal digits. */
function fromBases(s: string): Form[] {
  const out: Form[] = [];
  const prefixed = /^0([box])([0-9a-f]+)$/.exec(s);
  if (prefixed) {
    const base = { b: 2, o: 8, x: 16 }[prefixed[1] as "b" | "o" | "x"];
    const v = bigFrom(prefixed[2], base);
    if (v) out.push({ v, how: `base${base}-number` });
    return out;
  }
  // Lengths bound what a number of at most MAX_NUMBER_DIGITS decimal digits takes in each base.
  if (/^[01]{16,80}$/.test(s)) out.push({ v: bigFrom(s, 2)!, how: "binary-number" });
  if (/^[0-7]{8,28}$/.test(s)) out.push({ v: bigFrom(s, 8)!, how: "octal-number" });
  if (/^[0-9a-f]{6,22}$/.test(s) && /[a-f]/.test(s)) out.push({ v: bigFrom(s, 16)!, how: "hex-number" });
  // Base36 words: an 11-digit mobile is 7–8 characters, an 18-digit ID 12 (all letters is possible).
  if (/^[0-9a-z]{5,14}$/.test(s) && /[a-z]/.test(s)) out.push({ v: bigFrom(s, 36)!, how: "base36-number" });
  return out;
}

/** One decoding step: every form `s` decodes to (not including `s`). `raw` is the form before case folding. */
function decodeOnce(raw: string, s: string): (Form & { raw: string })[] {
  if (s.length < MIN_ENCODED || s.length > MAX_ENCODED) return [];
  const out: (Form & { raw: string })[] = [];
  const push = (v: string | undefined, how: string) => {
    // The decoded text keeps its case for the next step (base64 inside URL encoding is case-sensitive).
    if (v !== undefined && canonical(v) !== s) out.push({ v: canonical(v), raw: v.normalize("NFKC"), how });
  };
  push(fromPercent(raw), "url");
  push(fromEscapes(raw), "unicode-escape");
  push(fromHex(s), "hex");
  push(fromBase64(raw), "base64");
  push(fromBase32(s), "base32");
  push(fromBase58(raw), "base58");
  out.push(...fromBases(s).map((f) => ({ ...f, raw: f.v })));
  return out;
}

function rotate(s: string, k: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c >= 48 && c <= 57 ? String.fromCharCode(48 + ((c - 48 + k) % 10)) : s[i];
  }
  return out;
}

/** Identifiers are at most this many digits (bank cards 19): longer forms are not digit-rotated. */
const MAX_NUMBER_DIGITS = 24;

/**
 * Every candidate form of one output token: canonical, digit groups joined, decoded up to
 * MAX_DEPTH times, and each of those reversed and digit-rotated by 1…9. Deduped by value.
 */
export function candidateForms(token: string): Form[] {
  const seen = new Map<string, string>();
  const add = (v: string, how: string) => {
    if (!seen.has(v) && seen.size < MAX_FORMS) seen.set(v, how);
  };
  for (const f of baseForms(token)) add(f.v, f.how);
  for (const [v, how] of [...seen.entries()]) for (const r of rotations(v)) add(r.v, `${how}>${r.how}`);
  return [...seen.entries()].map(([v, how]) => ({ v, how }));
}

/** The reversed and digit-rotated forms of one form (what SQL adds in bulk with reverse/translate). */
export function rotations(v: string): Form[] {
  if (v.length < 2) return [];
  const r = [...v].reverse().join("");
  const out: Form[] = [{ v: r, how: "reversed" }];
  if (v.length > MAX_NUMBER_DIGITS + 8 || !/[0-9]/.test(v)) return out;
  for (let k = 1; k <= 9; k++) out.push({ v: rotate(v, 10 - k), how: `digits+${k}` }, { v: rotate(r, 10 - k), how: `reversed>digits+${k}` });
  return out;
}

/** Longest form SQL rotates (rotationsSql): as `rotations`. */
export const MAX_ROTATED = MAX_NUMBER_DIGITS + 8;

/**
 * The token's canonical form, digit groups joined, separators stripped, and everything
 * reachable by up to MAX_DEPTH decodings (each also tried on the reversed token first) —
 * without the final reversal and rotations, which `rotations` or SQL add.
 */
export function baseForms(token: string): Form[] {
  const start = joinDigitGroups(token.normalize("NFKC"));
  const seen = new Map<string, string>();
  const add = (v: string, how: string) => {
    if (!seen.has(v) && seen.size < MAX_FORMS) seen.set(v, how);
  };
  // Decoders that care about case (base58, base64) see the NFKC form; the rest the folded one.
  let frontier: { raw: string; v: string; how: string }[] = [{ raw: start, v: start.toLowerCase(), how: "verbatim" }];
  add(frontier[0].v, "verbatim");
  // As written, before NFKC: raw text values keep their full-width punctuation.
  add(token.toLowerCase(), "verbatim");
  const stripped = frontier[0].v.replace(/[\s\-._,/·]/g, "");
  if (stripped !== frontier[0].v) {
    add(stripped, "separators");
    frontier.push({ raw: start.replace(/[\s\-._,/·]/g, ""), v: stripped, how: "separators" });
  }
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0; depth++) {
    const next: typeof frontier = [];
    for (const f of frontier) {
      // A reversed encoding (the model reversed, then encoded) is undone before decoding too.
      const inputs = depth === 0 ? [f, { raw: [...f.raw].reverse().join(""), v: [...f.v].reverse().join(""), how: `${f.how}>reversed` }] : [f];
      for (const g of inputs) {
        for (const d of decodeOnce(g.raw, g.v)) {
          const how = g.how === "verbatim" ? d.how : `${g.how}>${d.how}`;
          if (seen.has(d.v)) continue;
          add(d.v, how);
          // Decoded text may itself contain separated digit groups or an identifier inside words.
          const joined = joinDigitGroups(d.v);
          if (joined !== d.v) add(joined, `${how}>joined`);
          next.push({ raw: d.raw, v: d.v, how });
          // Decoded text (`k=110105…&n=张伟`) holds tokens of its own.
          if (/[^0-9a-z+/=]/.test(d.v)) {
            for (const t of textTokens(d.raw)) {
              const tv = t.toLowerCase();
              if (tv === d.v || seen.has(tv)) continue;
              add(tv, `${how}>token`);
              next.push({ raw: t, v: tv, how: `${how}>token` });
            }
          }
        }
      }
    }
    frontier = next;
  }
  return [...seen.entries()].map(([v, how]) => ({ v, how }));
}

/**
 * Tokens of free text worth decoding: whitespace/punctuation-separated pieces, runs of
 * identifier and encoding characters inside other text, digit runs, and digit groups joined.
 */
export function textTokens(text: string): string[] {
  const t = joinDigitGroups(chineseDigits(text.normalize("NFKC")));
  const out = new Set<string>();
  // The whole text and each line: escapes and encodings may span what the splits below cut.
  for (const line of [t, ...t.split(/\n/)]) if (line.trim().length >= 2 && line.length <= MAX_ENCODED) out.add(line.trim());
  for (const piece of t.split(/[\s,;:|，；：、。（）()[\]{}"'<>]+/)) {
    if (piece.length >= 2) out.add(piece);
    // Finer pieces (`n_3f9k2a`, `k=…&m=…`): the whole piece stays a token too (URL-safe base64 has _ and -).
    for (const sub of piece.split(/[_\-.=:/&?#@]+/)) if (sub.length >= 4 && sub !== piece) out.add(sub);
  }
  for (const m of t.matchAll(/[0-9A-Za-z+/=%\\&#;_-]{6,}/g)) out.add(m[0]);
  for (const m of t.matchAll(/[0-9]{6,}[xX]?/g)) out.add(m[0]);
  // A short Han run standing alone (`患者 张伟 已出院`, a cell) is a token; longer runs get windows (hanWindows).
  for (const m of t.matchAll(/(?<!\p{Script=Han})\p{Script=Han}{2,4}(?!\p{Script=Han})/gu)) out.add(m[0]);
  return [...out];
}

/**
 * Every 2- and 3-character window of the Han runs of `text`: names inside Chinese prose, where
 * no separator isolates them. A 2-character window is weak evidence (many given names are also
 * words), so callers report its matches as review rather than block.
 */
export function hanWindows(text: string): { value: string; weak: boolean }[] {
  const out = new Map<string, boolean>();
  for (const m of text.normalize("NFKC").matchAll(/\p{Script=Han}{2,}/gu)) {
    const run = [...m[0]];
    for (const w of [2, 3]) {
      for (let i = 0; i + w <= run.length; i++) {
        const v = run.slice(i, i + w).join("");
        // A run exactly this long is a whole token, not a window inside a word.
        const weak = w === 2 && run.length > 2;
        out.set(v, (out.get(v) ?? true) && weak);
      }
    }
  }
  return [...out.entries()].map(([value, weak]) => ({ value, weak }));
}

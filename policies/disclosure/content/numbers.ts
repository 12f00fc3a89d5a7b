/**
 * Numbers as written in text (reports, table cells, code): value, decimals shown, and the
 * variants a statistic may be written in (27.5% = 0.275; 1.2万 = 12000 to the thousand).
 */
import { joinDigitGroups } from "./decode.js";

/** One number found in text. */
export interface TextNumber {
  /** As written (normalised: half-width, thousands separators dropped). */
  text: string;
  x: number;
  /** Decimals shown: `1025.30` → 2, `12` → 0, `1.2万` → -3. */
  decimals: number;
  /** Same statistic in another unit: a percentage also as a fraction. */
  variants: { x: number; decimals: number }[];
  /** Offset in the (NFKC-normalised) text. */
  at: number;
}

const NUMBER = /(?<![0-9A-Za-z_.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s*(%|‰|万|亿))?(?![0-9A-Za-z_])/g;

function decimalsOf(s: string): number {
  const m = /\.(\d+)/.exec(s.replace(/[eE].*$/, ""));
  const e = /[eE]([-+]?\d+)$/.exec(s);
  return (m ? m[1].length : 0) - (e ? Number(e[1]) : 0);
}

/** Every number in `text` (NFKC first, so full-width digits count). */
export function numbersInText(text: string): TextNumber[] {
  const t = text.normalize("NFKC");
  const out: TextNumber[] = [];
  for (const m of t.matchAll(NUMBER)) {
    const unit = m[1];
    const body = (unit ? m[0].slice(0, m[0].lastIndexOf(unit)).trim() : m[0]).replace(/,/g, "");
    const x = Number(body);
    if (!Number.isFinite(x)) continue;
    const d = decimalsOf(body);
    const variants: TextNumber["variants"] = [];
    let value = x;
    let dec = d;
    if (unit === "%") variants.push({ x: x / 100, decimals: d + 2 });
    if (unit === "‰") variants.push({ x: x / 1000, decimals: d + 3 });
    const scale = unit === "万" ? 4 : unit === "亿" ? 8 : 0;
    if (scale) {
      value = x * 10 ** scale;
      dec = d - scale;
    }
    out.push({ text: body + (unit ?? ""), x: value, decimals: dec, variants, at: m.index ?? 0 });
  }
  return out;
}

/** Numbers as the raw-value search sees them: digit groups joined first (`138 1234 5678`). */
export function joinedNumbersInText(text: string): TextNumber[] {
  return numbersInText(joinDigitGroups(text.normalize("NFKC")));
}

/** Numeric constants of a job's code and parameters (literals in JS/TS/SQL, numbers in params JSON). */
export function codeConstants(code: string | undefined, params: unknown): Set<number> {
  const out = new Set<number>();
  if (code) {
    for (const m of code.matchAll(/(?<![0-9A-Za-z_$.])(?:0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\.\d+)(?![0-9A-Za-z_$])/g)) {
      const v = Number(m[0]);
      if (Number.isFinite(v)) out.add(v);
    }
  }
  const walk = (v: unknown, depth: number) => {
    if (depth > 20) return;
    if (typeof v === "number") out.add(v);
    else if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) out.add(Number(v));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (v !== null && typeof v === "object") Object.values(v).forEach((x) => walk(x, depth + 1));
  };
  walk(params, 0);
  return out;
}

/** True if x is a code constant (or its negation: `top -10` is still the constant 10). */
export function isConstant(constants: Set<number>, x: number): boolean {
  return constants.has(x) || constants.has(-x);
}

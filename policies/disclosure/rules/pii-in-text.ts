/**
 * Rule `pii-in-text` (review): free text in the report or the job logs that looks like PII —
 * resident IDs and USCCs with valid check characters, mobiles, Luhn-valid bank-card numbers,
 * e-mail addresses, IPv4 addresses. Patterns are validated by checksum to keep false alarms
 * down. (Text that equals a raw identifier is blocked by `raw-values`, which also scans
 * report and log tokens.)
 *
 * Source: ACRO/SACRO and OpenSAFELY output checking review free text and logs by hand;
 * GB/T 35273-2020 Annex A lists these as personal information. No threshold.
 */
import { isValidLuhn, isValidMobile, isValidResidentId, isValidUscc } from "../../pii/checksums.js";
import type { CheckContext } from "../context.js";
import { displayMask } from "../display.js";
import type { Finding, Rule } from "../types.js";

const PATTERNS: { type: string; re: RegExp; valid: (s: string) => boolean }[] = [
  { type: "resident_id", re: /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, valid: isValidResidentId },
  { type: "uscc", re: /(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])/g, valid: isValidUscc },
  { type: "mobile", re: /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g, valid: (s) => isValidMobile(s.replace(/^\+?86[- ]?/, "")) },
  { type: "bank_card", re: /(?<!\d)\d{16,19}(?!\d)/g, valid: isValidLuhn },
  { type: "email", re: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, valid: () => true },
  {
    type: "ip",
    re: /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g,
    valid: (s) => s.split(".").every((o) => Number(o) <= 255),
  },
];

/** PII-looking substrings of `text`, by type. */
export function findPiiInText(text: string): { type: string; value: string }[] {
  const out: { type: string; value: string }[] = [];
  for (const p of PATTERNS) {
    for (const m of text.matchAll(p.re)) if (p.valid(m[0])) out.push({ type: p.type, value: m[0] });
  }
  return out;
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const sources: [string, string][] = [];
  if (ctx.input.report) sources.push(["report", ctx.input.report]);
  for (const [i, line] of (ctx.input.logs ?? []).entries()) sources.push([`logs[${i}]`, line]);
  const findings: Finding[] = [];
  const byPlace = new Map<string, { type: string; value: string }[]>();
  for (const [where, text] of sources) {
    const hits = findPiiInText(text);
    if (hits.length > 0) byPlace.set(where, hits);
  }
  for (const [where, hits] of byPlace) {
    findings.push({
      rule: "pii-in-text",
      severity: "review",
      detail: `${where}: ${hits.length} PII-like string(s) (${[...new Set(hits.map((h) => h.type))].join(", ")})`,
      cells: hits.slice(0, 5).map((h) => ({ type: h.type, value: displayMask(h.value) })),
    });
  }
  return findings;
}

export const piiInTextRule: Rule = { name: "pii-in-text", run };

/**
 * Rule `text-raw-values` (block; review for one short sensitive number): raw values in the
 * report, the job's logs or the index, wherever and however written. Text is tokenised (pieces
 * between separators, runs of identifier/encoding characters inside prose, digit runs, digit
 * groups split by spaces/dashes/dots joined, 2–3-character windows of Chinese text for names);
 * each token is normalised and decoded (decode.ts) and matched against identifier columns and
 * identifying sensitive text; every number (full-width digits too) is matched against
 * digits-only identifiers and rare values of numeric sensitive columns (index values also scaled
 * by powers of ten: a raw column in disguise). Numbers traced to a ledger cell of ≥ minCellCount
 * subjects or constants of the job's code are not raw values.
 *
 * Source: GB/T 37964-2019 §5; GZ 24 / HLJ 22; ACRO/SACRO and OpenSAFELY check free text and logs
 * (a direct identifier anywhere is a hard fail). Thresholds as model-raw-values.
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { hanWindows, textTokens } from "../decode.js";
import { rawHitFindings, withoutAccounted } from "../findings.js";
import { joinedNumbersInText, numbersInText } from "../numbers.js";
import { matchNumbers, matchStrings, matchSubstrings, type NumberProbe, type Probe } from "../raw-match.js";

function textProbes(where: string, text: string): { strings: Probe[]; numbers: NumberProbe[] } {
  const strings: Probe[] = textTokens(text).map((value) => ({ where, value }));
  for (const w of hanWindows(text)) strings.push({ where, value: w.value, weak: w.weak });
  const seen = new Set<string>();
  const numbers: NumberProbe[] = [];
  for (const n of [...numbersInText(text), ...joinedNumbersInText(text)]) {
    if (seen.has(n.text)) continue;
    seen.add(n.text);
    numbers.push({ where, x: n.x, text: n.text });
  }
  return { strings, numbers };
}

async function place(ctx: CheckContext, name: string, texts: string[], extraNumbers: NumberProbe[] = [], scaled = false): Promise<Finding[]> {
  const strings: Probe[] = [];
  const numbers: NumberProbe[] = [...extraNumbers];
  texts.forEach((t, i) => {
    const p = textProbes(texts.length > 1 ? `${name}[${i}]` : name, t);
    strings.push(...p.strings);
    // Index values come as numbers already; their text is searched for encodings only.
    if (extraNumbers.length === 0) numbers.push(...p.numbers);
  });
  const found = [...(await matchStrings(ctx, strings)), ...(await matchSubstrings(ctx, texts.map((text, i) => ({ where: texts.length > 1 ? `${name}[${i}]` : name, text }))))];
  const groups = await withoutAccounted(ctx, await matchNumbers(ctx, numbers, scaled));
  return rawHitFindings("text-raw-values", name, found, groups);
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (ctx.input.report) findings.push(...(await place(ctx, "report", [ctx.input.report])));
  if (ctx.input.logs?.length) findings.push(...(await place(ctx, "logs", ctx.input.logs)));
  if (ctx.input.index?.length) {
    const values = ctx.input.index.map((x, i) => ({ where: `index[${i}]`, x, text: Number.isInteger(x) && Math.abs(x) < 2 ** 63 ? BigInt(x).toString() : String(x) }));
    findings.push(...(await place(ctx, "index", values.map((v) => v.text), values, true)));
  }
  return findings;
}

export const textRawValuesRule: Rule = { name: "text-raw-values", run };

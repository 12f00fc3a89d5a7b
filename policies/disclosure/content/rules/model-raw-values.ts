/**
 * Rule `model-raw-values` (block; review for one short sensitive number): a model storing raw
 * values. Every string leaf and object key is tokenised (decode.ts `textTokens`) and every
 * token, after normalisation and decoding (hex, base32, base58, base64, URL, Unicode escapes,
 * other number bases, reversal, digit rotation — repeatedly), is matched exactly against the
 * granted identifier columns and identifying sensitive text; every number is matched against
 * digits-only identifiers (as DOUBLE: float tolerance) and against rare values (< k rows) of
 * numeric sensitive columns (`%.12g`), also scaled by powers of ten. Numbers that trace to a
 * ledger cell of ≥ minCellCount subjects, or are constants of the job's code, are not raw values.
 *
 * Source: GZ 24 / HLJ 22 (no product from which raw data can be restored); GB/T 37964-2019 §5;
 * SACRO-ML (models as outputs: instance-based models carry their data); DataSHIELD (no
 * individual-level values returned). Thresholds: `minIdentifierLength` (6; names 2), k (5) for
 * "rare", the chance test in findings.ts (Poisson tail < 0.001 blocks, < 0.05 reviews).
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { hanWindows, textTokens } from "../decode.js";
import { rawHitFindings, withoutAccounted } from "../findings.js";
import { modelValues } from "../model-values.js";
import { joinedNumbersInText } from "../numbers.js";
import { matchNumbers, matchStrings, matchSubstrings, type NumberProbe, type Probe } from "../raw-match.js";

/** Most strings decoded per model: past this, a model is blocked for size by model-memorization anyway. */
const MAX_STRINGS = 200_000;

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.input.model === undefined) return [];
  const mv = modelValues(ctx.input.model);
  const probes: Probe[] = [];
  for (const { path, s } of mv.strings.slice(0, MAX_STRINGS)) {
    probes.push({ where: path, value: s });
    for (const t of textTokens(s)) if (t !== s) probes.push({ where: path, value: t });
    for (const w of hanWindows(s)) if (w.value !== s) probes.push({ where: path, value: w.value, weak: w.weak });
  }
  for (const { path, s } of mv.joined) probes.push({ where: `${path} (elements joined)`, value: s });
  const nums: NumberProbe[] = mv.numbers.map((n) => ({ where: n.path, x: n.x, text: n.text }));
  // Numbers written inside strings ("income=23456", "138 1234 5678") are numbers too.
  for (const { path, s } of mv.strings.slice(0, MAX_STRINGS)) {
    for (const n of joinedNumbersInText(s)) nums.push({ where: path, x: n.x, text: n.text });
  }
  // Strings are also searched as one text, for raw values inside longer strings (an address in a note).
  const all = mv.strings.slice(0, MAX_STRINGS).map((x) => x.s).join("\n");
  const strings = [...(await matchStrings(ctx, probes)), ...(await matchSubstrings(ctx, [{ where: "model strings", text: all }]))];
  const groups = await withoutAccounted(ctx, await matchNumbers(ctx, nums, true));
  return rawHitFindings("model-raw-values", "model", strings, groups);
}

export const modelRawValuesRule: Rule = { name: "model-raw-values", run };

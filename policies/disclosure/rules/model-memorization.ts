/**
 * Rule `model-memorization` (block): a model that stores training rows — k-NN-like parameters,
 * lookup tables keyed on raw values, memorised identifiers. Blocks when a string, object key or
 * number in the model equals a raw identifier value (or a simple encoding of one), or when an
 * array is as long as the training set (one entry per training row).
 *
 * Source: GZ 24 / HLJ 22 (no model from which raw data can be restored); DataSHIELD disclosure
 * controls refuse functions returning individual-level data (and its k-NN-based functions
 * release only aggregated neighbours); SACRO guidance for ML models (instance-based models
 * carry their training data). Threshold: arrays shorter than `minDistinctForMapping` (10) are
 * never treated as per-row storage.
 */
import { quoteIdent } from "../../desensitize/sql-quote.js";
import type { CheckContext } from "../context.js";
import { displayMask } from "../display.js";
import { walkModel } from "../model-walk.js";
import { normalizeSql } from "../normalize.js";
import { encodingMatches, hashMatches } from "../raw-encodings.js";
import type { Finding, Rule } from "../types.js";

async function run(ctx: CheckContext): Promise<Finding[]> {
  if (ctx.input.model === undefined) return [];
  const shape = walkModel(ctx.input.model);
  const findings: Finding[] = [];
  const training = await ctx.trainingRows();
  if (training >= ctx.thresholds.minDistinctForMapping) {
    const perRow = shape.arrays.filter((a) => a.length === training);
    if (perRow.length > 0) {
      findings.push({
        rule: "model-memorization",
        severity: "block",
        detail: `model holds ${perRow.length} array(s) with exactly one entry per training row (${training}): it stores the training set`,
        cells: perRow.slice(0, 5).map((a) => a.path),
      });
    }
  }
  if (ctx.identifierColumns().length > 0) {
    const { name, ref } = ctx.tempTable("model");
    await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (v VARCHAR)`);
    const app = await ctx.conn.createAppender(name, "main", "temp");
    for (const s of [...shape.strings, ...shape.numbers]) {
      app.appendVarchar(s);
      app.endRow();
    }
    app.closeSync();
    const probe = `SELECT DISTINCT '(model)' AS tbl, '' AS col, ${normalizeSql("v")} AS v FROM ${ref}`;
    for (const h of [...(await encodingMatches(ctx, probe)), ...(await hashMatches(ctx, probe))]) {
      findings.push({
        rule: "model-memorization",
        severity: "block",
        detail: `model contains ${h.n} value(s) of raw ${h.src} (${h.how})`,
        cells: h.sample.map(displayMask),
      });
    }
  }
  return findings;
}

export const modelMemorizationRule: Rule = { name: "model-memorization", run };

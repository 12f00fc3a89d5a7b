import { ShuyuError } from "../../../policies/errors.js";
import type { ApiProductSpec } from "./service.js";

/**
 * The per-call gate: only the declared output leaves. Every column must be declared,
 * class fields carry only their declared words (so no stored value can be returned),
 * counts under the threshold are withheld, and at most maxRows rows are answered.
 */
export function gateCallOutput(rows: Record<string, unknown>[], spec: Pick<ApiProductSpec, "output" | "rules">): { result: Record<string, unknown>; resultClass: "answered" | "suppressed" } {
  const block = (why: string) => new ShuyuError("blocked", "OUTPUT_BLOCKED", `the call's output was blocked by the per-call gate: ${why}`, { details: { why } });
  if (rows.length > spec.rules.maxRows) throw block(`${rows.length > 100 ? "more than 100" : rows.length} rows, at most ${spec.rules.maxRows} allowed`);
  let suppressed = false;
  const declared = spec.output.map((f) => f.name);
  const out = rows.map((row) => {
    const cols = Object.keys(row);
    if (cols.length !== declared.length || cols.some((c, i) => c !== declared[i])) throw block("the columns are not the declared output schema");
    const clean: Record<string, unknown> = {};
    for (const f of spec.output) {
      const v = row[f.name];
      if (f.kind === "class") {
        if (typeof v !== "string" || !f.values.includes(v)) throw block(`field '${f.name}' is not one of its declared values`);
        clean[f.name] = v;
      } else {
        const n = typeof v === "bigint" ? Number(v) : v;
        if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw block(`field '${f.name}' is not a count`);
        if (n > 0 && n < spec.rules.minCount) {
          suppressed = true;
          clean[f.name] = null;
        } else clean[f.name] = n;
      }
    }
    return clean;
  });
  const result = spec.rules.maxRows === 1 ? (out[0] ?? Object.fromEntries(declared.map((d) => [d, null]))) : { rows: out };
  return { result, resultClass: suppressed ? "suppressed" : "answered" };
}

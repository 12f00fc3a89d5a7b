/**
 * Rule `k-anonymity` (block): in record-level output every combination of quasi-identifier
 * values (an equivalence class) must be shared by at least k rows.
 *
 * Source: Sweeney 2002; GB/T 37964-2019 §6.2 (k-anonymity model); ARX default k = 5;
 * default k = 5.
 */
import type { CheckContext } from "../context.js";
import { displayRow } from "../display.js";
import { equivalenceClasses } from "../equivalence-classes.js";
import type { Finding, Rule } from "../types.js";

export const K_ANONYMITY_DEFAULTS = { k: 5 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const k = ctx.thresholds.k;
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "record")) {
    const c = await equivalenceClasses(ctx, t);
    const r = await ctx.rows(
      `SELECT count(*) AS classes, sum(n) AS rows_in, min(n) AS smallest,
              list(to_json(struct_pack(class := class, size := n)))[1:5] AS sample
       FROM ${c.ref} WHERE n < ${k}`,
    );
    const classes = Number(r[0].classes);
    if (classes === 0) continue;
    findings.push({
      rule: "k-anonymity",
      severity: "block",
      detail: `${t.name}: ${classes} equivalence class(es) over [${c.quasi.join(", ") || "no quasi-identifiers: the whole table"}] have fewer than k=${k} rows (${Number(r[0].rows_in)} rows, smallest class ${Number(r[0].smallest)}); if this is an aggregate, include its count column (count, n, 人数 …) or have the gate declare kind "aggregate"`,
      cells: (r[0].sample as string[]).map((s) => displayRow(JSON.parse(s))),
    });
  }
  return findings;
}

export const kAnonymityRule: Rule = { name: "k-anonymity", run };

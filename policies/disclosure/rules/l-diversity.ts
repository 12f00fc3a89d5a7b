/**
 * Rule `l-diversity` (block): in record-level output every equivalence class (same
 * quasi-identifiers) must hold at least l distinct values of each sensitive attribute;
 * otherwise knowing someone's quasi-identifiers reveals their sensitive value. A class whose
 * sensitive values are all NULL (suppressed) discloses nothing and passes.
 *
 * Source: Machanavajjhala et al. 2007 (distinct l-diversity); GB/T 37964-2019 §6.2;
 * ARX offers distinct-l; default l = 2.
 */
import type { CheckContext } from "../context.js";
import { displayRow } from "../display.js";
import { equivalenceClasses } from "../equivalence-classes.js";
import type { Finding, Rule } from "../types.js";

export const L_DIVERSITY_DEFAULTS = { l: 2 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const l = ctx.thresholds.l;
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "record")) {
    const c = await equivalenceClasses(ctx, t);
    for (const [i, s] of c.sensitive.entries()) {
      const r = await ctx.rows(
        `SELECT count(*) AS classes, list(to_json(struct_pack(class := class, distinct_values := d${i})))[1:5] AS sample
         FROM ${c.ref} WHERE d${i} < ${l} AND nn${i} > 0`,
      );
      const classes = Number(r[0].classes);
      if (classes === 0) continue;
      findings.push({
        rule: "l-diversity",
        severity: "block",
        detail: `${t.name}.${s}: ${classes} equivalence class(es) have fewer than l=${l} distinct values`,
        cells: (r[0].sample as string[]).map((x) => displayRow(JSON.parse(x))),
      });
    }
  }
  return findings;
}

export const lDiversityRule: Rule = { name: "l-diversity", run };

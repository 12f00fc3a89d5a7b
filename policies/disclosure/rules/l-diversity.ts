/**
 * Rule `l-diversity` (block): in an accounted record-level output every equivalence class
 * (same quasi-identifiers) must hold at least l distinct values of each sensitive attribute
 * (ledger source role `sensitive`); otherwise knowing someone's quasi-identifiers reveals their
 * sensitive value. A class whose sensitive values are all NULL (suppressed) passes.
 *
 * Source: Machanavajjhala et al. 2007 (distinct l-diversity); GB/T 37964-2019 §6.2;
 * ARX offers distinct-l; default l = 2.
 */
import type { CheckContext } from "../context.js";
import { displayRow } from "../display.js";
import { equivalenceClasses } from "../equivalence-classes.js";
import { finding, label } from "../findings.js";
import type { Finding, Rule } from "../types.js";

export const L_DIVERSITY_DEFAULTS = { l: 2 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const l = ctx.thresholds.l;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-rows")) {
    const c = await equivalenceClasses(ctx, t);
    for (const [i, s] of c.sensitive.entries()) {
      const r = await ctx.rows(
        `SELECT count(*) AS classes, list(to_json(class))[1:5] AS sample, list(n)[1:5] AS subjects FROM ${c.ref} WHERE d${i} < ${l} AND nn${i} > 0`,
      );
      const classes = Number(r[0].classes);
      if (classes === 0) continue;
      const name = label(t);
      out.push(finding("l-diversity", "block",
        `${name}.${s}: ${classes} equivalence class(es) have fewer than l=${l} distinct values: the class reveals its members' ${s}`,
        `${name}.${s}：${classes} 个等价类的不同取值少于 l=${l}，知道准标识即可推知其成员的 ${s}`,
        {
          table: name,
          cells: (r[0].sample as string[]).map((x) => displayRow(JSON.parse(x))),
          subjects: (r[0].subjects as unknown[]).map(Number),
          remedy: { en: "generalise the quasi-identifiers further, or release an aggregate instead", zh: "进一步泛化准标识符，或改为发布聚合结果" },
        }));
    }
  }
  return out;
}

export const lDiversityRule: Rule = { name: "l-diversity", run };

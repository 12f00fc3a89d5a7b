/**
 * Rule `k-anonymity` (block): in an accounted record-level output every combination of
 * quasi-identifier values (an equivalence class) must be shared by at least k DISTINCT
 * SUBJECTS, counted from the ledger's subject ids — duplicating a person's row does not make
 * a class bigger. Rows the ledger map does not cover block (fail closed).
 *
 * Source: Sweeney 2002; GB/T 37964-2019 §6.2 (k-anonymity model); ARX default k = 5;
 * Open Diffix counts anonymization IDs, not rows. Default k = 5.
 */
import type { CheckContext } from "../context.js";
import { displayRow } from "../display.js";
import { equivalenceClasses } from "../equivalence-classes.js";
import { finding, label } from "../findings.js";
import { rowSubjects } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const K_ANONYMITY_DEFAULTS = { k: 5 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const k = ctx.thresholds.k;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-rows")) {
    const name = label(t);
    const { unmapped } = await rowSubjects(ctx, t);
    if (unmapped > 0) {
      out.push(finding("k-anonymity", "block", `${name}: ${unmapped} row(s) have no ledger row; their subjects are unknown`,
        `${name}：${unmapped} 行在台账中没有对应行，主体未知`, { table: name }));
    }
    const c = await equivalenceClasses(ctx, t);
    const r = await ctx.rows(
      `SELECT count(*) AS classes, min(n) AS smallest, list(to_json(class) ORDER BY n)[1:5] AS sample, list(n ORDER BY n)[1:5] AS subjects
       FROM ${c.ref} WHERE n < ${k}`,
    );
    const classes = Number(r[0].classes);
    if (classes === 0) continue;
    const over = c.quasi.join(", ") || "the whole table";
    out.push(finding("k-anonymity", "block",
      `${name}: ${classes} equivalence class(es) over [${over}] hold fewer than k=${k} distinct subjects (smallest ${Number(r[0].smallest)})`,
      `${name}：按 [${c.quasi.join("、") || "整表"}] 划分的 ${classes} 个等价类包含的不同主体少于 k=${k}（最小 ${Number(r[0].smallest)}）`,
      {
        table: name,
        cells: (r[0].sample as string[]).map((s) => displayRow(JSON.parse(s))),
        subjects: (r[0].subjects as unknown[]).map(Number),
        remedy: { en: "generalise the quasi-identifiers (age bands, district → city) or release an aggregate (GROUP BY) instead", zh: "对准标识符泛化（年龄分段、区县→城市），或改为发布聚合结果（GROUP BY）" },
      }));
  }
  return out;
}

export const kAnonymityRule: Rule = { name: "k-anonymity", run };

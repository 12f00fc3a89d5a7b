/**
 * Rule `l-diversity` (block): in record-level output every equivalence class (same
 * quasi-identifiers) must hold at least l distinct values of each sensitive attribute;
 * otherwise knowing someone's quasi-identifiers reveals their sensitive value.
 *
 * Source: Machanavajjhala et al. 2007 (distinct l-diversity); GB/T 37964-2019 §6.2;
 * ARX offers distinct-l; default l = 2.
 */
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import { displayRow } from "../display.js";
import type { CheckContext } from "../context.js";
import { quasiColumns, sensitiveColumns } from "../quasi-columns.js";
import type { Finding, Rule } from "../types.js";

export const L_DIVERSITY_DEFAULTS = { l: 2 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const l = ctx.thresholds.l;
  const findings: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "record")) {
    const q = quasiColumns(ctx, t).map(quoteIdent);
    for (const s of sensitiveColumns(t)) {
      const sc = quoteIdent(s);
      const groupBy = q.length ? `GROUP BY ${q.join(", ")}` : "";
      const r = await ctx.rows(
        `SELECT count(*) AS classes, list(j)[1:5] AS sample FROM (
           SELECT count(DISTINCT ${sc}) AS d, count(${sc}) AS nn,
                  to_json(struct_pack(class := ${q.length ? `struct_pack(${q.map((c) => `${c} := ${c}`).join(", ")})` : "NULL"}, distinct_values := count(DISTINCT ${sc}))) AS j
           FROM ${quoteTable(t.name)} ${groupBy}) WHERE d < ${l} AND nn > 0`,
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

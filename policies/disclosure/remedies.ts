import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";
import { CheckContext, type ResolvedTable } from "./context.js";
import { aggregateCells } from "./ledger-cells.js";
import type { CheckInput, RemedyName } from "./types.js";

/** The remedies the gate applies on request, in the order they run. */
export const REMEDIES: readonly RemedyName[] = ["suppress-small", "round5"];

/** What one remedy did to one table (stated in findings and the package manifest). */
export interface RemedyResult {
  table: string;
  remedy: RemedyName;
  /** suppress-small: cells suppressed for having few subjects, and cells suppressed so totals cannot rebuild them. */
  primary?: number;
  secondary?: number;
  /** round5: columns rounded. */
  columns?: string[];
  applicable: boolean;
}

const COUNT_AGGS = new Set(["count", "count_distinct"]);

async function countTrue(ctx: CheckContext, ref: string): Promise<number> {
  return Number((await ctx.rows(`SELECT count(*) FILTER (WHERE s) AS n FROM ${ref}`))[0].n);
}

/**
 * Primary suppression of cells with 1 … `suppressAtMost` subjects, then secondary suppression:
 * along every line of the table (cells sharing all group values but one), a line holding
 * exactly one suppressed cell gets its smallest other cell suppressed too, so the line's total
 * (released here, in another table, or earlier) cannot rebuild it. Repeats until stable.
 */
async function suppressSmall(ctx: CheckContext, t: ResolvedTable): Promise<RemedyResult> {
  const c = await aggregateCells(ctx, t);
  const { name, ref } = ctx.tempTable("supp");
  const groups = c.groups.map(quoteIdent);
  await ctx.conn.run(
    `CREATE TEMP TABLE ${quoteIdent(name)} AS SELECT c.out_row, c.subjects, c.subjects BETWEEN 1 AND ${ctx.thresholds.suppressAtMost} AS s${groups.map((g) => `, o.${g}`).join("")}
     FROM ${c.ref} c JOIN ${quoteTable(t.name)} o ON o.${quoteIdent(t.rowColumn)} = c.out_row WHERE c.released AND c.led_row IS NOT NULL`,
  );
  const primary = await countTrue(ctx, ref);
  let total = primary;
  const lines = groups.length ? groups : ["NULL"];
  for (let round = 0; round < 100 && total > 0; round++) {
    for (const [i] of lines.entries()) {
      const others = groups.filter((_, j) => j !== i);
      const key = others.length ? `to_json(struct_pack(${others.map((g) => `${g} := ${g}`).join(", ")}))` : "'all'";
      await ctx.conn.run(
        `UPDATE ${ref} SET s = TRUE WHERE out_row IN (
           SELECT arg_min(out_row, subjects) FROM ${ref} x
           WHERE NOT s AND ${key} IN (SELECT ${key} FROM ${ref} GROUP BY ALL HAVING count(*) FILTER (WHERE s) = 1)
           GROUP BY ${key})`,
      );
    }
    const now = await countTrue(ctx, ref);
    if (now === total) break;
    total = now;
  }
  const nulls = c.aggregates.map((a) => `${quoteIdent(a)} = NULL`).join(", ");
  if (total > 0 && nulls) {
    await ctx.conn.run(`UPDATE ${quoteTable(t.name)} SET ${nulls} WHERE ${quoteIdent(t.rowColumn)} IN (SELECT out_row FROM ${ref} WHERE s)`);
  }
  return { table: t.label ?? t.name, remedy: "suppress-small", primary, secondary: total - primary, applicable: true };
}

/** Counts (ledger agg count / count distinct) rounded to the nearest 5 (OpenSAFELY). */
async function round5(ctx: CheckContext, t: ResolvedTable): Promise<RemedyResult> {
  const cols = t.columns.filter((c) => COUNT_AGGS.has(t.ledger.get(c.name)?.column.agg ?? ""));
  if (cols.length) {
    const set = cols.map((c) => `${quoteIdent(c.name)} = CAST(round(${quoteIdent(c.name)} / 5.0) * 5 AS ${c.type})`).join(", ");
    await ctx.conn.run(`UPDATE ${quoteTable(t.name)} SET ${set}`);
  }
  return { table: t.label ?? t.name, remedy: "round5", columns: cols.map((c) => c.name), applicable: true };
}

/**
 * Applies the requested remedies to the staged output tables in place (compiled to SQL, using
 * the ledger's subject counts), before the checks run again on the result. Only accounted
 * aggregates can be remedied; other tables are reported as not applicable.
 */
export async function applyRemedies(input: CheckInput, remedies: readonly RemedyName[]): Promise<RemedyResult[]> {
  if (remedies.length === 0) return [];
  const ctx = await CheckContext.create(input);
  const out: RemedyResult[] = [];
  try {
    for (const t of ctx.tables) {
      for (const r of REMEDIES.filter((x) => remedies.includes(x))) {
        if (t.kind !== "accounted-aggregate") {
          out.push({ table: t.label ?? t.name, remedy: r, applicable: false });
          continue;
        }
        out.push(r === "suppress-small" ? await suppressSmall(ctx, t) : await round5(ctx, t));
      }
    }
  } finally {
    await ctx.cleanup();
  }
  return out;
}

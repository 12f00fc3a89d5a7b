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
 * Secondary suppression over `ref` (out_row, size, s, group columns): along every line of the
 * table (cells sharing all group values but one), a line holding exactly one suppressed cell
 * gets its smallest other cell suppressed too, so the line's total (released here, in another
 * table, or earlier) cannot rebuild it. Repeats until stable; returns the cells suppressed.
 */
async function secondary(ctx: CheckContext, ref: string, groups: string[]): Promise<number> {
  let total = await countTrue(ctx, ref);
  const lines = groups.length ? groups : ["NULL"];
  for (let round = 0; round < 100 && total > 0; round++) {
    for (const [i] of lines.entries()) {
      const others = groups.filter((_, j) => j !== i);
      const key = others.length ? `to_json(struct_pack(${others.map((g) => `${g} := ${g}`).join(", ")}))` : "'all'";
      await ctx.conn.run(
        `UPDATE ${ref} SET s = TRUE WHERE out_row IN (
           SELECT arg_min(out_row, size) FROM ${ref} x
           WHERE NOT s AND ${key} IN (SELECT ${key} FROM ${ref} GROUP BY ALL HAVING count(*) FILTER (WHERE s) = 1)
           GROUP BY ${key})`,
      );
    }
    const now = await countTrue(ctx, ref);
    if (now === total) break;
    total = now;
  }
  return total;
}

/**
 * Primary suppression of cells with 1 … `suppressAtMost` subjects (the whole row), then of
 * conditional cells whose value rests on 1 … `suppressAtMost` contributing subjects (that
 * column only: `count_if(p)` of 3 in a row of 300), each followed by secondary suppression.
 */
async function suppressSmall(ctx: CheckContext, t: ResolvedTable): Promise<RemedyResult> {
  const c = await aggregateCells(ctx, t);
  const most = ctx.thresholds.suppressAtMost;
  const groups = c.groups.map(quoteIdent);
  const cells = (size: string, small: string, where: string) => {
    const tmp = ctx.tempTable("supp");
    return { ...tmp, sql: `CREATE TEMP TABLE ${quoteIdent(tmp.name)} AS SELECT c.out_row, ${size} AS size, ${small} AS s${groups.map((g) => `, o.${g}`).join("")}
     FROM ${c.ref} c JOIN ${quoteTable(t.name)} o ON o.${quoteIdent(t.rowColumn)} = c.out_row WHERE c.released AND c.led_row IS NOT NULL${where}` };
  };
  const rows = cells("c.subjects", `c.subjects BETWEEN 1 AND ${most}`, "");
  await ctx.conn.run(rows.sql);
  let primary = await countTrue(ctx, rows.ref);
  let total = await secondary(ctx, rows.ref, groups);
  const nulls = c.aggregates.map((a) => `${quoteIdent(a)} = NULL`).join(", ");
  if (total > 0 && nulls) {
    await ctx.conn.run(`UPDATE ${quoteTable(t.name)} SET ${nulls} WHERE ${quoteIdent(t.rowColumn)} IN (SELECT out_row FROM ${rows.ref} WHERE s)`);
  }
  // Conditional columns, among the rows still released: the cell's own contributors decide.
  for (const [j, col] of c.contributors.entries()) {
    const narrowed = `c.cr_${j} AND c.nz_${j} < c.subjects`;
    const cond = cells(`c.nz_${j}`, `${narrowed} AND c.nz_${j} BETWEEN 1 AND ${most}`, ` AND c.cr_${j} AND c.out_row NOT IN (SELECT out_row FROM ${rows.ref} WHERE s)`);
    await ctx.conn.run(cond.sql);
    const p = await countTrue(ctx, cond.ref);
    if (p === 0) continue;
    const n = await secondary(ctx, cond.ref, groups);
    await ctx.conn.run(`UPDATE ${quoteTable(t.name)} SET ${quoteIdent(col)} = NULL WHERE ${quoteIdent(t.rowColumn)} IN (SELECT out_row FROM ${cond.ref} WHERE s)`);
    primary += p;
    total += n;
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

import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext, ResolvedTable } from "./context.js";

/** Aggregate columns whose per-subject contributions the ledger records (dominance, p%). */
const MAGNITUDE_AGGS = new Set(["sum", "avg"]);

/** One accounted aggregate table joined to its ledger, built once and shared by every aggregate rule. */
export interface CellTable {
  /** TEMP table (out_row, led_row, subjects, released, t1_j, t2_j, tot_j …). */
  ref: string;
  /** Output columns that are aggregates, and those with contributions (j indexes t1_j/t2_j/tot_j). */
  aggregates: string[];
  magnitudes: string[];
  /** Output columns that are single-subject statistics (and `values` aggregates, each element one subject's value). */
  singles: string[];
  /** Output columns that are `values` aggregates: every subject's value in one cell (list, string_agg, histogram …). */
  values: string[];
  /** Output columns whose non-zero contributors the ledger counted: additive ones, and any over a condition (j indexes nz_j/m1_j/m2_j/ct_j/ab_j/om_j/o2_j/cr_j; m/ct/ab/om/o2 NULL where not additive or the ledger predates them). */
  contributors: string[];
  /** Output columns that are group keys. */
  groups: string[];
}

/**
 * Joins an `accounted-aggregate` output table to its ledger rows through the mark's map: per
 * output row its distinct-subject count and the contributions of each magnitude column. A row
 * the map does not cover gets NULL `led_row` (rules block it: fail closed). `released` is false
 * for a row whose every aggregate value the gate suppressed (NULL), so it discloses nothing.
 */
export function aggregateCells(ctx: CheckContext, t: ResolvedTable): Promise<CellTable> {
  return ctx.once(`cells:${t.name}`, async () => {
    const led = t.mark.ledger!;
    const aggregates: string[] = [];
    const magnitudes: string[] = [];
    const singles: string[] = [];
    const groups: string[] = [];
    const values: string[] = [];
    const contributors: string[] = [];
    const extra: string[] = [];
    // Ledgers written before contributor accounting have no __nonzero_i: those columns are left to the other rules.
    const ledCols = new Set((await ctx.rows(`DESCRIBE SELECT * FROM ${quoteTable(led.table)}`)).map((r) => String(r.column_name)));
    for (const c of t.columns) {
      const l = t.ledger.get(c.name)!;
      if (l.column.role !== "aggregate") {
        groups.push(c.name);
        continue;
      }
      aggregates.push(c.name);
      if (l.column.agg === "single" || l.column.agg === "values") singles.push(c.name);
      if (l.column.agg === "values") values.push(c.name);
      // Additive columns and conditional ones (a ratio of a FILTERed sum, a quantile over a CASE) have contributors.
      if (ledCols.has(`__nonzero_${l.index}`)) {
        const j = contributors.length;
        contributors.push(c.name);
        const mag = (n: string) => (ledCols.has(`${n}_${l.index}`) ? `l.${quoteIdent(`${n}_${l.index}`)}::DOUBLE` : "NULL::DOUBLE");
        extra.push(
          `l.${quoteIdent(`__nonzero_${l.index}`)}::BIGINT AS nz_${j}`,
          `${mag("__mag1")} AS m1_${j}`,
          `${mag("__mag2")} AS m2_${j}`,
          `${mag("__total")} AS ct_${j}`,
          `${mag("__abs")} AS ab_${j}`,
          `${ledCols.has(`__offmode_${l.index}`) ? `l.${quoteIdent(`__offmode_${l.index}`)}::BIGINT` : "NULL::BIGINT"} AS om_${j}`,
          `${ledCols.has(`__offtwo_${l.index}`) ? `l.${quoteIdent(`__offtwo_${l.index}`)}::BIGINT` : "NULL::BIGINT"} AS o2_${j}`,
          `o.${quoteIdent(c.name)} IS NOT NULL AS cr_${j}`,
        );
      }
      // Contributions exist only where the ledger recorded them (`additive`): a ratio such as sum(a)/count(*) has none.
      if (l.column.additive && l.column.agg && MAGNITUDE_AGGS.has(l.column.agg)) {
        const j = magnitudes.length;
        magnitudes.push(c.name);
        extra.push(
          `l.${quoteIdent(`__top1_${l.index}`)}::DOUBLE AS t1_${j}`,
          `l.${quoteIdent(`__top2_${l.index}`)}::DOUBLE AS t2_${j}`,
          `l.${quoteIdent(`__total_${l.index}`)}::DOUBLE AS tot_${j}`,
        );
      }
    }
    const released = aggregates.length ? `NOT (${aggregates.map((a) => `o.${quoteIdent(a)} IS NULL`).join(" AND ")})` : "TRUE";
    const { name, ref } = ctx.tempTable("cells");
    await ctx.conn.run(
      `CREATE TEMP TABLE ${quoteIdent(name)} AS
       SELECT o.${quoteIdent(t.rowColumn)} AS out_row, l.__row AS led_row, l.__subjects AS subjects, ${released} AS released${extra.map((e) => `, ${e}`).join("")}
       FROM ${quoteTable(t.name)} o LEFT JOIN ${quoteTable(t.mark.map!)} m ON m.out_row = o.${quoteIdent(t.rowColumn)}
       LEFT JOIN ${quoteTable(led.table)} l ON l.__row = m.__row`,
    );
    return { ref, aggregates, magnitudes, singles, values, contributors, groups };
  });
}

/** One accounted record-level table with each row's subject, built once and shared by record rules. */
export interface RowTable {
  /** Relation with the output columns plus `__sid` (NULL for a row the map does not cover). */
  ref: string;
  /** Exact facts of the whole table, one pass: rows, distinct subjects, rows without a subject. */
  rows: number;
  subjects: number;
  unmapped: number;
}

/**
 * An `accounted-rows` output table with each row's subject id: the output itself when the gate
 * attached `__sid` while building it (one join, at desensitization), else joined through the map.
 */
export function rowSubjects(ctx: CheckContext, t: ResolvedTable): Promise<RowTable> {
  return ctx.once(`rowsids:${t.name}`, async () => {
    let ref: string;
    if (t.sidColumn === "__sid") {
      ref = quoteTable(t.name);
    } else {
      const tmp = ctx.tempTable("rowsids");
      await ctx.conn.run(
        `CREATE TEMP TABLE ${quoteIdent(tmp.name)} AS
         SELECT ${t.columns.map((c) => `o.${quoteIdent(c.name)}`).join(", ")}, l.__sid AS __sid
         FROM ${quoteTable(t.name)} o LEFT JOIN ${quoteTable(t.mark.map!)} m ON m.out_row = o.${quoteIdent(t.rowColumn)}
         LEFT JOIN ${quoteTable(t.mark.ledger!.table)} l ON l.__row = m.__row`,
      );
      ref = tmp.ref;
    }
    const r = (await ctx.rows(`SELECT count(*) AS rows, count(DISTINCT __sid) AS subjects, count(*) FILTER (WHERE __sid IS NULL) AS unmapped FROM ${ref}`))[0];
    return { ref, rows: Number(r.rows), subjects: Number(r.subjects), unmapped: Number(r.unmapped) };
  });
}

/** SQL for a desensitized display struct of the output row `out_row` = `rowExpr` (a few rows only). */
export function displayCellsSql(t: ResolvedTable, outRows: string): string {
  const cols = t.columns.map((c) => `${quoteIdent(c.name)} := o.${quoteIdent(c.name)}`).join(", ");
  return `SELECT o.${quoteIdent(t.rowColumn)} AS out_row, to_json(struct_pack(${cols})) AS cell FROM ${quoteTable(t.name)} o WHERE o.${quoteIdent(t.rowColumn)} IN (${outRows})`;
}

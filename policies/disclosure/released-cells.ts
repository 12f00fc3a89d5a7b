import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import { CheckContext, type ResolvedTable } from "./context.js";
import { aggregateCells, type CellTable } from "./ledger-cells.js";
import { ledgerColumnSubjectsTable } from "../../runtime/ledger/tables.js";
import type { CheckInput, ReleasedCellsStore } from "./types.js";

/** The vault tables holding every released cell's subject set (kept after the job's ledger is purged). */
export const RELEASED_STORE: ReleasedCellsStore = { cells: "released_cells", subjects: "released_cell_subjects" };

/** Creates the released-cell tables if the vault lacks them. */
export async function ensureReleasedStore(conn: DuckDBConnection, store: ReleasedCellsStore = RELEASED_STORE): Promise<void> {
  // A cell id is a 64-bit hash of (egress, table, row): joins on integers, not on strings, at a million memberships.
  await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteTable(store.cells)} (cell UBIGINT, egress VARCHAR, org VARCHAR, scenario VARCHAR,
    dataset VARCHAR, tbl VARCHAR, out_row BIGINT, subjects BIGINT, released_at TIMESTAMP)`);
  await conn.run(`CREATE TABLE IF NOT EXISTS ${quoteTable(store.subjects)} (cell UBIGINT, dataset VARCHAR, __sid BIGINT)`);
}

/** The current release's cells: TEMP tables of (cell, tbl, out_row, dataset, n) and (cell, dataset, __sid); cell = hash(prefix, table, row). */
export interface CurrentCells {
  cells: string;
  subjects: string;
}

/**
 * Every released (not suppressed) cell of the request's accounted aggregates with at least k
 * subjects (smaller ones are blocked anyway), with its subject set per dataset, from the
 * ledger's `_subjects` table. Built once per run; the differencing rule and the release share it.
 */
export function currentCells(ctx: CheckContext, prefix = "cur"): Promise<CurrentCells> {
  return ctx.once(`current-cells:${prefix}`, async () => {
    const cells = ctx.tempTable("curcells");
    const subjects = ctx.tempTable("cursubj");
    await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(subjects.name)} (cell UBIGINT, dataset VARCHAR, __sid BIGINT)`);
    await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(cells.name)} (cell UBIGINT, tbl VARCHAR, out_row BIGINT, dataset VARCHAR, n BIGINT)`);
    for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
      const c = await aggregateCells(ctx, t);
      const tbl = quoteLiteral(t.label ?? t.name);
      await columnCells(ctx, t, c, prefix, cells.ref, subjects.ref);
      // The ledger's subject table holds each (row, dataset, subject) once (CONTRACT), so no DISTINCT pass here.
      await ctx.conn.run(
        `INSERT INTO ${subjects.ref} SELECT hash(${quoteLiteral(prefix)}, ${tbl}, c.out_row), s.dataset, s.__sid
         FROM ${c.ref} c JOIN ${quoteTable(t.mark.ledger!.subjects)} s ON s.__row = c.led_row
         WHERE c.released AND c.subjects >= ${ctx.thresholds.k}`,
      );
      await ctx.conn.run(
        `INSERT INTO ${cells.ref} SELECT hash(${quoteLiteral(prefix)}, ${tbl}, c.out_row), ${tbl}, c.out_row, s.dataset, count(*)
         FROM ${c.ref} c JOIN ${quoteTable(t.mark.ledger!.subjects)} s ON s.__row = c.led_row
         WHERE c.released AND c.subjects >= ${ctx.thresholds.k} GROUP BY ALL`,
      );
    }
    return { cells: cells.ref, subjects: subjects.ref };
  });
}

/**
 * A conditional column's cells (`sum(x) FILTER (WHERE …)`, `count_if(…)`, `sum(CASE …)`) where its
 * contributors are fewer than the row's subjects: cells of their own, named `table.column`,
 * with the ledger's column subject set, so that a filter that drops one person is differenced
 * against the whole like a WHERE would be.
 */
async function columnCells(ctx: CheckContext, t: ResolvedTable, c: CellTable, prefix: string, cells: string, subjects: string): Promise<void> {
  const sets = ledgerColumnSubjectsTable(t.mark.ledger!.table);
  if (c.contributors.length === 0 || !(await ctx.tableExists(sets))) return;
  const codes = (await ctx.rows(`SELECT DISTINCT __col, __part FROM ${quoteTable(sets)} ORDER BY ALL`)).map((r) => [Number(r.__col), Number(r.__part)]);
  for (const [index, part] of codes) {
    const j = c.contributors.findIndex((name) => t.ledger.get(name)?.index === index);
    if (j < 0) continue;
    const col = c.contributors[j];
    const tbl = quoteLiteral(`${t.label ?? t.name}.${col}${part ? `#${part + 1}` : ""}`);
    // Sets of fewer than k are blocked by contributors; the rest are cells for differencing.
    const set = `WITH s AS (SELECT c.out_row, s.dataset, s.__sid FROM ${c.ref} c JOIN ${quoteTable(sets)} s ON s.__row = c.led_row AND s.__col = ${index} AND s.__part = ${part}
      WHERE c.released AND c.cr_${j}), big AS (SELECT out_row, dataset FROM s GROUP BY ALL HAVING count(*) >= ${ctx.thresholds.k})`;
    await ctx.conn.run(`INSERT INTO ${subjects} ${set} SELECT hash(${quoteLiteral(prefix)}, ${tbl}, s.out_row), s.dataset, s.__sid FROM s SEMI JOIN big USING (out_row, dataset)`);
    await ctx.conn.run(`INSERT INTO ${cells} ${set} SELECT hash(${quoteLiteral(prefix)}, ${tbl}, s.out_row), ${tbl}, s.out_row, s.dataset, count(*) FROM s SEMI JOIN big USING (out_row, dataset) GROUP BY ALL`);
  }
}

/**
 * Records the released cells of an approved request (the same checks input) so later requests
 * of any organisation are differenced against them. Returns the number of cells written.
 */
export async function recordReleasedCells(
  input: CheckInput,
  meta: { egress: string; org: string; scenario: string; at: string },
  store: ReleasedCellsStore = RELEASED_STORE,
): Promise<number> {
  await ensureReleasedStore(input.conn, store);
  const ctx = await CheckContext.create(input);
  try {
    const cur = await currentCells(ctx, meta.egress);
    await ctx.conn.run(
      `INSERT INTO ${quoteTable(store.cells)} SELECT cell, ${quoteLiteral(meta.egress)}, ${quoteLiteral(meta.org)}, ${quoteLiteral(meta.scenario)},
         dataset, tbl, out_row, n, ${quoteLiteral(meta.at)}::TIMESTAMP FROM ${cur.cells}`,
    );
    await ctx.conn.run(`INSERT INTO ${quoteTable(store.subjects)} SELECT cell, dataset, __sid FROM ${cur.subjects}`);
    return Number((await ctx.rows(`SELECT count(*) AS n FROM ${cur.cells}`))[0].n);
  } finally {
    await ctx.cleanup();
  }
}

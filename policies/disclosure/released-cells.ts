import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import { CheckContext } from "./context.js";
import { aggregateCells } from "./ledger-cells.js";
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

/**
 * Marks a staged table by matching it to the job's ledger, entirely in DuckDB: every
 * output column must map to a ledger column of one accounted query (by normalised
 * values), and every output row to a distinct ledger row of it. Anything else is
 * `computed`: the model built it, and the gate treats it as such.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { DeclaredKind } from "../../sandbox/index.js";
import { all, exec, ident } from "../domain/db.js";
import type { LedgerEntry } from "./ledger.js";
import { ledgerMapTable } from "./tables.js";

/** CONTRACT.md's StagedPart.mark. */
export interface TableMark {
  kind: DeclaredKind;
  query?: number;
  columns?: Record<string, string>;
  map?: string;
  /** Set when the job declared a stricter kind than the match gave. */
  declared?: DeclaredKind;
}

const RANK: Record<DeclaredKind, number> = { "accounted-aggregate": 0, "accounted-rows": 1, computed: 2 };
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/i;

/**
 * Numbers compare as printf('%.12g', x::DOUBLE), everything else as its text. A NaN is NULL: a
 * model receives a NULL DOUBLE as NaN in its Float64Array (sandbox/README.md), so an empty cell
 * of an accounted result (the mean of a group with no values) comes back NaN and must still match.
 */
function norm(column: string, type: string): string {
  if (!NUMERIC.test(type)) return `${ident(column)}::VARCHAR`;
  const d = `${ident(column)}::DOUBLE`;
  return `CASE WHEN isnan(${d}) THEN NULL ELSE printf('%.12g', ${d}) END`;
}

async function describe(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  const rows = await all<{ column_name: string; column_type: string }>(conn, `DESCRIBE SELECT * FROM ${ident(table)}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/** True when every distinct normalised value of out.o appears in ledger.l. */
async function contained(conn: DuckDBConnection, out: string, o: { name: string; type: string }, led: string, l: { name: string; type: string }): Promise<boolean> {
  const rows = await all<{ n: bigint }>(conn, `SELECT count(*) AS n FROM (SELECT ${norm(o.name, o.type)} AS v FROM ${ident(out)} EXCEPT SELECT ${norm(l.name, l.type)} AS v FROM ${ident(led)})`);
  return Number(rows[0].n) === 0;
}

/** Output column → ledger column, same name first, each ledger column used once; undefined when a column has no match. */
async function mapColumns(conn: DuckDBConnection, out: string, outCols: { name: string; type: string }[], entry: LedgerEntry): Promise<Record<string, string> | undefined> {
  const ledCols = (await describe(conn, entry.table!)).filter((c) => !c.name.startsWith("__"));
  const used = new Set<string>();
  const mapping: Record<string, string> = {};
  const ordered = [...outCols].sort((a, b) => Number(!ledCols.some((l) => l.name === b.name)) - Number(!ledCols.some((l) => l.name === a.name)));
  for (const o of ordered) {
    const candidates = [...ledCols.filter((l) => l.name === o.name), ...ledCols.filter((l) => l.name !== o.name)].filter((l) => !used.has(l.name));
    let found: string | undefined;
    for (const l of candidates) {
      if (await contained(conn, out, o, entry.table!, l)) {
        found = l.name;
        break;
      }
    }
    if (!found) return undefined;
    used.add(found);
    mapping[o.name] = found;
  }
  return mapping;
}

/**
 * Aligns each output row (rowid order) to a distinct ledger row with the same mapped
 * values. Equal rows are paired by rank within their value, so a duplicated row finds
 * no second partner; aggregate rows are taken smallest subject count first.
 * Writes the alignment into `map` and returns whether every output row found one
 * (and, for row selections, whether the rows kept the ledger's order).
 */
async function alignRows(conn: DuckDBConnection, out: string, outCols: { name: string; type: string }[], entry: LedgerEntry, mapping: Record<string, string>, map: string): Promise<boolean> {
  const ledTypes = new Map((await describe(conn, entry.table!)).map((c) => [c.name, c.type]));
  const keys = outCols.map((o, i) => ({ o: `${norm(o.name, o.type)} AS k${i}`, l: `${norm(mapping[o.name], ledTypes.get(mapping[o.name]) ?? "VARCHAR")} AS k${i}`, k: `k${i}` }));
  const part = keys.map((k) => k.k).join(", ");
  const ledOrder = entry.kind === "aggregate" ? "__subjects, __row" : "__row";
  await exec(conn, `CREATE OR REPLACE TABLE ${ident(map)} AS
    WITH o AS (SELECT rowid::BIGINT AS out_row, ${keys.map((k) => k.o).join(", ")} FROM ${ident(out)}),
         o2 AS (SELECT *, row_number() OVER (PARTITION BY ${part} ORDER BY out_row) AS rn FROM o),
         l AS (SELECT __row${entry.kind === "aggregate" ? ", __subjects" : ""}, ${keys.map((k) => k.l).join(", ")} FROM ${ident(entry.table!)}),
         l2 AS (SELECT *, row_number() OVER (PARTITION BY ${part} ORDER BY ${ledOrder}) AS rn FROM l)
    SELECT o2.out_row, l2.__row::BIGINT AS __row FROM o2 LEFT JOIN l2 ON ${keys.map((k) => `o2.${k.k} IS NOT DISTINCT FROM l2.${k.k}`).join(" AND ")} AND o2.rn = l2.rn
    ORDER BY o2.out_row`);
  const check = await all<{ missing: bigint; disorder: bigint }>(conn, `SELECT count(*) FILTER (WHERE __row IS NULL) AS missing,
      count(*) FILTER (WHERE prev IS NOT NULL AND __row <= prev) AS disorder
    FROM (SELECT __row, lag(__row) OVER (ORDER BY out_row) AS prev FROM ${ident(map)})`);
  const ok = Number(check[0].missing) === 0 && (entry.kind !== "rows" || Number(check[0].disorder) === 0);
  if (!ok) await exec(conn, `DROP TABLE IF EXISTS ${ident(map)}`);
  return ok;
}

/**
 * The mark of staged vault table `table` (output part `part` of `job`) against the job's
 * ledger. A declared kind is honoured only when it is stricter than what matched.
 */
export async function markTable(conn: DuckDBConnection, job: string, part: string, table: string, ledger: LedgerEntry[], declared?: DeclaredKind): Promise<TableMark> {
  const outCols = await describe(conn, table);
  const count = await all<{ n: bigint }>(conn, `SELECT count(*) AS n FROM ${ident(table)}`);
  const map = ledgerMapTable(job, part);
  await exec(conn, `DROP TABLE IF EXISTS ${ident(map)}`);
  let mark: TableMark = { kind: "computed" };
  if (Number(count[0].n) > 0 && outCols.length > 0 && outCols.every((c) => !c.name.startsWith("__"))) {
    const rows = Number(count[0].n);
    // Only queries with at least as many rows can cover the table; those sharing more column names are tried first.
    const names = new Set(outCols.map((c) => c.name));
    const candidates = ledger
      .filter((e) => e.kind !== "unaccounted" && e.table && e.rows >= rows)
      .map((e) => ({ e, shared: e.meta.columns.filter((c) => names.has(c.name)).length }))
      .sort((a, b) => b.shared - a.shared || a.e.q - b.e.q)
      .map((x) => x.e);
    for (const entry of candidates) {
      const mapping = await mapColumns(conn, table, outCols, entry);
      if (!mapping) continue;
      if (await alignRows(conn, table, outCols, entry, mapping, map)) {
        mark = { kind: entry.kind === "aggregate" ? "accounted-aggregate" : "accounted-rows", query: entry.q, columns: mapping, map };
        break;
      }
    }
  }
  if (declared && RANK[declared] > RANK[mark.kind]) {
    if (declared === "computed") {
      await exec(conn, `DROP TABLE IF EXISTS ${ident(map)}`);
      return { kind: "computed", declared };
    }
    return { ...mark, kind: declared, declared };
  }
  return mark;
}

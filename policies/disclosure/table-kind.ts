import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";
import type { OutputTable, TableKind } from "./types.js";

/** Names that mark a count column (English and Chinese conventions). */
const COUNT_NAME = /^(count|n|cnt|freq|frequency|num|total|频数|计数|人数|数量|个数|户数|次数)$|(_count|_cnt|_n|_freq|人数|频数)$|^(n_|count_|cnt_|num_)/i;
const INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT\d*)$/i;

/** The count column a table's name/type conventions point to, if any. */
export function countColumnByName(table: OutputTable): string | undefined {
  if (table.countColumn) return table.countColumn;
  return table.columns.find((c) => COUNT_NAME.test(c.name) && INTEGER_TYPE.test(c.type))?.name;
}

/**
 * Aggregate or record-level. A declared `kind` wins. Otherwise a table is an aggregate when it has
 * an integer count column (count/n/cnt/频数/人数 …) AND its other columns are unique per row — the
 * shape of a GROUP BY result. The second condition stops a record-level extract from passing as an
 * aggregate just by adding a column called `count`.
 */
export async function inferTableKind(
  conn: DuckDBConnection,
  table: OutputTable,
): Promise<{ kind: TableKind; countColumn?: string }> {
  const countColumn = countColumnByName(table);
  if (table.kind) return { kind: table.kind, countColumn };
  if (!countColumn) return { kind: "record" };
  const others = table.columns.filter((c) => c.name !== countColumn).map((c) => quoteIdent(c.name));
  if (others.length === 0) return { kind: "aggregate", countColumn };
  const r = await conn.runAndReadAll(
    `SELECT count(*) = count(DISTINCT row(${others.join(", ")})) AS uniq FROM ${quoteTable(table.name)}`,
  );
  return r.getRowObjectsJS()[0].uniq === true ? { kind: "aggregate", countColumn } : { kind: "record" };
}

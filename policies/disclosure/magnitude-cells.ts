import { describeTable } from "../desensitize/apply.js";
import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext, ResolvedTable } from "./context.js";

/** One cell of a magnitude table recomputed from raw contributions. */
export interface MagnitudeCell {
  table: string;
  column: string;
  key: Record<string, unknown>;
  total: number;
  /** Largest contributions (absolute), descending. */
  top: number[];
}

/** Result of recomputing one aggregate table's magnitude cells. */
export interface MagnitudeResult {
  cells: MagnitudeCell[];
  /** Magnitude-looking columns whose contributions could not be found in raw data. */
  unverifiable: string[];
}

const SUM_NAME = /^(sum|total|amount)_(.+)$|^(.+)_(sum|total|amount)$/i;
const SUM_HINT = /(sum|total|amount|金额|合计|总额|总计)/i;
const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|DOUBLE|FLOAT|REAL|DECIMAL.*)$/i;

async function resolveSource(
  ctx: CheckContext,
  t: ResolvedTable,
  column: string,
  categories: string[],
): Promise<{ table: string; column: string } | undefined> {
  const declared = t.magnitudes?.find((m) => m.column === column);
  if (declared) return declared.raw;
  const m = SUM_NAME.exec(column);
  const base = m ? (m[2] ?? m[3]) : column;
  for (const table of new Set(ctx.input.raw.map((r) => r.table))) {
    const cols = await ctx.once(`describe:${table}`, () => describeTable(ctx.conn, table));
    const names = new Set(cols.map((c) => c.name));
    const src = cols.find((c) => c.name === base && NUMERIC.test(c.type));
    if (src && categories.every((c) => names.has(c))) return { table, column: base };
  }
  return undefined;
}

/**
 * Recomputes each magnitude cell of aggregate table `t` from the raw rows: total and the
 * `n` largest absolute contributions per category combination, for dominance and p% rules.
 * Needs the category columns to exist by name in the raw table (cells are joined on their text).
 */
export function magnitudeCells(ctx: CheckContext, t: ResolvedTable, n: number): Promise<MagnitudeResult> {
  return ctx.once(`magnitude:${t.name}:${n}`, async () => {
    const declared = new Set((t.magnitudes ?? []).map((m) => m.column));
    const mags = t.columns.filter(
      (c) => c.name !== t.countColumn && NUMERIC.test(c.type) && (declared.has(c.name) || SUM_HINT.test(c.name)),
    );
    const categories = t.columns.filter((c) => c.name !== t.countColumn && !mags.includes(c)).map((c) => c.name);
    const result: MagnitudeResult = { cells: [], unverifiable: [] };
    for (const mag of mags) {
      const src = await resolveSource(ctx, t, mag.name, categories);
      if (!src) {
        result.unverifiable.push(mag.name);
        continue;
      }
      const cats = categories.map(quoteIdent);
      const x = `abs(CAST(${quoteIdent(src.column)} AS DOUBLE))`;
      const on = categories
        .map((c) => `CAST(o.${quoteIdent(c)} AS VARCHAR) IS NOT DISTINCT FROM CAST(r.${quoteIdent(c)} AS VARCHAR)`)
        .join(" AND ");
      const rows = await ctx.rows(
        `WITH r AS (SELECT ${cats.map((c) => `${c}, `).join("")}sum(${x}) AS __shuyu_total, max(${x}, ${n}) AS __shuyu_top
                    FROM ${quoteTable(src.table)} ${cats.length ? `GROUP BY ${cats.join(", ")}` : ""})
         SELECT ${categories.length ? `to_json(struct_pack(${cats.map((c) => `${c} := o.${c}`).join(", ")}))` : "'{}'"} AS k, r.__shuyu_total AS total, r.__shuyu_top AS top
         FROM ${quoteTable(t.name)} o JOIN r ON ${on || "TRUE"}`,
      );
      if (rows.length === 0) {
        result.unverifiable.push(mag.name);
        continue;
      }
      for (const row of rows) {
        result.cells.push({
          table: t.name,
          column: mag.name,
          key: JSON.parse(String(row.k)) as Record<string, unknown>,
          total: Number(row.total),
          top: (row.top as number[]).map(Number),
        });
      }
    }
    return result;
  });
}

import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext } from "./context.js";
import { canonicalTextSql, normalizeSql } from "./normalize.js";

/**
 * Separators for splitting a cell into tokens, so `ID:110105…` or `a|b` is found inside text.
 * Base64 and hex characters (+ / = and letters) are not separators.
 */
const SEPARATORS = `[\\s,;:|，；：、。（）()\\[\\]{}"'<>]+`;
/** A run of characters identifiers and their encodings are made of (canonical text is lower case). */
const RUN = "[0-9a-z+/=@._-]{6,}";
/** A run of digits (mobiles, cards, IDs with their trailing x) glued to letters, as in `card=6222…`. */
const DIGIT_RUN = "[0-9]{6,}x?";

/**
 * Appends free texts (report, log lines, index values) as rows of TEMP table (src, t).
 * Returns the qualified name.
 */
async function textsTable(ctx: CheckContext): Promise<string> {
  const { name, ref } = ctx.tempTable("texts");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (src VARCHAR, t VARCHAR)`);
  const app = await ctx.conn.createAppender(name, "main", "temp");
  const add = (src: string, t: string) => {
    app.appendVarchar(src);
    app.appendVarchar(t);
    app.endRow();
  };
  if (ctx.input.report) add("(report)", ctx.input.report);
  for (const line of ctx.input.logs ?? []) add("(logs)", line);
  for (const x of ctx.input.index ?? []) add("(index)", Number.isInteger(x) ? BigInt(x).toString() : String(x));
  app.closeSync();
  return ref;
}

/**
 * TEMP table (tbl, col, v, nx): every distinct canonical cell value of every output table column,
 * plus the tokens of cells that contain separators, plus report/log/index tokens (tbl
 * "(report)", "(logs)", "(index)"). Built once per run; rules semi-join raw value sets against it.
 */
export function outputValuesTable(ctx: CheckContext): Promise<string> {
  return ctx.once("out-values", async () => {
    const { name, ref: out } = ctx.tempTable("outv");
    const parts: string[] = [];
    for (const t of ctx.tables) {
      for (const c of t.columns) {
        // DISTINCT first: canonicalising is per row, and outputs repeat values a lot.
        parts.push(
          // nx: the column's exact distinct count, before canonical forms merge anything (one-to-one uses it).
          `SELECT DISTINCT ${quoteLiteral(t.name)} AS tbl, ${quoteLiteral(c.name)} AS col, ${canonicalTextSql("x", c.type)} AS v, nx
           FROM (SELECT x, count(*) OVER () AS nx FROM (SELECT DISTINCT ${quoteIdent(c.name)} AS x FROM ${quoteTable(t.name)} WHERE ${quoteIdent(c.name)} IS NOT NULL))`,
        );
      }
    }
    const texts = await textsTable(ctx);
    parts.push(`SELECT DISTINCT src AS tbl, '' AS col, ${normalizeSql("t")} AS v, NULL::BIGINT AS nx FROM ${texts}`);
    await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} AS ${parts.join(" UNION ALL ")}`);
    // Tokens: pieces between separators, and runs of identifier-ish characters (an ID inside Chinese text).
    await ctx.conn.run(
      `INSERT INTO ${out} SELECT DISTINCT tbl, col, tok, NULL FROM (
         SELECT tbl, col, v, unnest(list_concat(regexp_split_to_array(v, ${quoteLiteral(SEPARATORS)}), regexp_extract_all(v, ${quoteLiteral(RUN)}), regexp_extract_all(v, ${quoteLiteral(DIGIT_RUN)}))) AS tok
         FROM ${out}) WHERE tok <> '' AND tok <> v`,
    );
    return out;
  });
}

/** Exact distinct non-NULL values per output column (`table` → counts in column order). */
export function outputDistinctCounts(ctx: CheckContext): Promise<Map<string, number[]>> {
  return ctx.once("out-distinct", async () => {
    const out = await outputValuesTable(ctx);
    const rows = await ctx.rows(`SELECT tbl, col, max(nx) AS n FROM ${out} WHERE nx IS NOT NULL GROUP BY ALL`);
    const byKey = new Map(rows.map((r) => [`${String(r.tbl)}\u0000${String(r.col)}`, Number(r.n)]));
    return new Map(ctx.tables.map((t) => [t.name, t.columns.map((c) => byKey.get(`${t.name}\u0000${c.name}`) ?? 0)]));
  });
}

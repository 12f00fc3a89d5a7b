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
/** A cell that is one run already is its own token. */
const WHOLE_RUN = "[0-9a-z+/=@._-]*";

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
 * TEMP table (tbl, col, v): every distinct canonical cell value of every output table column,
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
          `SELECT DISTINCT ${quoteLiteral(t.name)} AS tbl, ${quoteLiteral(c.name)} AS col, ${canonicalTextSql("x", c.type)} AS v
           FROM (SELECT DISTINCT ${quoteIdent(c.name)} AS x FROM ${quoteTable(t.name)} WHERE ${quoteIdent(c.name)} IS NOT NULL)`,
        );
      }
    }
    const texts = await textsTable(ctx);
    parts.push(`SELECT DISTINCT src AS tbl, '' AS col, ${normalizeSql("t")} AS v FROM ${texts}`);
    await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} AS ${parts.join(" UNION ALL ")}`);
    // Tokens: pieces between separators, and runs of identifier-ish characters (an ID inside Chinese text).
    await ctx.conn.run(
      `INSERT INTO ${out} SELECT DISTINCT tbl, col, tok FROM (
         SELECT tbl, col, unnest(list_concat(regexp_split_to_array(v, ${quoteLiteral(SEPARATORS)}), regexp_extract_all(v, ${quoteLiteral(RUN)}), regexp_extract_all(v, ${quoteLiteral(DIGIT_RUN)}))) AS tok
         FROM ${out} WHERE NOT regexp_full_match(v, ${quoteLiteral(WHOLE_RUN)})) WHERE tok <> ''`,
    );
    return out;
  });
}

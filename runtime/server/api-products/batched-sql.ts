/**
 * Rewrites an SQL text's positional parameters ($1, $2 …) into column references
 * `__c.__p1 …`, skipping string literals, quoted identifiers and comments, so the
 * product's SQL can run once per batch of calls as a LATERAL subquery. Returns
 * undefined when the text holds something the rewrite does not understand.
 */
export function parametersToColumns(sql: string): string | undefined {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const two = sql.slice(i, i + 2);
    if (ch === "'" || ch === '"') {
      const end = closing(sql, i, ch);
      if (end < 0) return undefined;
      out += sql.slice(i, end + 1);
      i = end + 1;
    } else if (two === "--") {
      const end = sql.indexOf("\n", i);
      out += sql.slice(i, end < 0 ? sql.length : end);
      i = end < 0 ? sql.length : end;
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      if (end < 0) return undefined;
      out += sql.slice(i, end + 2);
      i = end + 2;
    } else if (ch === "$") {
      const m = /^\$(\d+)/.exec(sql.slice(i));
      if (!m) return undefined; // $name, $$-quoted strings: leave such SQL to the per-call path
      out += `__c.__p${m[1]}`;
      i += m[0].length;
    } else if (ch === "?") {
      return undefined;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Index of the quote closing the one at `start` ('' and "" are escapes), or -1. */
function closing(sql: string, start: number, q: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === q) {
      if (sql[i + 1] === q) i += 2;
      else return i;
    } else i++;
  }
  return -1;
}

/** The batch form of a product query: one row per call key, the product's SQL evaluated per call. */
export function batchedSql(sql: string, params: number): string | undefined {
  const body = parametersToColumns(sql.trim().replace(/;\s*$/, ""));
  if (body === undefined) return undefined;
  const cols = ["unnest($1) AS __k", ...Array.from({ length: params }, (_, i) => `unnest($${i + 2}) AS __p${i + 1}`)];
  return `WITH __c AS (SELECT ${cols.join(", ")}) SELECT __c.__k, __q.* FROM __c, LATERAL (${body}) AS __q ORDER BY __c.__k`;
}

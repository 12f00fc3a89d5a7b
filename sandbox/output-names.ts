/**
 * Rules for the names a model gives its output tables and columns. They are checked in
 * the worker (so a bad name fails the job early) and again by the owner before anything
 * is written (the worker ran hostile code): staging must never fail half-way on a name.
 */

/** Longest table (part) name. */
export const MAX_PART_NAME = 64;
/** Longest column name (SQL jobs get DuckDB's names, e.g. `round(avg(income), -2)`). */
export const MAX_COLUMN_NAME = 128;
/** Most columns one output table may have. */
export const MAX_COLUMNS = 1_000;

// Letters and digits of any script, `_` and `-`: safe as a file name, a SQL identifier and on a terminal.
const PART = /^[\p{L}\p{N}_-]+$/u;
// Columns: no C0/C1 controls, no bidi or other format characters, no line or paragraph separators.
// eslint-disable-next-line no-control-regex
const BAD_COLUMN_CHAR = /[\u0000-\u001f\u007f-\u009f\p{Cf}\u2028\u2029]/u;

/** Why a set of output names is unacceptable, or undefined when it is fine. */
export function outputNamesProblem(tables: { name: string; columns: string[] }[], maxParts: number): string | undefined {
  if (tables.length > maxParts) return `more than ${maxParts} output tables`;
  const parts = new Set<string>();
  for (const t of tables) {
    const p = partNameProblem(t.name);
    if (p) return p;
    const key = t.name.toLowerCase();
    if (parts.has(key)) return "two output tables whose names differ only in case";
    parts.add(key);
    if (t.columns.length > MAX_COLUMNS) return `a table with more than ${MAX_COLUMNS} columns`;
    const cols = new Set<string>();
    for (const c of t.columns) {
      const cp = columnNameProblem(c);
      if (cp) return cp;
      const ck = c.toLowerCase();
      if (cols.has(ck)) return "two columns of one table whose names differ only in case";
      cols.add(ck);
    }
  }
  return undefined;
}

/** Why one table name is unacceptable (length, charset, reserved prefix), or undefined. */
export function partNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_PART_NAME) return `a table name of ${name.length} characters (1 to ${MAX_PART_NAME} allowed)`;
  if (!PART.test(name)) return "a table name with characters other than letters, digits, '_' and '-'";
  if (name.startsWith("__")) return "a table name starting with '__' (reserved)";
  return undefined;
}

/** Why one column name is unacceptable (length, control or format characters, reserved prefix), or undefined. */
export function columnNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_COLUMN_NAME) return `a column name of ${name.length} characters (1 to ${MAX_COLUMN_NAME} allowed)`;
  if (BAD_COLUMN_CHAR.test(name)) return "a column name with control or formatting characters";
  if (name.startsWith("__")) return "a column name starting with '__' (reserved)";
  return undefined;
}

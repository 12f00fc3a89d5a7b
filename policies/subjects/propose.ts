/**
 * Proposes a dataset's subject key at ingest from PII discovery's tags: a resident-ID column
 * makes the rows a person's, a USCC column an enterprise's; failing both, a column unique per
 * row makes each row its own subject (`record`). A person confirms the proposal.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import type { ColumnProposal } from "../pii/detect.js";
import type { PiiType } from "../pii/types.js";
import type { SubjectKind } from "./kinds.js";

/** A proposed subject key with the reason shown to the admin. */
export interface SubjectProposal {
  kind: SubjectKind;
  columns: string[];
  reason: string;
}

const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const quoteTable = quoteIdent;

/** SQL counting a column's missing values: NULL or blank text (as discovery counts them). */
export function missingSql(column: string): string {
  return `count_if(NULLIF(trim(CAST(${quoteIdent(column)} AS VARCHAR)), '') IS NULL)`;
}

// Types that make a usable row key; floats, dates and booleans do not.
const KEY_TYPE = /^(VARCHAR|U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|UUID)$/i;
// Names that say "this is the row's key": a unique column so named wins over an earlier one.
const KEY_NAME = /(^|_)(id|no|num|key|code|seq)$|^id_|编号|序号|流水号|单号|主键/i;
// Uniqueness is screened on a seeded sample first so wide tables do not pay an exact
// count(DISTINCT) per column; only candidates that pass are checked over every row.
const SCREEN_ROWS = 100_000;
const EXACT_CHECKS = 3;

function share(p: ColumnProposal, type: PiiType): number {
  return p.matches.find((m) => m.type === type)?.share ?? 0;
}

/** Proposes a subject key for `table` from its discovery results, or undefined when no column qualifies. */
export async function proposeSubject(conn: DuckDBConnection, table: string, proposals: readonly ColumnProposal[]): Promise<SubjectProposal | undefined> {
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${quoteTable(table)}`)).getRows()[0][0]);
  if (rows === 0) return undefined;
  for (const [type, kind, label] of [["resident_id", "person", "resident ID"], ["uscc", "enterprise", "unified social credit code"]] as const) {
    const tagged = proposals.filter((p) => p.tags.includes(`pii:${type}`)).sort((a, b) => share(b, type) - share(a, type));
    for (const p of tagged) {
      if ((await missing(conn, table, p.column)) === 0) {
        return { kind, columns: [p.column], reason: `${p.column} holds a ${label} in ${(share(p, type) * 100).toFixed(1)}% of rows and is never empty` };
      }
    }
  }
  const candidates = proposals.filter((p) => KEY_TYPE.test(p.type));
  const screened = await uniqueOnSample(conn, table, candidates.map((p) => p.column), rows);
  const ordered = [...screened.filter((c) => KEY_NAME.test(c)), ...screened.filter((c) => !KEY_NAME.test(c))];
  // Each exact check is a full count(DISTINCT): a few candidates at most.
  for (const column of ordered.slice(0, EXACT_CHECKS)) {
    const r = (await conn.runAndReadAll(`SELECT count(DISTINCT ${quoteIdent(column)}), ${missingSql(column)} FROM ${quoteTable(table)}`)).getRows()[0];
    if (Number(r[0]) === rows && Number(r[1]) === 0) {
      return { kind: "record", columns: [column], reason: `${column} is unique and never empty in all ${rows} rows; no resident ID or credit code was found` };
    }
  }
  return undefined;
}

async function missing(conn: DuckDBConnection, table: string, column: string): Promise<number> {
  return Number((await conn.runAndReadAll(`SELECT ${missingSql(column)} FROM ${quoteTable(table)}`)).getRows()[0][0]);
}

async function uniqueOnSample(conn: DuckDBConnection, table: string, columns: string[], rows: number): Promise<string[]> {
  if (columns.length === 0) return [];
  const sample = rows > SCREEN_ROWS ? ` USING SAMPLE reservoir(${SCREEN_ROWS} ROWS) REPEATABLE (20)` : "";
  const aggs = columns.map((c, i) => `count(DISTINCT ${quoteIdent(c)}) AS d${i}, ${missingSql(c)} AS m${i}`).join(", ");
  const r = (await conn.runAndReadAll(`SELECT count(*) AS n, ${aggs} FROM (SELECT * FROM ${quoteTable(table)}${sample})`)).getRowObjectsJS()[0];
  const n = Number(r.n);
  return columns.filter((_, i) => Number(r[`d${i}`]) === n && Number(r[`m${i}`]) === 0);
}

/** Why a key cannot be confirmed on `table`: unknown or reserved columns, or empty values; undefined when it can. */
export async function subjectKeyProblem(
  conn: DuckDBConnection,
  table: string,
  tableColumns: readonly string[],
  columns: readonly string[],
): Promise<{ code: string; message: string; details: Record<string, unknown> } | undefined> {
  if (columns.length === 0) return { code: "SUBJECT_KEY_EMPTY", message: "a subject key names at least one column", details: {} };
  const unknown = columns.filter((c) => !tableColumns.includes(c));
  if (unknown.length) {
    return {
      code: "UNKNOWN_COLUMN",
      message: `no column ${unknown.map((c) => `'${c}'`).join(", ")} (columns: ${tableColumns.join(", ")})`,
      details: { columns: unknown },
    };
  }
  if (new Set(columns).size !== columns.length) return { code: "DUPLICATE_COLUMN", message: "a subject key lists each column once", details: { columns } };
  const r = (await conn.runAndReadAll(`SELECT ${columns.map(missingSql).join(", ")} FROM ${quoteTable(table)}`)).getRows()[0];
  const empty = columns.map((c, i) => ({ column: c, rows: Number(r[i]) })).filter((x) => x.rows > 0);
  if (empty.length) {
    return {
      code: "SUBJECT_KEY_NULL",
      message: `a subject key must name the subject of every row, but ${empty.map((e) => `'${e.column}' is empty in ${e.rows} row${e.rows === 1 ? "" : "s"}`).join(", ")}`,
      details: { empty },
    };
  }
  return undefined;
}

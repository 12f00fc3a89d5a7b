/**
 * PII discovery: proposes column tags for a vault table from its column names and
 * its content, measured in one vectorised DuckDB query over all rows or a bounded
 * sample; every detector sits behind a cheap length or charset prefilter. The lead's `dataset tag` shows the proposals; a person confirms them.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { invalid } from "../errors.js";
import { nameSuggestsPii, nameSuggestsQuasi, nameSuggestsSensitive } from "./column-hints.js";
import { embeddedPiiSql, piiPredicateSql, withoutSeparatorsSql } from "./detect-sql.js";
import { PII_TYPES, type ColumnTag, type PiiType } from "./types.js";

/** Share of a column's non-null values that match one PII type. */
export interface PiiMatch {
  type: PiiType;
  /** 0..1, of non-null, non-empty values that *are* a value of this type. */
  share: number;
  /** 0..1, of non-null values that *contain* one ("tel 13800138000"); absent for names and addresses. */
  embedded?: number;
}

/** Proposed tags for one column, with the evidence. */
export interface ColumnProposal {
  column: string;
  /** DuckDB type name. */
  type: string;
  /** Types with a non-zero share, highest first. */
  matches: PiiMatch[];
  tags: ColumnTag[];
}

export interface DetectOptions {
  /** Rows examined per table (about this many, sampled, above it); default 20 000. */
  sampleRows?: number;
  /** Share of values a type must reach to be proposed; default 0.8. */
  minShare?: number;
}

// Checksum-backed types first, free-text patterns last.
const PRECEDENCE: readonly PiiType[] = [
  "resident_id", "uscc", "bank_card", "mobile", "email", "ip", "plate", "address", "person_name",
];
const TEXT_TYPES = /^(VARCHAR|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
// In a column whose values are mostly PII of several types (a "contact" column with phones
// and e-mails), each type holding at least this share is tagged too.
const MIXED_MIN_SHARE = 0.1;
// A column named like a person's name needs less content evidence: short Han words that start
// with a surname character are common, and the name is the stronger signal.
const NAME_HINT_SHARE = 0.5;

const GENDERS = ["男", "女", "男性", "女性", "m", "f", "male", "female", "未知"];
const EDUCATION = [
  "小学", "初中", "高中", "中专", "职高", "技校", "大专", "专科", "本科", "大学本科", "硕士", "硕士研究生", "研究生",
  "博士", "博士研究生", "文盲", "半文盲",
];
const MARITAL = ["已婚", "未婚", "离异", "离婚", "丧偶", "初婚", "再婚", "复婚"];

const sqlList = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(", ");
const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** Content that marks a quasi-identifier: gender, ethnicity, education level, marital status. */
function quasiContentSql(v: string): string {
  return (
    `(lower(${v}) IN (${sqlList(GENDERS)})` +
    // Prefilter: an ethnicity is two to five characters ending in 族.
    ` OR (CASE WHEN length(${v}) BETWEEN 2 AND 5 AND suffix(${v}, '族') THEN regexp_full_match(${v}, '\\p{Han}{1,4}族') ELSE false END)` +
    ` OR ${v} IN (${sqlList(EDUCATION)}) OR ${v} IN (${sqlList(MARITAL)}))`
  );
}

/** Content that marks a sensitive attribute: diagnoses (Chinese disease names, ICD-10 codes). */
function sensitiveContentSql(v: string): string {
  const disease = "(病|症|炎|癌|瘤|综合征|高血压|骨折|感染|损伤|中毒|结石|梗死|梗塞)";
  return (
    // Prefilters: a diagnosis is at most 15 characters and a 3-character ending; an ICD-10 code 5 or 6 bytes.
    `(CASE WHEN length(${v}) > 18 THEN false` +
    ` WHEN strlen(${v}) BETWEEN 5 AND 6 AND regexp_full_match(${v}, '[A-TV-Z]\\d{2}\\.\\d{1,2}') THEN true` +
    ` ELSE regexp_full_match(${v}, '[\\p{Han}0-9A-Za-z]{0,15}${disease}') AND regexp_matches(${v}, '\\p{Han}') END)`
  );
}

/** Proposes PII / quasi / sensitive tags for every column of `table`. */
/** Columns measured per aggregate query. */
const MEASURE_BATCH = 48;

export async function detectPii(conn: DuckDBConnection, table: string, opts: DetectOptions = {}): Promise<ColumnProposal[]> {
  // 20 000 rows put a share's standard error under 0.4 points, far inside the thresholds' margins.
  const sampleRows = opts.sampleRows ?? 20_000;
  const minShare = opts.minShare ?? 0.8;
  if (!(sampleRows >= 1) || !(minShare > 0 && minShare <= 1)) {
    throw invalid("PII_BAD_OPTIONS", "sampleRows must be ≥ 1 and minShare in (0, 1]", { sampleRows, minShare });
  }
  const columns = await describeTable(conn, table);
  const scanned = columns
    .map((c, i) => ({ ...c, alias: `c${i}`, text: c.type === "VARCHAR" }))
    .filter((c) => TEXT_TYPES.test(c.type));
  // Columns in fixed-size batches: one query's SQL and plan grow with its width, so a
  // very wide table is measured in time linear in its columns (same repeatable sample each batch).
  const stats = new Map<string, number>();
  for (let i = 0; i < scanned.length; i += MEASURE_BATCH) {
    for (const [k, v] of await measure(conn, table, scanned.slice(i, i + MEASURE_BATCH), sampleRows)) stats.set(k, v);
  }

  return columns.map((col, i): ColumnProposal => {
    const alias = `c${i}`;
    const nonNull = stats.get(`${alias}_n`) ?? 0;
    const share = (key: string): number => (nonNull > 0 ? (stats.get(`${alias}_${key}`) ?? 0) / nonNull : 0);
    const matches = PII_TYPES.map((type): PiiMatch => {
      const m: PiiMatch = { type, share: share(type) };
      if (stats.has(`${alias}_in_${type}`)) m.embedded = share(`in_${type}`);
      return m;
    })
      .filter((m) => m.share > 0 || (m.embedded ?? 0) > 0)
      .sort((a, b) => b.share - a.share || (b.embedded ?? 0) - (a.embedded ?? 0));
    const tags = new Set<ColumnTag>();
    const total = share("any");
    for (const m of matches) {
      const hinted = m.type === "person_name" && nameSuggestsPii(col.name, m.type);
      const needed = hinted ? Math.min(minShare, NAME_HINT_SHARE) : minShare;
      const mixed = total >= minShare && m.share >= MIXED_MIN_SHARE;
      // Free text that mostly carries identifiers ("联系电话：138…") is as identifying as the identifiers.
      if (m.share >= needed || mixed || (m.embedded ?? 0) >= minShare) tags.add(`pii:${m.type}`);
    }
    // A resident ID encodes birth date, sex and district, but its own tag is the stricter one.
    if (!tags.has("pii:resident_id") && (nameSuggestsQuasi(col.name) || share("quasi") >= minShare)) tags.add("quasi");
    if (nameSuggestsSensitive(col.name) || share("sensitive") >= minShare) tags.add("sensitive");
    return { column: col.name, type: col.type, matches, tags: [...tags] };
  });
}

async function describeTable(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  let reader;
  try {
    reader = await conn.runAndReadAll(`DESCRIBE ${quoteIdent(table)}`);
  } catch (err) {
    throw invalid("PII_TABLE_NOT_FOUND", `table '${table}' does not exist in the vault; ingest it first`, {
      table,
      reason: err instanceof Error ? err.message.split("\n")[0] : String(err),
    });
  }
  return reader.getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * Runs the one aggregate query. Each value gets at most one PII type (a CASE in precedence
 * order; the detectors are built to be nearly disjoint), so per-type shares add up to the
 * share of values that are PII of any type. The sample is unnested into one (column, value)
 * row per cell, so the detectors are written, bound and planned once for all columns (a
 * query with one copy per column spent most of its time in the planner); GROUP BY gives
 * each column its counts.
 */
async function measure(
  conn: DuckDBConnection,
  table: string,
  cols: { name: string; alias: string; text: boolean }[],
  sampleRows: number,
): Promise<Map<string, number>> {
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${quoteIdent(table)}`)).getRows()[0][0]);
  // A hash of the row id picks the sample: deterministic (the same table always gets the same
  // proposal), spread over the whole table, and without the cost of maintaining a reservoir.
  const every = Math.ceil(rows / Math.floor(sampleRows));
  const sample = every > 1 ? ` WHERE hash(rowid) % ${every} = 0` : "";
  // Parallel unnests zip: cell i of a row goes with column index i and its text flag.
  const values = cols.map((c) => `NULLIF(trim(CAST(${quoteIdent(c.name)} AS VARCHAR)), '')`).join(", ");
  const projected =
    `unnest([${values}]) AS v, unnest([${cols.map((_, i) => i).join(", ")}]) AS col, ` +
    `unnest([${cols.map((c) => String(c.text)).join(", ")}]) AS text`;
  // Separator-free form once per value: the card check uses it 19 times.
  const whens = PRECEDENCE.map((t) => `WHEN ${piiPredicateSql(t, "v", "v_d")} THEN '${t}'`).join(" ");
  const aggregates = ["col", "count(v) AS n", "count(v_t) AS any"];
  for (const t of PII_TYPES) aggregates.push(`count_if(v_t = '${t}') AS "${t}"`);
  // Numbers cannot hide an identifier inside text; only VARCHAR columns get the embedded scan
  // (a CASE branch is evaluated only over the rows that reach it).
  for (const t of PII_TYPES) {
    const embedded = embeddedPiiSql(t, "v", { type: "v_t", plain: "v_d" });
    if (embedded !== undefined) aggregates.push(`count_if(CASE WHEN text THEN ${embedded} ELSE false END) AS "in_${t}"`);
  }
  aggregates.push(`count_if(${quasiContentSql("v")}) AS quasi`, `count_if(${sensitiveContentSql("v")}) AS sensitive`);
  const sql =
    `WITH s AS (SELECT ${projected} FROM ${quoteIdent(table)}${sample}), ` +
    `n AS MATERIALIZED (SELECT col, text, v, ${withoutSeparatorsSql("v")} AS v_d FROM s), ` +
    `k AS MATERIALIZED (SELECT col, text, v, v_d, CASE ${whens} END AS v_t FROM n) ` +
    `SELECT ${aggregates.join(", ")} FROM k GROUP BY col`;
  const reader = await conn.runAndReadAll(sql);
  const names = reader.columnNames();
  const out = new Map<string, number>();
  for (const row of reader.getRows()) {
    const c = cols[Number(row[0])];
    names.forEach((name, i) => {
      // Embedded shares exist only for text columns, as in the proposal's evidence.
      if (i === 0 || (name.startsWith("in_") && !c.text)) return;
      out.set(`${c.alias}_${name}`, Number(row[i] ?? 0));
    });
  }
  return out;
}

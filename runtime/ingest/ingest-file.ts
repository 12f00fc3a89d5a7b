import { stat } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { invalid } from "../../policies/errors.js";
import { loadError } from "./duckdb-errors.js";
import { detectFormat, type IngestFormat } from "./format.js";
import { checkJsonKeys } from "./json-keys.js";
import { scanSource, type SourceScan } from "./source-scan.js";

/** One column of an ingested table. */
export interface IngestColumn {
  name: string;
  /** DuckDB type name. */
  type: string;
}

/** What `ingestFile` loaded. */
export interface IngestResult {
  table: string;
  rowCount: number;
  columns: IngestColumn[];
  format: IngestFormat;
  /** Hex SM3 of the source file. */
  sm3: string;
  bytes: number;
}

export interface IngestOptions {
  file: string;
  table: string;
  format?: IngestFormat;
  /** Bytes of the source read so far, and the file's size. */
  onProgress?: (done: number, total: number) => void;
  /** Called when the structure check is over and DuckDB's typed load begins. */
  onLoad?: () => void;
}

/** Quotes a DuckDB identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a DuckDB string literal. */
function quoteLiteral(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Loads `file` into table `table` of the vault connection, strictly: the file is scanned
 * once (SM3, UTF-8, CSV structure), then read by DuckDB's own typed reader inside one
 * transaction, so the table afterwards is either the complete new data or what it was before.
 * A header-only CSV/TSV is accepted and yields an empty table of VARCHAR columns.
 */
export async function ingestFile(conn: DuckDBConnection, opts: IngestOptions): Promise<IngestResult> {
  const { file, table } = opts;
  if (table.length === 0 || table.includes("\0")) {
    throw invalid("INGEST_BAD_TABLE_NAME", "the table name must be a non-empty string without NUL characters", { table });
  }
  const size = await fileSize(file);
  const format = opts.format ?? detectFormat(file);
  const scan = await scanSource(file, format, size, opts.onProgress);
  if (format === "json" || format === "ndjson") await checkJsonKeys(conn, file, format);
  const reader = readerSql(file, format, scan);
  opts.onLoad?.();
  try {
    await conn.run("BEGIN TRANSACTION");
    await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM ${reader}`);
    const columns = await describe(conn, table);
    if (columns.length === 0) {
      throw invalid("INGEST_EMPTY_FILE", `${file}: holds no columns; ingest a file with at least one column`, { file });
    }
    const rowCount = await countRows(conn, table);
    if (scan.csv !== undefined && rowCount !== scan.csv.records) {
      // The reader and our scan must agree on every record; if not, something was dropped.
      throw invalid(
        "INGEST_PARSE_ERROR",
        `${file}: the reader found ${rowCount} rows but the file has ${scan.csv.records} records; check for stray line breaks`,
        { file, rows: rowCount, records: scan.csv.records },
      );
    }
    await conn.run("COMMIT");
    return { table, rowCount, columns, format, sm3: scan.sm3, bytes: scan.bytes };
  } catch (err) {
    await conn.run("ROLLBACK").catch(() => undefined);
    throw loadError(err, file);
  }
}

/** Size of `file`; the ShuyuError for a missing, non-regular or empty file. */
async function fileSize(file: string): Promise<number> {
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw invalid("INGEST_FILE_NOT_FOUND", `${file}: no such file; check the path`, { file });
    }
    throw invalid("INGEST_FILE_UNREADABLE", `${file}: cannot be read (${code ?? String(err)}); check its permissions`, { file });
  }
  if (!st.isFile()) {
    throw invalid("INGEST_NOT_A_FILE", `${file}: is not a regular file (a directory?); give the path of one data file`, { file });
  }
  if (st.size === 0) throw invalid("INGEST_EMPTY_FILE", `${file}: is empty (0 bytes); nothing to ingest`, { file });
  return st.size;
}

/** The DuckDB table-function call that reads `file`. */
function readerSql(file: string, format: IngestFormat, scan: SourceScan): string {
  const path = quoteLiteral(file);
  switch (format) {
    case "csv":
    case "tsv": {
      const dialect =
        format === "csv" ? `delim=',', quote='"', escape='"'` : `delim='\t', quote='', escape=''`;
      const textCols = scan.csv?.codeLikeColumns ?? [];
      const types =
        textCols.length > 0 ? `, types={${textCols.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(", ")}}` : "";
      // sample_size=-1: type detection sees every row, so a late odd value cannot fail the load.
      return (
        `read_csv(${path}, header=true, ${dialect}, comment='', skip=0, encoding='utf-8', ` +
        `strict_mode=true, null_padding=false, ignore_errors=false, normalize_names=false, ` +
        `sample_size=-1, auto_detect=true${types})`
      );
    }
    case "parquet":
      return `read_parquet(${path})`;
    case "json":
      // records='true': every value must be an object, so `[1, 2]` or `[]` is refused, not loaded as one "json" column.
      return `read_json(${path}, format='array', records='true', sample_size=-1)`;
    case "ndjson":
      return `read_json(${path}, format='newline_delimited', records='true', sample_size=-1)`;
  }
}

async function describe(conn: DuckDBConnection, table: string): Promise<IngestColumn[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${quoteIdent(table)}`);
  return reader.getRowObjects().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

async function countRows(conn: DuckDBConnection, table: string): Promise<number> {
  const reader = await conn.runAndReadAll(`SELECT count(*) AS n FROM ${quoteIdent(table)}`);
  return Number(reader.getRows()[0][0]);
}

import { stat } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";
import { diskFull, invalid, isDiskFull } from "../../policies/errors.js";
import { checkJsonFile } from "../../policies/limits.js";
import { maxColumns } from "./csv-structure.js";
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
 * Bytes of a delimited file checked before its typed load starts alongside the rest of the scan:
 * enough records (here ~25 k, more than DuckDB's type sniff reads) that the code-like columns seen
 * so far are nearly always the whole file's; when they are not, the load is redone with the whole
 * file's (never committed in between).
 */
const EARLY_TYPES_BYTES = 4 << 20;

/**
 * Loads `file` into table `table` of the vault connection, strictly: the file is scanned
 * once (SM3, UTF-8, CSV structure) and read by DuckDB's own typed reader inside one
 * transaction, so the table afterwards is either the complete new data or what it was before.
 * CSV, TSV and Parquet are loaded while the scan runs (DuckDB reads on its own threads) but
 * committed only once the scan has passed; JSON is scanned first (its reader must not see a
 * deeply nested file). A header-only CSV/TSV is accepted and yields an empty table of VARCHAR columns.
 */
export async function ingestFile(conn: DuckDBConnection, opts: IngestOptions): Promise<IngestResult> {
  const { file, table } = opts;
  if (table.length === 0 || table.includes("\0")) {
    throw invalid("INGEST_BAD_TABLE_NAME", "the table name must be a non-empty string without NUL characters", { table });
  }
  const size = await fileSize(file);
  const format = opts.format ?? detectFormat(file);
  if (format !== "json" && format !== "ndjson") return loadWhileScanning(conn, opts, format, size);
  const scan = await scanSource(file, format, size, opts.onProgress);
  // Checked before DuckDB's reader, which recurses (and crashed) on deeply nested values.
  checkJsonFile(file, file, { maxDepth: 32, maxWidth: Number.POSITIVE_INFINITY });
  await checkJsonKeys(conn, file, format);
  opts.onLoad?.();
  return loadScanned(conn, file, table, format, scan);
}

/**
 * Starts DuckDB's typed load once the scan has seen EARLY_TYPES_BYTES (at once for Parquet,
 * whose types are the file's own) and lets the scan finish meanwhile. A scan that fails
 * stops the load and rolls it back: its error is the one reported, as when the scan ran first.
 */
async function loadWhileScanning(conn: DuckDBConnection, opts: IngestOptions, format: IngestFormat, size: number): Promise<IngestResult> {
  const { file, table } = opts;
  let onTypes!: (cols: string[]) => void;
  const early = new Promise<{ cols: string[] }>((resolve) => (onTypes = (cols) => resolve({ cols })));
  if (format === "parquet") onTypes([]);
  const scanned = scanSource(file, format, size, opts.onProgress, { bytes: EARLY_TYPES_BYTES, onTypes }).then(
    (scan) => ({ scan }),
    (error: unknown) => ({ error }),
  );
  const first = await Promise.race([early, scanned]);
  if (!("cols" in first)) {
    // The scan ended before the early point (a small file): load in sequence.
    if ("error" in first) throw first.error;
    opts.onLoad?.();
    return loadScanned(conn, file, table, format, first.scan);
  }
  let settled = false;
  let loadFailed = false;
  const loading = conn
    .run("BEGIN TRANSACTION")
    .then(() => createTable(conn, file, table, format, first.cols, "sampled"))
    .catch(() => {
      loadFailed = true;
    })
    .finally(() => {
      settled = true;
    });
  const done = await scanned;
  if ("error" in done) {
    if (!settled) conn.interrupt();
    await loading;
    await rollback(conn);
    throw done.error;
  }
  opts.onLoad?.();
  await loading;
  const { scan } = done;
  const cols = scan.csv?.codeLikeColumns ?? [];
  const sameTypes = cols.length === first.cols.length && cols.every((c, i) => c === first.cols[i]);
  if (loadFailed || !sameTypes) {
    // Redone from scratch with the whole file's types (or, if those were the ones that failed, with
    // types seen over every row), so the outcome is the one a scan-then-load would have had.
    await rollback(conn);
    return loadScanned(conn, file, table, format, scan, sameTypes ? "full" : "sampled");
  }
  return finishLoad(conn, file, table, format, scan);
}

/** Rolls back the open transaction, if any (an interrupt may leave a flag that fails the first try). */
async function rollback(conn: DuckDBConnection): Promise<void> {
  await conn.run("ROLLBACK").catch(() => conn.run("ROLLBACK")).catch(() => undefined);
}

/** The typed load of an already scanned file, inside one transaction (`first`: where the CSV retry ladder starts). */
async function loadScanned(conn: DuckDBConnection, file: string, table: string, format: IngestFormat, scan: SourceScan, first: "sampled" | "full" = "sampled"): Promise<IngestResult> {
  try {
    await conn.run("BEGIN TRANSACTION");
    const cols = scan.csv?.codeLikeColumns ?? [];
    try {
      // Types from DuckDB's bounded sniff (the scan already fixed the text columns): no second full pass.
      await createTable(conn, file, table, format, cols, first);
    } catch (err) {
      if ((format !== "csv" && format !== "tsv") || first === "full") throw err;
      // A late value the sample did not foresee (or a real fault): retry with types seen over
      // every row, which either loads the file or reports its error as before.
      await conn.run("ROLLBACK").catch(() => undefined);
      await conn.run("BEGIN TRANSACTION");
      await createTable(conn, file, table, format, cols, "full");
    }
  } catch (err) {
    throw await loadFailure(conn, err, file);
  }
  return finishLoad(conn, file, table, format, scan);
}

/** Checks the loaded table against the scan and commits; rolls back on any fault. */
async function finishLoad(conn: DuckDBConnection, file: string, table: string, format: IngestFormat, scan: SourceScan): Promise<IngestResult> {
  try {
    const columns = await describe(conn, table);
    if (columns.length > maxColumns()) {
      throw invalid("TOO_WIDE", `${file}: ${columns.length} columns; a dataset has at most ${maxColumns()} (split it into several datasets)`, { file, columns: columns.length, max: maxColumns() });
    }
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
    throw await loadFailure(conn, err, file);
  }
}

/** Rolls back and maps a load fault to its ShuyuError. */
async function loadFailure(conn: DuckDBConnection, err: unknown, file: string): Promise<Error> {
  await conn.run("ROLLBACK").catch(() => undefined);
  // A full disk is not a parse error in the user's file.
  if (isDiskFull(err)) return diskFull(err);
  return loadError(err, file);
}

/** Rows at the head of a delimited file whose text columns are looked at to choose their compression. */
const HEAD_ROWS = 20_480;
/** Share of distinct values in those rows from which a text column is declared FSST. */
const MOSTLY_DISTINCT = 0.5;

/**
 * Creates `table` from the file. Text columns whose head is mostly distinct values (identifiers,
 * names, addresses) are declared with FSST compression, the one DuckDB picks for them anyway:
 * left to choose, it first tries a dictionary of up to a million distinct strings per column,
 * which made the demo's load ~40 % slower with its identifiers as text than as numbers. Other
 * columns (a sex, a diagnosis: few distinct values) keep DuckDB's own choice.
 */
async function createTable(conn: DuckDBConnection, file: string, table: string, format: IngestFormat, textCols: string[], sniff: "sampled" | "full"): Promise<void> {
  const reader = readerSql(file, format, textCols, sniff);
  // With a full sniff, asking for the types first would read the whole file twice.
  if ((format !== "csv" && format !== "tsv") || sniff === "full") {
    await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM ${reader}`);
    return;
  }
  // One look at the head gives each column's type (the reader's, as CREATE TABLE AS would get) and distinct share.
  const names = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjects().map((c) => ({ name: String(c.column_name), type: String(c.column_type) }));
  const text = names.filter((c) => c.type === "VARCHAR");
  const shares = new Map<string, number>();
  if (text.length > 0) {
    const parts = text.map((c, i) => `count(DISTINCT ${quoteIdent(c.name)}) / greatest(count(${quoteIdent(c.name)}), 1) AS s${i}`);
    const head = (await conn.runAndReadAll(`SELECT ${parts.join(", ")} FROM (SELECT * FROM ${reader} LIMIT ${HEAD_ROWS})`)).getRows()[0];
    text.forEach((c, i) => shares.set(c.name, Number(head[i] ?? 0)));
  }
  const defs = names.map((c) => `${quoteIdent(c.name)} ${c.type}${(shares.get(c.name) ?? 0) >= MOSTLY_DISTINCT ? " USING COMPRESSION fsst" : ""}`);
  await conn.run(`CREATE OR REPLACE TABLE ${quoteIdent(table)} (${defs.join(", ")})`);
  await conn.run(`INSERT INTO ${quoteIdent(table)} SELECT * FROM ${reader}`);
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
function readerSql(file: string, format: IngestFormat, textCols: string[], sniff: "sampled" | "full"): string {
  const path = quoteLiteral(file);
  switch (format) {
    case "csv":
    case "tsv": {
      const dialect =
        format === "csv" ? `delim=',', quote='"', escape='"'` : `delim='\t', quote='', escape=''`;
      const types =
        textCols.length > 0 ? `, types={${textCols.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(", ")}}` : "";
      // "full" (sample_size=-1): type detection sees every row, so a late odd value cannot fail the load.
      return (
        `read_csv(${path}, header=true, ${dialect}, comment='', skip=0, encoding='utf-8', ` +
        `strict_mode=true, null_padding=false, ignore_errors=false, normalize_names=false, ` +
        `sample_size=${sniff === "full" ? -1 : 20480}, auto_detect=true${types})`
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

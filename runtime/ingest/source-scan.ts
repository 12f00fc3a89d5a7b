import { createReadStream } from "node:fs";
import { createSm3 } from "../../crypto/sm3.js";
import { invalid } from "../../policies/errors.js";
import { CsvStructureChecker } from "./csv-structure.js";
import type { IngestFormat } from "./format.js";
import { Utf8Checker } from "./utf8-check.js";

/** What one streaming pass over the source file learned. */
export interface SourceScan {
  /** Hex SM3 of the file's bytes. */
  sm3: string;
  bytes: number;
  /** Delimited formats only: header names, data record count and columns to keep as text. */
  csv?: { header: string[]; records: number; codeLikeColumns: string[] };
}

const CHUNK = 1 << 20;

/** A look at a delimited file's code-like columns once its first `bytes` have been checked. */
export interface EarlyTypes {
  bytes: number;
  /** Called at most once, with the code-like columns of the records checked so far. */
  onTypes: (codeLikeColumns: string[]) => void;
}

/**
 * One streaming pass over `file`: SM3 fingerprint, UTF-8 validity (text formats) and
 * delimited-file structure (CSV/TSV), reporting bytes read through `onProgress`.
 */
export async function scanSource(
  file: string,
  format: IngestFormat,
  totalBytes: number,
  onProgress?: (done: number, total: number) => void,
  early?: EarlyTypes,
): Promise<SourceScan> {
  const hash = createSm3();
  const text = format !== "parquet";
  const utf8 = text ? new Utf8Checker() : undefined;
  const csv =
    format === "csv"
      ? new CsvStructureChecker(file, { delimiter: 0x2c, quote: 0x22 })
      : format === "tsv"
        ? new CsvStructureChecker(file, { delimiter: 0x09, quote: -1 })
        : undefined;
  let done = 0;
  let lines = 1; // physical line at the start of the current chunk (for JSON errors)
  let lineStart = 0; // absolute offset where the current line starts
  for await (const raw of createReadStream(file, { highWaterMark: CHUNK })) {
    const chunk = raw as Buffer;
    hash.update(chunk);
    if (utf8 !== undefined) {
      const bad = utf8.feed(chunk);
      if (bad >= 0) {
        const local = Math.max(0, bad - done);
        throw utf8Error(file, bad, csv, chunk.subarray(0, local), lines, lineStart, done);
      }
      // The CSV checker counts its own lines; only JSON needs this count, for its errors.
      if (csv === undefined) {
        for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) {
          lines++;
          lineStart = done + i + 1;
        }
      }
    }
    csv?.feed(chunk);
    done += chunk.length;
    onProgress?.(done, totalBytes);
    if (early !== undefined && csv !== undefined && done >= early.bytes) {
      const cols = csv.codeLikeSoFar();
      if (cols !== undefined) {
        early.onTypes(cols);
        early = undefined;
      }
    }
  }
  if (utf8 !== undefined) {
    const bad = utf8.end();
    if (bad >= 0) throw utf8Error(file, bad, csv, new Uint8Array(0), lines, lineStart, done);
  }
  return { sm3: hash.digest("hex"), bytes: done, csv: csv?.end() };
}

/** The INGEST_INVALID_UTF8 error for the bad byte at absolute offset `offset`. */
function utf8Error(
  file: string,
  offset: number,
  csv: CsvStructureChecker | undefined,
  before: Uint8Array,
  linesAtChunk: number,
  lineStartAtChunk: number,
  chunkStart: number,
): Error {
  let line: number;
  let column: number;
  if (csv !== undefined) {
    // Structural faults before the bad byte are reported first (feed throws them).
    csv.feed(before);
    ({ line, column } = csv.position());
  } else {
    line = linesAtChunk;
    let start = lineStartAtChunk;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === 0x0a) {
        line++;
        start = chunkStart + i + 1;
      }
    }
    column = offset - start + 1; // byte column in the line
  }
  return invalid(
    "INGEST_INVALID_UTF8",
    `${file}: line ${line}: invalid UTF-8 at byte ${offset}; convert the file to UTF-8 (e.g. iconv -f GB18030 -t UTF-8)`,
    { file, line, column, byteOffset: offset },
  );
}

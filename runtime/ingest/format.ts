import { extname } from "node:path";
import { invalid } from "../../policies/errors.js";

/** Source formats the vault ingests. */
export type IngestFormat = "csv" | "tsv" | "parquet" | "json" | "ndjson";

export const INGEST_FORMATS: readonly IngestFormat[] = ["csv", "tsv", "parquet", "json", "ndjson"];

const BY_EXTENSION: Record<string, IngestFormat> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".parquet": "parquet",
  ".json": "json",
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
};

/** The ingest format of `file`, decided by its extension (case-insensitive). */
export function detectFormat(file: string): IngestFormat {
  const ext = extname(file).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (format === undefined) {
    throw invalid(
      "UNSUPPORTED_FORMAT",
      `cannot ingest '${file}': unknown extension '${ext || "(none)"}'; use .csv, .tsv, .parquet, .json, .ndjson or .jsonl, or pass the format explicitly`,
      { file, extension: ext },
    );
  }
  return format;
}

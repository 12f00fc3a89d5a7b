import { ShuyuError, invalid } from "../../policies/errors.js";

/** Turns a DuckDB reader error into a ShuyuError naming the file and, where DuckDB says, the line. */
export function loadError(err: unknown, file: string): ShuyuError {
  if (err instanceof ShuyuError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const lineMatch = /(?:CSV Error on Line|in line):? (\d+)/i.exec(message);
  const line = lineMatch ? Number(lineMatch[1]) : undefined;
  const colMatch = /at byte (\d+) in line/i.exec(message);
  const column = colMatch ? Number(colMatch[1]) + 1 : undefined;
  // First line of DuckDB's message is the fact; the rest is its own (long) advice.
  const first = message.split("\n")[0].replace(/^[A-Za-z ]*Error: /, "");
  if (/not utf-8 encoded|invalid unicode/i.test(message)) {
    return invalid("INGEST_INVALID_UTF8", `${file}${line ? `: line ${line}` : ""}: not valid UTF-8; convert the file to UTF-8`, {
      file,
      line,
      column,
    });
  }
  if (/expected records, but got non-record JSON/.test(message)) {
    return invalid(
      "INGEST_NOT_RECORDS",
      `${file}: holds no JSON objects to load (empty, or values that are not objects); give one object per record`,
      { file },
    );
  }
  // Only reader complaints are the file's fault; binder or catalog errors are ours.
  if (!/^(Invalid Input|Conversion|IO|Invalid) Error/.test(message)) {
    return new ShuyuError("internal", "INGEST_FAILED", `${file}: loading failed: ${first}`, {
      details: { file, reader: message.slice(0, 2000) },
      cause: err,
    });
  }
  return new ShuyuError(
    "invalid",
    "INGEST_PARSE_ERROR",
    `${file}${line ? `: line ${line}` : ""}: cannot be read: ${first}; fix the file and ingest it again`,
    { details: { file, line, column, reader: message.slice(0, 2000) }, cause: err },
  );
}

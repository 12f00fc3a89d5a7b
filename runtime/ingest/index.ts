export { detectFormat, INGEST_FORMATS, type IngestFormat } from "./format.js";
export { ingestFile, quoteIdent, type IngestColumn, type IngestOptions, type IngestResult } from "./ingest-file.js";

import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBDataChunk, type DuckDBConnection, type DuckDBType, BIGINT, BOOLEAN, DOUBLE, INTEGER, VARCHAR } from "@duckdb/node-api";
import type { ColumnarTable, ColumnType, JobError, JobOutputs } from "../../sandbox/index.js";
import { exec, ident, literal } from "../domain/db.js";
import { sm3OfFile } from "../library/materialise.js";

/** What staging recorded of one output part (exact figures: owner-side only). */
export interface StagedPart {
  kind: "table" | "model" | "report" | "index" | "logs" | "error";
  name: string;
  /** vault table holding a staged table */
  table?: string;
  file: string;
  rows?: number;
  bytes: number;
  sm3: string;
}

const DUCK_TYPE: Record<ColumnType, { type: DuckDBType; sql: string; cast?: string }> = {
  int: { type: INTEGER, sql: "INTEGER" },
  double: { type: DOUBLE, sql: "DOUBLE" },
  bigint: { type: BIGINT, sql: "BIGINT" },
  string: { type: VARCHAR, sql: "VARCHAR" },
  bool: { type: BOOLEAN, sql: "BOOLEAN" },
  date: { type: VARCHAR, sql: "VARCHAR", cast: "DATE" },
  timestamp: { type: VARCHAR, sql: "VARCHAR", cast: "TIMESTAMP" },
};

/** The vault table name of a staged output table. */
export function stagedTableName(jobId: string, name: string): string {
  return `stg_${jobId}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Appends a columnar table into a new vault table chunk by chunk (no per-row SQL). */
export async function writeColumnarTable(conn: DuckDBConnection, table: string, t: ColumnarTable): Promise<void> {
  const load = `${table}__load`;
  await exec(conn, `CREATE OR REPLACE TABLE ${ident(load)} (${t.columns.map((c) => `${ident(c.name)} ${DUCK_TYPE[c.type].sql}`).join(", ")})`);
  const appender = await conn.createAppender(load);
  const types = t.columns.map((c) => DUCK_TYPE[c.type].type);
  const CHUNK = 2048;
  for (let start = 0; start < t.rowCount; start += CHUNK) {
    const n = Math.min(CHUNK, t.rowCount - start);
    const chunk = DuckDBDataChunk.create(types, n);
    t.columns.forEach((c, i) => {
      const vals = c.values as ArrayLike<unknown>;
      const slice: unknown[] = new Array(n);
      for (let r = 0; r < n; r++) {
        const v = vals[start + r];
        slice[r] = v === undefined ? null : c.type === "int" && typeof v === "bigint" ? Number(v) : c.type === "bigint" && typeof v === "number" ? BigInt(Math.trunc(v)) : v;
      }
      chunk.setColumnValues(i, slice as never);
    });
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
  appender.closeSync();
  const select = t.columns.map((c) => (DUCK_TYPE[c.type].cast ? `TRY_CAST(${ident(c.name)} AS ${DUCK_TYPE[c.type].cast}) AS ${ident(c.name)}` : ident(c.name))).join(", ");
  await exec(conn, `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT ${select || "*"} FROM ${ident(load)}`);
  await exec(conn, `DROP TABLE ${ident(load)}`);
}

function writeJson(dir: string, name: string, value: unknown): { file: string; bytes: number; sm3: string } {
  const text = JSON.stringify(value);
  const file = join(dir, name);
  writeFileSync(file, text);
  return { file, bytes: Buffer.byteLength(text), sm3: createHash("sm3").update(text).digest("hex") };
}

/**
 * Writes a raw run's outputs to staging (DESIGN §5: staging, not showing): tables into
 * the vault and as Parquet, the rest as JSON, each with its SM3.
 */
export async function stageOutputs(conn: DuckDBConnection, dir: string, jobId: string, outputs: JobOutputs, error?: JobError): Promise<StagedPart[]> {
  mkdirSync(dir, { recursive: true });
  const parts: StagedPart[] = [];
  for (const [name, t] of Object.entries(outputs.tables)) {
    const table = stagedTableName(jobId, name);
    await writeColumnarTable(conn, table, t);
    const file = join(dir, `table-${name.replace(/[^A-Za-z0-9_-]/g, "_")}.parquet`);
    await exec(conn, `COPY ${ident(table)} TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
    const { size } = await import("node:fs").then((fs) => fs.statSync(file));
    parts.push({ kind: "table", name, table, file, rows: t.rowCount, bytes: size, sm3: await sm3OfFile(file) });
  }
  if (outputs.model !== undefined) parts.push({ kind: "model", name: "model", ...writeJson(dir, "model.json", outputs.model) });
  if (outputs.report !== undefined) parts.push({ kind: "report", name: "report", ...writeJson(dir, "report.json", outputs.report) });
  if (outputs.index !== undefined) parts.push({ kind: "index", name: "index", rows: outputs.index.length, ...writeJson(dir, "index.json", outputs.index) });
  if (outputs.logs.length) parts.push({ kind: "logs", name: "logs", rows: outputs.logs.length, ...writeJson(dir, "logs.json", outputs.logs) });
  if (error) parts.push({ kind: "error", name: "error", ...writeJson(dir, "error.json", error) });
  return parts;
}

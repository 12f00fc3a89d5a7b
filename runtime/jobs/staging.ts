import { createHash } from "node:crypto";
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBDataChunk, type DuckDBConnection, type DuckDBType, BIGINT, BOOLEAN, DOUBLE, INTEGER, VARCHAR } from "@duckdb/node-api";
import { ShuyuError } from "../../policies/errors.js";
import { outputNamesProblem, type ColumnarTable, type ColumnType, type JobError, type JobOutputs } from "../../sandbox/index.js";
import { all, exec, ident, literal } from "../domain/db.js";
import type { TableMark } from "../ledger/match.js";
import { sm3OfFile } from "../library/materialise.js";

/** What staging recorded of one output part (exact figures and names: owner-side only). */
export interface StagedPart {
  kind: "table" | "model" | "report" | "index" | "logs" | "error";
  /** The model-chosen name: data, shown only to the operator and reviewers (neutralised). */
  name: string;
  /** `t1`, `t2`, … in staging order: how the part is named wherever the real name may not appear. */
  alias?: string;
  /** vault table holding a staged table */
  table?: string;
  file: string;
  rows?: number;
  bytes: number;
  sm3: string;
  /** Content digest of `table` at staging (checked before release). */
  digest?: string;
  /** Tables only: what the table is, matched against the job's ledger (owner-side; CONTRACT.md "Marks"). */
  mark?: TableMark;
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

/** The vault table name of a staged output table (`name` is the part's alias, never the model's name). */
export function stagedTableName(jobId: string, name: string): string {
  return `stg_${jobId}_${name}`.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Limits staging enforces on the owner side (the worker checked them too, but it ran hostile code). */
export interface StagingLimits {
  parts: number;
  stagedBytes: number;
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
 * the vault and as Parquet, the rest as JSON, each with its SM3. Names are checked before
 * anything is written; files and vault tables are named by alias (`t1`, …), never by the
 * model's names. Throws ShuyuError STAGING_REFUSED / LIMIT_STAGED; the caller then calls
 * `discardStaged` and stages the failure instead.
 */
export async function stageOutputs(conn: DuckDBConnection, dir: string, jobId: string, outputs: JobOutputs, error?: JobError, limits: StagingLimits = { parts: Number.MAX_SAFE_INTEGER, stagedBytes: Number.MAX_SAFE_INTEGER }): Promise<StagedPart[]> {
  const entries = Object.entries(outputs.tables);
  const problem = outputNamesProblem(entries.map(([name, t]) => ({ name, columns: t.columns.map((c) => c.name) })), limits.parts);
  if (problem) throw new ShuyuError("invalid", "STAGING_REFUSED", `the outputs cannot be staged: ${problem}`);
  mkdirSync(dir, { recursive: true });
  const parts: StagedPart[] = [];
  let total = 0;
  const add = (part: StagedPart): void => {
    total += part.bytes;
    if (total > limits.stagedBytes) throw new ShuyuError("invalid", "LIMIT_STAGED", `the outputs take more than ${limits.stagedBytes} bytes staged`);
    parts.push(part);
  };
  const alias = () => `t${parts.length + 1}`;
  for (const [name, t] of entries) {
    const a = alias();
    const table = stagedTableName(jobId, a);
    await writeColumnarTable(conn, table, t);
    const file = join(dir, `table-${a}.parquet`);
    await exec(conn, `COPY ${ident(table)} TO ${literal(file)} (FORMAT parquet, COMPRESSION zstd)`);
    add({ kind: "table", name, alias: a, table, file, rows: t.rowCount, bytes: statSync(file).size, sm3: await sm3OfFile(file) });
  }
  if (outputs.model !== undefined) add({ kind: "model", name: "model", alias: alias(), ...writeJson(dir, "model.json", outputs.model) });
  if (outputs.report !== undefined) add({ kind: "report", name: "report", alias: alias(), ...writeJson(dir, "report.json", outputs.report) });
  if (outputs.index !== undefined) add({ kind: "index", name: "index", alias: alias(), rows: outputs.index.length, ...writeJson(dir, "index.json", outputs.index) });
  if (outputs.logs.length) add({ kind: "logs", name: "logs", alias: alias(), rows: outputs.logs.length, ...writeJson(dir, "logs.json", outputs.logs) });
  if (error) add({ kind: "error", name: "error", alias: alias(), ...writeJson(dir, "error.json", error) });
  return parts;
}

/** Removes whatever a failed staging left: the job's vault tables and its staging directory. */
export async function discardStaged(conn: DuckDBConnection, dir: string, jobId: string): Promise<void> {
  const prefix = stagedTableName(jobId, "");
  const tables = await all<{ table_name: string }>(conn, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND starts_with(table_name, ?)", [prefix]);
  for (const t of tables) await exec(conn, `DROP TABLE IF EXISTS ${ident(t.table_name)}`);
  rmSync(dir, { recursive: true, force: true });
}

/** Stages only a failure description (after a staging error): the message is data, so it is staged, not shown. */
export function stageFailure(dir: string, error: JobError): StagedPart[] {
  mkdirSync(dir, { recursive: true });
  return [{ kind: "error", name: "error", alias: "t1", ...writeJson(dir, "error.json", error) }];
}

import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ShuyuError } from "../../policies/errors.js";
import { SECRET_VARIABLE, SID_COLUMN, subjectIdSql, type GrantedRole, type SubjectKey } from "../../policies/subjects/index.js";
import { exec, ident, literal } from "../domain/db.js";

/** One dataset's slice in a scenario library. */
export interface LibraryDataset {
  dataset: string;
  version: number;
  view: string;
  file: string;
  /** The granted columns: all a model's view exposes. */
  columns: string[];
  rows: number;
  sm3: string;
  /** Role of each granted column; `join-only` where the grant says so. */
  roles: Record<string, GrantedRole>;
  /** The dataset's subject key (its columns need not be granted). */
  subject: SubjectKey;
  /** The hidden subject-id column the file carries besides `columns`. */
  sid: typeof SID_COLUMN;
}

/** manifest.json of an authorized data library (HB 23) or of its sample twin. */
export interface LibraryManifest {
  scenario: string;
  kind: "raw" | "sample";
  createdAt: string;
  datasets: LibraryDataset[];
}

/** Streaming SM3 of a file, hex. */
export async function sm3OfFile(path: string): Promise<string> {
  const h = createHash("sm3");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export interface LibrarySource {
  dataset: string;
  version: number;
  /** A table name or parenthesised SELECT holding the granted columns and the subject-key columns. */
  from: string;
  columns: string[];
  roles: Record<string, GrantedRole>;
  subject: SubjectKey;
  /** Columns of `from` that hold the key's values when they are not `subject.columns` (the sample twin's fake keys). */
  keyFrom?: string[];
}

/**
 * Writes each source as Parquet into `dir` (built in a temp dir and renamed into place,
 * so a library is complete or absent) with SM3 digests and a manifest. Every file gets
 * the granted columns plus `__sid`, the keyed hash of the row's subject key; `secret` is
 * bound into a session variable for the duration and never appears in SQL text.
 */
export async function writeLibrary(
  conn: DuckDBConnection,
  dir: string,
  scenario: string,
  kind: LibraryManifest["kind"],
  sources: LibrarySource[],
  secret: string,
): Promise<LibraryManifest> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const datasets: LibraryDataset[] = [];
  await conn.run(`SET VARIABLE ${SECRET_VARIABLE} = ?`, [secret]);
  try {
    for (const src of sources) {
      const file = `${src.dataset}.parquet`;
      const path = join(tmp, file);
      const sid = subjectIdSql(src.keyFrom ?? src.subject.columns, src.subject.kind, kind);
      await exec(conn, `COPY (SELECT ${src.columns.map(ident).join(", ")}, ${sid} AS ${SID_COLUMN} FROM ${src.from}) TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd)`);
      const reader = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, count_if(${SID_COLUMN} IS NULL)::BIGINT AS missing FROM read_parquet(${literal(path)})`);
      const counts = reader.getRowObjectsJS()[0];
      // A row without a subject id would escape every subject count: refuse the library.
      if (Number(counts.missing) > 0) {
        throw new ShuyuError("internal", "SUBJECT_ID_MISSING", `${Number(counts.missing)} rows of '${src.dataset}' got no subject id; is its subject key empty in those rows?`, {
          details: { dataset: src.dataset, rows: Number(counts.missing) },
        });
      }
      datasets.push({
        dataset: src.dataset, version: src.version, view: src.dataset, file, columns: src.columns, rows: Number(counts.n), sm3: await sm3OfFile(path),
        roles: src.roles, subject: { kind: src.subject.kind, columns: [...src.subject.columns] }, sid: SID_COLUMN,
      });
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await conn.run(`RESET VARIABLE ${SECRET_VARIABLE}`);
  }
  const manifest: LibraryManifest = { scenario, kind, createdAt: new Date().toISOString(), datasets };
  writeFileSync(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return manifest;
}

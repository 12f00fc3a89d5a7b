import { createHash } from "node:crypto";
import { createReadStream, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { exec, ident, literal } from "../domain/db.js";

/** One dataset's slice in a scenario library. */
export interface LibraryDataset {
  dataset: string;
  version: number;
  view: string;
  file: string;
  columns: string[];
  rows: number;
  sm3: string;
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
  /** A SELECT producing exactly the granted columns. */
  select: string;
  columns: string[];
}

/**
 * Writes each source as Parquet into `dir` (built in a temp dir and renamed into place,
 * so a library is complete or absent) with SM3 digests and a manifest.
 */
export async function writeLibrary(conn: DuckDBConnection, dir: string, scenario: string, kind: LibraryManifest["kind"], sources: LibrarySource[]): Promise<LibraryManifest> {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const datasets: LibraryDataset[] = [];
  for (const src of sources) {
    const file = `${src.dataset}.parquet`;
    const path = join(tmp, file);
    await exec(conn, `COPY (${src.select}) TO ${literal(path)} (FORMAT parquet, COMPRESSION zstd)`);
    const reader = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM read_parquet(${literal(path)})`);
    const rows = Number(reader.getRowObjectsJS()[0].n);
    datasets.push({ dataset: src.dataset, version: src.version, view: src.dataset, file, columns: src.columns, rows, sm3: await sm3OfFile(path) });
  }
  const manifest: LibraryManifest = { scenario, kind, createdAt: new Date().toISOString(), datasets };
  writeFileSync(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return manifest;
}

/** SELECT of the granted columns of a vault table. */
export function grantedSelect(table: string, columns: string[]): string {
  return `SELECT ${columns.map(ident).join(", ")} FROM ${ident(table)}`;
}

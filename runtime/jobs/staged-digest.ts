import { existsSync } from "node:fs";
import type { DuckDBConnection } from "@duckdb/node-api";
import { ShuyuError } from "../../policies/errors.js";
import { ident } from "../domain/db.js";
import { sm3OfFile } from "../library/materialise.js";
import type { StagedPart } from "./staging.js";

/**
 * A digest of a vault table's content in row order (SHA-256 over each row's JSON
 * digest, computed inside DuckDB), so an edit of a staged or checked table made
 * outside shuyu is seen before it is released.
 */
export async function tableDigest(conn: DuckDBConnection, table: string): Promise<string> {
  const r = await conn.runAndReadAll(`SELECT sha256(coalesce(string_agg(md5(to_json(t)::VARCHAR), ',' ORDER BY rowid), '')) AS h FROM ${ident(table)} t`);
  return String(r.getRowObjectsJS()[0].h);
}

/** Adds the content digest of each staged table (recorded with the job's outputs). */
export async function withTableDigests(conn: DuckDBConnection, parts: StagedPart[]): Promise<StagedPart[]> {
  const out: StagedPart[] = [];
  for (const p of parts) out.push(p.table ? { ...p, digest: await tableDigest(conn, p.table) } : p);
  return out;
}

/** The typed error for staged data that changed after staging. */
export function stagingTampered(what: string, details: Record<string, unknown>): ShuyuError {
  return new ShuyuError("invalid", "STAGING_TAMPERED", `${what} changed after it was staged; it cannot be released (re-run the job)`, { details });
}

/** Checks staged parts against the digests recorded at staging (files by SM3, vault tables by content digest). */
export async function verifyStaged(conn: DuckDBConnection, parts: StagedPart[]): Promise<void> {
  for (const p of parts) {
    if (!existsSync(p.file) || (await sm3OfFile(p.file)) !== p.sm3) throw stagingTampered(`staged ${p.kind} '${p.name}'`, { part: p.name, file: p.file });
    if (p.table && p.digest !== undefined && (await tableDigest(conn, p.table).catch(() => "")) !== p.digest) {
      throw stagingTampered(`staged table '${p.name}'`, { part: p.name, table: p.table });
    }
  }
}

/** Checks tables recorded with a content digest (the gate's desensitized outputs). */
export async function verifyTables(conn: DuckDBConnection, tables: { output: string; digest?: string }[]): Promise<void> {
  for (const t of tables) {
    if (t.digest !== undefined && (await tableDigest(conn, t.output).catch(() => "")) !== t.digest) throw stagingTampered(`checked table '${t.output}'`, { table: t.output });
  }
}

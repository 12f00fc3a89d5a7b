import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ShuyuError } from "../../policies/errors.js";
import { PG_AUDIT_SCHEMA } from "../scale/pg-audit.js";
import { PG_COMPAT_FUNCTIONS, PgConnection } from "../scale/pg-connection.js";
import type { DomainPaths } from "./layout.js";

/** Which engine holds a domain's control rows: the embedded DuckDB file (default) or a PostgreSQL database. */
export type ControlStoreKind = "duckdb" | "postgresql";

/** A reader and a writer session on a PostgreSQL control store, and how to let them go. */
export interface PgControlStore {
  reader: PgConnection;
  writer: PgConnection;
  close(): void;
}

/** Where a PostgreSQL domain keeps its control URL (it holds a password: 0600 beside the seal key). */
export function controlUrlFile(paths: DomainPaths): string {
  return join(paths.keys, "control.url");
}

/** Reads the PostgreSQL URL of a scale-out domain (SHUYU_CONTROL_URL overrides the file, for hosts that keep secrets elsewhere). */
export function controlUrl(paths: DomainPaths): string {
  const fromEnv = process.env.SHUYU_CONTROL_URL;
  if (fromEnv) return fromEnv;
  const file = controlUrlFile(paths);
  if (!existsSync(file)) throw new ShuyuError("invalid", "CONTROL_URL_MISSING", `this domain's control store is PostgreSQL but ${file} is missing; set SHUYU_CONTROL_URL`);
  return readFileSync(file, "utf8").trim();
}

/**
 * Opens the two sessions of a PostgreSQL control store (the DuckDB store is opened by the
 * Domain itself, unchanged). `create` installs the compatibility functions and the audit table.
 */
export async function openPgControlStore(paths: DomainPaths, opts: { create: boolean }): Promise<PgControlStore> {
  const url = controlUrl(paths);
  const writer = await PgConnection.connect(url, "shuyu-owner");
  let reader: PgConnection;
  try {
    reader = await PgConnection.connect(url, "shuyu-owner-read");
    if (opts.create) await writer.native(PG_COMPAT_FUNCTIONS + PG_AUDIT_SCHEMA);
  } catch (err) {
    await writer.end();
    throw err;
  }
  return { reader, writer, close: () => void Promise.all([reader.end(), writer.end()]) };
}

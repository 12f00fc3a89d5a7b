import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ShuyuError } from "../../policies/errors.js";
import { PG_AUDIT_SCHEMA } from "../scale/pg-audit.js";
import { PG_COMPAT_FUNCTIONS, PgConnection } from "../scale/pg-connection.js";
import { openDuckDB } from "./db.js";
import type { DomainPaths } from "./layout.js";
import type { SqlConnection } from "./sql-connection.js";

/** Which engine holds a domain's control rows: the embedded DuckDB file (default) or a PostgreSQL database. */
export type ControlStoreKind = "duckdb" | "postgresql";

/** A reader and a writer session on the control store, and how to let them go. */
export interface ControlStore {
  kind: ControlStoreKind;
  reader: SqlConnection;
  writer: SqlConnection;
  /** The PostgreSQL sessions themselves (audit appends use PostgreSQL's own SQL). */
  pg?: { reader: PgConnection; writer: PgConnection };
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

/** Opens the control store a domain records in domain.json (`control`), DuckDB when it records none. */
export async function openControlStore(paths: DomainPaths, kind: ControlStoreKind = "duckdb"): Promise<ControlStore> {
  if (kind === "postgresql") {
    const url = controlUrl(paths);
    const writer = await PgConnection.connect(url, "shuyu-owner");
    const reader = await PgConnection.connect(url, "shuyu-owner-read").catch(async (err: unknown) => {
      await writer.end();
      throw err;
    });
    await writer.native(PG_COMPAT_FUNCTIONS + PG_AUDIT_SCHEMA);
    return { kind, reader, writer, pg: { reader, writer }, close: () => void Promise.all([reader.end(), writer.end()]) };
  }
  const db = await openDuckDB(paths.control);
  const reader = await db.connect();
  const writer = await db.connect();
  return {
    kind,
    reader,
    writer,
    close: () => {
      reader.closeSync();
      writer.closeSync();
      db.closeSync();
    },
  };
}

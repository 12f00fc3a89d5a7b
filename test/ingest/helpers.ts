import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

/** A fresh temp dir with a real DuckDB vault file opened in it. */
export async function openTempVault(): Promise<{
  dir: string;
  dbPath: string;
  conn: DuckDBConnection;
  close: () => void;
}> {
  const dir = mkdtempSync(join(tmpdir(), "shuyu-ingest-"));
  const dbPath = join(dir, "vault.duckdb");
  const instance = await DuckDBInstance.create(dbPath);
  const conn = await instance.connect();
  return {
    dir,
    dbPath,
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Rows of `sql` as plain objects with bigints turned into numbers. */
export async function rows(conn: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  const r = await conn.runAndReadAll(sql);
  return r.getRowObjectsJS().map((o) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])),
  );
}

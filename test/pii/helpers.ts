import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

/** A real DuckDB file in a fresh temp dir. */
export async function openTempDb(): Promise<{ dir: string; conn: DuckDBConnection; close: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), "shuyu-pii-"));
  const instance = await DuckDBInstance.create(join(dir, "vault.duckdb"));
  const conn = await instance.connect();
  return {
    dir,
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates `table` with VARCHAR columns `cols` and appends `rows` (null = SQL NULL). */
export async function loadStrings(
  conn: DuckDBConnection,
  table: string,
  cols: string[],
  rows: (string | null)[][],
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TABLE "${table}" (${cols.map((c) => `"${c}" VARCHAR`).join(", ")})`);
  const app = await conn.createAppender(table);
  for (const r of rows) {
    for (const v of r) {
      if (v === null) app.appendNull();
      else app.appendVarchar(v);
    }
    app.endRow();
  }
  app.closeSync();
}

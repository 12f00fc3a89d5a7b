import { DuckDBInstance } from "@duckdb/node-api";
import { diskFull, isDiskFull, ShuyuError } from "../../policies/errors.js";
import { describeHolders, readHolders } from "./lock-info.js";
import type { Params, SqlConnection } from "./sql-connection.js";

export type { Params, SqlConnection } from "./sql-connection.js";

/** Runs a query and returns rows as plain JS objects (BIGINT as bigint, TIMESTAMP as Date). */
export async function all<T = Record<string, unknown>>(conn: SqlConnection, sql: string, params?: Params): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as T[];
}

/** Runs a query and returns its first row, or undefined. */
export async function one<T = Record<string, unknown>>(conn: SqlConnection, sql: string, params?: Params): Promise<T | undefined> {
  return (await all<T>(conn, sql, params))[0];
}

/** Runs a statement for its effect. */
export async function exec(conn: SqlConnection, sql: string, params?: Params): Promise<void> {
  await conn.run(sql, params);
}

/** Runs `fn` inside BEGIN/COMMIT, rolling back on any error. */
export async function transaction<T>(conn: SqlConnection, fn: () => Promise<T>): Promise<T> {
  await conn.run("BEGIN TRANSACTION");
  try {
    const out = await fn();
    await conn.run("COMMIT");
    return out;
  } catch (err) {
    try {
      await conn.run("ROLLBACK");
    } catch {
      // already aborted by DuckDB: nothing to undo
    }
    throw err;
  }
}

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** Quotes an SQL string literal (only for places DuckDB cannot bind, like COPY targets). */
export function literal(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

/**
 * Opens a DuckDB file, waiting while another shuyu process holds its write lock
 * (DuckDB allows one writer process per file).
 */
export async function openDuckDB(path: string, options: Record<string, string> = {}, waitMs = 15_000, domainDir?: string): Promise<DuckDBInstance> {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await DuckDBInstance.create(path, options);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/lock/i.test(msg) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, delay));
        continue;
      }
      if (/lock/i.test(msg)) {
        const holders = domainDir ? readHolders(domainDir).filter((h) => h.pid !== process.pid) : [];
        throw new ShuyuError("busy", "DOMAIN_BUSY", `${path} is held by ${describeHolders(holders)}; try again when it finishes`, {
          cause: err,
          details: { holders: holders.map((h) => ({ pid: h.pid, command: h.command, since: h.since, mode: h.mode, ...(h.url ? { url: h.url } : {}) })) },
        });
      }
      if (isDiskFull(err)) throw diskFull(err, path);
      throw new ShuyuError("invalid", "DOMAIN_UNREADABLE", `cannot open ${path}: ${msg}`, { cause: err });
    }
  }
}

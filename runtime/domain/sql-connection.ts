import type { DuckDBValue } from "@duckdb/node-api";

/** Positional (or, for DuckDB only, named) values bound to `?` placeholders. */
export type Params = DuckDBValue[] | Record<string, DuckDBValue>;

/**
 * What services need of a control-store connection: the part of DuckDB's connection API
 * they call. A DuckDB connection is one as it is; the PostgreSQL store
 * (runtime/scale/pg-connection.ts) implements the same two calls over `pg`, so the
 * services' SQL (DuckDB dialect, mostly standard) runs on either store unchanged.
 * Rows come back as getRowObjectsJS gives them: BIGINT as bigint, DATE/TIMESTAMP as Date (UTC).
 */
export interface SqlConnection {
  run(sql: string, values?: Params): Promise<unknown>;
  runAndReadAll(sql: string, values?: Params): Promise<{ getRowObjectsJS(): Record<string, unknown>[]; getRowsJS(): unknown[][] }>;
}

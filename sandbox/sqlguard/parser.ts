import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { parseDuckJson } from "./ast.js";

/**
 * A DuckDB that only parses: in memory, no directory allowed, external access off
 * and configuration locked, so nothing the parser is fed can touch a file even if
 * a statement slipped past `json_serialize_sql` into execution.
 */
export async function openParserConnection(): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoload_known_extensions: "false",
    autoinstall_known_extensions: "false",
  });
  const conn = await instance.connect();
  for (const sql of [
    "SET temp_directory=''",
    "SET enable_external_access=false",
    "SET allow_community_extensions=false",
    "SET memory_limit='32MB'",
    "SET threads=1",
    "SET lock_configuration=true",
  ]) {
    await conn.run(sql);
  }
  return conn;
}

/** Parses `sql` to DuckDB's JSON AST; the text is bound, never spliced into the statement. */
export async function serializeSql(conn: DuckDBConnection, sql: string): Promise<unknown> {
  const reader = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  const text = reader.getRows()[0]?.[0];
  if (typeof text !== "string") throw new Error("json_serialize_sql returned no text");
  return parseDuckJson(text);
}

import type { DuckDBConnection } from "@duckdb/node-api";
import { invalid } from "../../policies/errors.js";
import { loadError } from "./duckdb-errors.js";

/**
 * Refuses JSON whose records use two keys that differ only in case ("name" and "Name"):
 * DuckDB identifiers are case-insensitive and its reader would silently rename one to "Name_1".
 */
export async function checkJsonKeys(conn: DuckDBConnection, file: string, format: "json" | "ndjson"): Promise<void> {
  const fmt = format === "json" ? "array" : "newline_delimited";
  const path = `'${file.replaceAll("'", "''")}'`;
  let keys: string[];
  try {
    const r = await conn.runAndReadAll(
      `SELECT DISTINCT unnest(json_keys(json)) AS k FROM read_json_objects(${path}, format='${fmt}') WHERE json_type(json) = 'OBJECT'`,
    );
    keys = r.getRows().map((row) => String(row[0]));
  } catch (err) {
    throw loadError(err, file);
  }
  const seen = new Map<string, string>();
  for (const k of keys.sort()) {
    const prev = seen.get(k.toLowerCase());
    if (prev !== undefined) {
      throw invalid("INGEST_DUPLICATE_COLUMN", `${file}: keys '${prev}' and '${k}' differ only in case; rename one of them`, {
        file,
        line: null,
        column: k,
        name: k,
        other: prev,
      });
    }
    seen.set(k.toLowerCase(), k);
  }
}

/** Bulk appends into TEMP tables by data chunks: per-value appender calls cost ~1 µs each, chunks a fraction. */
import { DuckDBDataChunk, type DuckDBType } from "@duckdb/node-api";
import type { CheckContext } from "../context.js";

const CHUNK = 2048;

/** Appends columns (equal lengths) to TEMP table `name` (created by the caller with these types). */
export async function appendColumns(ctx: CheckContext, name: string, types: DuckDBType[], columns: unknown[][]): Promise<void> {
  const n = columns[0]?.length ?? 0;
  if (n === 0) return;
  const app = await ctx.conn.createAppender(name, "main", "temp");
  for (let start = 0; start < n; start += CHUNK) {
    const size = Math.min(CHUNK, n - start);
    const chunk = DuckDBDataChunk.create(types, size);
    columns.forEach((col, j) => chunk.setColumnValues(j, col.slice(start, start + size) as never));
    app.appendDataChunk(chunk);
  }
  app.flushSync();
  app.closeSync();
}

import type { DuckDBConnection } from "@duckdb/node-api";
import { all, exec } from "../domain/db.js";

const WIPE_TABLE = "__purge_wipe";

/**
 * Overwrites the vault's free blocks after a purge. DuckDB frees a dropped table's
 * blocks without clearing them, so its bytes stay in vault.duckdb until reused (measured
 * on 1.5.6: a dropped 2,000-row table's strings were all still in the file after
 * CHECKPOINT and close). Filling every free block with random text and dropping that
 * filler leaves only random bytes where the purged data was. Returns how many blocks
 * were overwritten, or the reason it could not run (another transaction open).
 */
export async function wipeFreeBlocks(conn: DuckDBConnection): Promise<{ ok: true; blocks: number } | { ok: false; reason: string }> {
  try {
    await exec(conn, "CHECKPOINT");
    let blocks = 0;
    for (let round = 0; round < 8; round++) {
      const size = (await all<{ free_blocks: bigint; block_size: bigint }>(conn, "SELECT free_blocks, block_size FROM pragma_database_size() WHERE database_name = current_database()"))[0];
      const free = Number(size?.free_blocks ?? 0);
      if (free === 0) break;
      blocks = Math.max(blocks, free);
      // md5 text does not compress: ~64 bytes per row fill the free blocks.
      const rows = Math.ceil((free * Number(size.block_size)) / 48) + 4096;
      await exec(conn, `CREATE OR REPLACE TABLE ${WIPE_TABLE} AS SELECT md5(range::VARCHAR || random()::VARCHAR) || md5(random()::VARCHAR) AS x FROM range(${rows})`);
      await exec(conn, "CHECKPOINT");
    }
    await exec(conn, `DROP TABLE IF EXISTS ${WIPE_TABLE}`);
    await exec(conn, "CHECKPOINT");
    return { ok: true, blocks };
  } catch (err) {
    await exec(conn, `DROP TABLE IF EXISTS ${WIPE_TABLE}`).catch(() => undefined);
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

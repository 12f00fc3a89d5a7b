import { DOUBLE, DuckDBInstance, INTEGER, LIST, listValue, VARCHAR, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";
import { ShuyuError } from "../../../policies/errors.js";
import { ident, literal } from "../../domain/db.js";
import type { LibraryManifest } from "../../library/materialise.js";
import { batchedSql } from "./batched-sql.js";

/** Below this many waiting calls, each runs on its own prepared statement (lower latency than a batch join). */
const BATCH_FROM = 4;

interface Waiting {
  values: DuckDBValue[];
  resolve: (rows: Record<string, unknown>[]) => void;
  reject: (err: unknown) => void;
}

/**
 * The 核验 fast path: the scenario library's Parquet files loaded into a private
 * in-memory DuckDB, the product's reviewed SQL prepared once. External access is
 * switched off and the configuration locked before any product SQL is prepared, so
 * the statement reads only the library's tables. Calls that arrive together run as
 * one query: the same SQL as a LATERAL subquery over a table of the calls' parameters
 * (DuckDB's per-query cost is ~0.3 ms, a join of 256 calls costs about the same as one).
 */
export class ProductQueryEngine {
  private waiting: Waiting[] = [];
  private running = false;

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly single: DuckDBPreparedStatement,
    private readonly batch: { st: DuckDBPreparedStatement; types: DuckDBType[] } | undefined,
    readonly columns: string[],
  ) {}

  /** Loads the library and prepares `sql` (and its batch form when `paramTypes` are known). */
  static async open(libraryDir: string, manifest: LibraryManifest, sql: string, paramTypes?: ("string" | "number")[]): Promise<ProductQueryEngine> {
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const conn = await db.connect();
    try {
      for (const d of manifest.datasets) {
        // The granted columns only: product SQL never sees the hidden subject id.
        await conn.run(`CREATE TABLE ${ident(d.view)} AS SELECT ${d.columns.map(ident).join(", ")} FROM read_parquet(${literal(`${libraryDir}/${d.file}`)})`);
      }
      await conn.run("SET enable_external_access = false");
      await conn.run("SET lock_configuration = true");
    } catch (err) {
      conn.closeSync();
      db.closeSync();
      throw err;
    }
    let single: DuckDBPreparedStatement;
    try {
      single = await conn.prepare(sql);
    } catch (err) {
      conn.closeSync();
      db.closeSync();
      throw new ShuyuError("invalid", "PRODUCT_SQL_INVALID", `the product's SQL does not prepare over the scenario library: ${(err as Error).message}`);
    }
    const columns = Array.from({ length: single.columnCount }, (_, i) => single.columnName(i));
    let batch: { st: DuckDBPreparedStatement; types: DuckDBType[] } | undefined;
    const text = paramTypes && paramTypes.length === single.parameterCount ? batchedSql(sql, paramTypes.length) : undefined;
    if (text && !columns.includes("__k")) {
      try {
        batch = { st: await conn.prepare(text), types: [LIST(INTEGER), ...paramTypes!.map((t) => LIST(t === "number" ? DOUBLE : VARCHAR))] };
      } catch {
        batch = undefined; // SQL DuckDB cannot decorrelate: every call runs on its own
      }
    }
    return new ProductQueryEngine(db, conn, single, batch, columns);
  }

  /** How many positional parameters the SQL takes. */
  get parameterCount(): number {
    return this.single.parameterCount;
  }

  /** Whether calls can share one query. */
  get batched(): boolean {
    return this.batch !== undefined;
  }

  /** Runs the product SQL for one call's positional values; rows as plain objects. */
  run(values: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ values, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const items = this.waiting.splice(0, 1024);
      if (this.batch && items.length >= BATCH_FROM) {
        try {
          const rows = await this.runBatch(items.map((i) => i.values));
          items.forEach((it, k) => it.resolve(rows[k]));
          continue;
        } catch {
          // one call's bad values fail the whole join: answer each on its own instead
        }
      }
      for (const it of items) {
        try {
          this.single.clearBindings();
          this.single.bind(it.values);
          it.resolve((await this.single.runAndReadAll()).getRowObjectsJS() as Record<string, unknown>[]);
        } catch (err) {
          it.reject(new ShuyuError("invalid", "CALL_FAILED", `the product's query failed for these parameters: ${(err as Error).message.split("\n")[0]}`));
        }
      }
    }
    this.running = false;
  }

  private async runBatch(values: DuckDBValue[][]): Promise<Record<string, unknown>[][]> {
    const b = this.batch!;
    const lists: DuckDBValue[] = [listValue(values.map((_, k) => k))];
    for (let p = 0; p < b.types.length - 1; p++) lists.push(listValue(values.map((v) => v[p])));
    b.st.clearBindings();
    b.st.bind(lists, b.types);
    const rows = (await b.st.runAndReadAll()).getRowObjectsJS() as Record<string, unknown>[];
    const out: Record<string, unknown>[][] = values.map(() => []);
    for (const r of rows) {
      const { __k, ...rest } = r;
      out[Number(__k)].push(rest);
    }
    return out;
  }

  /** Closes the private database. */
  close(): void {
    this.conn.closeSync();
    this.db.closeSync();
  }
}

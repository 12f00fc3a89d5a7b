import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from "@duckdb/node-api";
import { ShuyuError } from "../../../policies/errors.js";
import { ident, literal } from "../../domain/db.js";
import type { LibraryManifest } from "../../library/materialise.js";

/**
 * The 核验 fast path: the scenario library's Parquet files loaded into a private
 * in-memory DuckDB, the product's reviewed SQL prepared once per connection. External
 * access is switched off and the configuration locked before any product SQL is
 * prepared, so the statement can read only the library's tables.
 */
export class ProductQueryEngine {
  private next = 0;
  private readonly busy: Promise<unknown>[];

  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conns: DuckDBConnection[],
    private readonly statements: DuckDBPreparedStatement[],
    readonly columns: string[],
  ) {
    this.busy = conns.map(() => Promise.resolve());
  }

  /** Loads the library and prepares `sql` on `connections` connections. */
  static async open(libraryDir: string, manifest: LibraryManifest, sql: string, connections = 2): Promise<ProductQueryEngine> {
    const db = await DuckDBInstance.create(":memory:", { threads: "1" });
    const setup = await db.connect();
    for (const d of manifest.datasets) {
      await setup.run(`CREATE TABLE ${ident(d.view)} AS SELECT * FROM read_parquet(${literal(`${libraryDir}/${d.file}`)})`);
    }
    await setup.run("SET enable_external_access = false");
    await setup.run("SET lock_configuration = true");
    setup.closeSync();
    const conns: DuckDBConnection[] = [];
    const statements: DuckDBPreparedStatement[] = [];
    try {
      for (let i = 0; i < connections; i++) {
        const c = await db.connect();
        conns.push(c);
        statements.push(await c.prepare(sql));
      }
    } catch (err) {
      for (const c of conns) c.closeSync();
      db.closeSync();
      throw new ShuyuError("invalid", "PRODUCT_SQL_INVALID", `the product's SQL does not prepare over the scenario library: ${(err as Error).message}`);
    }
    const st = statements[0];
    const columns = Array.from({ length: st.columnCount }, (_, i) => st.columnName(i));
    return new ProductQueryEngine(db, conns, statements, columns);
  }

  /** How many positional parameters the SQL takes. */
  get parameterCount(): number {
    return this.statements[0].parameterCount;
  }

  /** Runs the prepared statement with positional values; rows as plain objects. */
  async run(values: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const i = this.next++ % this.statements.length;
    const job = this.busy[i].then(async () => {
      const st = this.statements[i];
      st.clearBindings();
      st.bind(values);
      const reader = await st.runAndReadAll();
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    });
    this.busy[i] = job.catch(() => undefined);
    return job;
  }

  /** Closes the private database. */
  close(): void {
    for (const c of this.conns) c.closeSync();
    this.db.closeSync();
  }
}

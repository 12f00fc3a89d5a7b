import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";
import { tempName } from "../desensitize/host-map.js";
import { inferTableKind } from "./table-kind.js";
import { resolveThresholds } from "./thresholds.js";
import type { CheckInput, OutputTable, RawColumnRef, TableKind, Thresholds } from "./types.js";

/** An output table with its kind decided and every column's tags resolved. */
export interface ResolvedTable extends OutputTable {
  kind: TableKind;
  countColumn?: string;
  tags: Map<string, string[]>;
  /** Columns that neither carry declared tags nor share a name with a raw column. */
  unknown: Set<string>;
}

/**
 * Everything rules share for one run: the input, thresholds, resolved tables, and temp tables
 * built once on demand (dropped by `cleanup`). Rules never create tables themselves except
 * through `tempTable`, so nothing they make outlives the run.
 */
export class CheckContext {
  readonly conn: DuckDBConnection;
  readonly thresholds: Thresholds;
  readonly tables: ResolvedTable[] = [];
  private readonly temps: string[] = [];
  private readonly memo = new Map<string, Promise<unknown>>();

  private constructor(readonly input: CheckInput) {
    this.conn = input.conn;
    this.thresholds = resolveThresholds(input.thresholds);
  }

  /** Builds the context: decides each output table's kind and its columns' tags. */
  static async create(input: CheckInput): Promise<CheckContext> {
    const ctx = new CheckContext(input);
    for (const t of input.outputTables) ctx.tables.push(await ctx.resolve(t));
    return ctx;
  }

  /** Resolves kind and tags of any output table (also used for earlier releases). */
  async resolve(t: OutputTable): Promise<ResolvedTable> {
    const { kind, countColumn } = await inferTableKind(this.conn, t);
    const tags = new Map<string, string[]>();
    const unknown = new Set<string>();
    for (const c of t.columns) {
      // An empty declared list says nothing: such a column is treated like an untraced one.
      if (c.tags && c.tags.length > 0) {
        tags.set(c.name, c.tags);
        continue;
      }
      const fromRaw = this.input.raw.filter((r) => r.column === c.name).flatMap((r) => r.tags);
      tags.set(c.name, [...new Set(fromRaw)]);
      if (!this.input.raw.some((r) => r.column === c.name)) unknown.add(c.name);
    }
    return { ...t, kind, countColumn, tags, unknown };
  }

  /** Rows of a query as plain JS objects. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** A fresh temp table dropped at cleanup: `name` bare (for appenders), `ref` quoted and qualified (for SQL). */
  tempTable(purpose: string): { name: string; ref: string } {
    const name = tempName(purpose);
    this.temps.push(name);
    return { name, ref: `temp.main.${quoteIdent(name)}` };
  }

  /** Runs `build` once per key for this context (shared temp tables). */
  once<T>(key: string, build: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = build();
      this.memo.set(key, p);
    }
    return p;
  }

  /** Raw columns tagged with any pii:* type. */
  identifierColumns(): RawColumnRef[] {
    return this.input.raw.filter((r) => r.tags.some((t) => t.startsWith("pii:")));
  }

  /** True if `table.column` was produced by the gate's keyed pseudonymisation. */
  isPseudonymized(table: string, column: string): boolean {
    return (this.input.pseudonymized ?? []).some((p) => p.table === table && p.column === column);
  }

  /** Row count of a raw table (memoised). */
  rawRows(table: string): Promise<number> {
    return this.once(`rows:${table}`, async () => {
      const r = await this.rows(`SELECT count(*) AS n FROM ${quoteTable(table)}`);
      return Number(r[0].n);
    });
  }

  /** Rows the model was trained on: declared, else the largest raw table read. */
  async trainingRows(): Promise<number> {
    if (this.input.trainingRows !== undefined) return this.input.trainingRows;
    let max = 0;
    for (const t of new Set(this.input.raw.map((r) => r.table))) max = Math.max(max, await this.rawRows(t));
    return max;
  }

  /** Drops every temp table this run created. */
  async cleanup(): Promise<void> {
    for (const t of this.temps) await this.conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(t)}`);
  }
}

import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent, quoteLiteral, quoteTable } from "../desensitize/sql-quote.js";
import { tempName } from "../desensitize/host-map.js";
import { resolveThresholds } from "./thresholds.js";
import type { CheckInput, LedgerColumn, MarkKind, OutputTable, RawColumnRef, TableMark, Thresholds } from "./types.js";

/** The role of an output column, from the ledger's record of where it came from. */
export type OutputRole = "identifier" | "quasi" | "measure" | "sensitive" | "unknown";

/** An output table with its mark resolved and the ledger column behind each output column. */
export interface ResolvedTable extends OutputTable {
  kind: MarkKind;
  mark: TableMark;
  rowColumn: string;
  /** Tags by column name from the raw columns of the same name (used by the raw-value searches). */
  tags: Map<string, string[]>;
  /** Columns that do not share a name with any raw column. */
  unknown: Set<string>;
  /** Output column → its ledger column (and that column's index in the query's result). */
  ledger: Map<string, { column: LedgerColumn; index: number }>;
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

  /** Builds the context: resolves each output table's mark and its columns' ledger sources. */
  static async create(input: CheckInput): Promise<CheckContext> {
    const ctx = new CheckContext(input);
    for (const t of input.outputTables) ctx.tables.push(ctx.resolve(t));
    return ctx;
  }

  /** Resolves mark, row column, tags and ledger columns of an output table. */
  resolve(t: OutputTable): ResolvedTable {
    const rowColumn = t.rowColumn ?? "__out_row";
    const mark: TableMark = t.mark ?? { kind: "computed" };
    const columns = t.columns.filter((c) => c.name !== rowColumn && c.name !== t.sidColumn);
    const tags = new Map<string, string[]>();
    const unknown = new Set<string>();
    for (const c of columns) {
      if (c.tags && c.tags.length > 0) {
        tags.set(c.name, c.tags);
        continue;
      }
      const fromRaw = this.input.raw.filter((r) => r.column === c.name).flatMap((r) => r.tags);
      tags.set(c.name, [...new Set(fromRaw)]);
      if (!this.input.raw.some((r) => r.column === c.name)) unknown.add(c.name);
    }
    const ledger = new Map<string, { column: LedgerColumn; index: number }>();
    let kind = mark.kind;
    if (kind !== "computed") {
      const led = mark.ledger?.columns ?? [];
      for (const c of columns) {
        const name = mark.columns?.[c.name] ?? c.name;
        const index = led.findIndex((x) => x.name === name);
        if (index >= 0) ledger.set(c.name, { column: led[index], index });
      }
      // A mark without its ledger, or an output column the ledger does not hold, cannot be accounted.
      if (!mark.ledger || !mark.map || ledger.size !== columns.length) kind = "computed";
    }
    return { ...t, columns, kind, mark, rowColumn, tags, unknown, ledger };
  }

  /** An output column's role: from the ledger source (group/plain columns), `measure` for aggregates. */
  role(t: ResolvedTable, column: string): OutputRole {
    const l = t.ledger.get(column);
    if (!l) return "unknown";
    if (l.column.role === "aggregate" && l.column.agg !== "single" && l.column.agg !== "values") return "measure";
    const r = l.column.source?.role;
    if (r === "identifier" || r === "join-only") return "identifier";
    if (r === "quasi" || r === "sensitive" || r === "measure") return r;
    return "unknown";
  }

  /** Rows of a query as plain JS objects. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Whether the vault holds a (non-temporary) table of this name: ledger tables exist only for accounted jobs. */
  async tableExists(name: string): Promise<boolean> {
    const r = await this.rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = ${quoteLiteral(name)} AND NOT temporary`);
    return Number(r[0].n) > 0;
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

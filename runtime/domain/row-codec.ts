import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { SqlConnection } from "./sql-connection.js";
import { canonicalJson } from "../canonical-json.js";
import { ShuyuError } from "../../policies/errors.js";
import { writeFileDurable } from "./durable-file.js";

/**
 * The control store's authenticated rows. Each row of a protected table has an
 * HMAC-SM3 (under keys/control.key, 0600, beside the seal key) in `row_macs`, computed
 * over the table name and the row's non-null columns in canonical JSON (so a column
 * added later as NULL keeps old MACs valid). MACs are written by the Domain at commit
 * for every table the transaction wrote, after the table was verified, and checked
 * when the domain opens and when a loader reads a row.
 */
const PROTECTED = new Map<string, string[]>([
  ["meta", ["key"]],
  ["orgs", ["id"]],
  ["accounts", ["id"]],
  ["agreements", ["id"]],
  ["scenarios", ["id"]],
  ["jobs", ["id"]],
  ["egress", ["id"]],
  ["products", ["id"]],
  ["api_products", ["id"]],
  ["datasets", ["id", "version"]],
  ["dataset_meta", ["id"]],
  ["column_tags", ["dataset", "column_name"]],
  ["library_manifests", ["scenario", "kind"]],
  ["dataset_subjects", ["dataset"]],
  ["column_roles", ["dataset", "column_name"]],
]);

/**
 * The tables protected since row MACs exist: every domain with a control key has sealed them.
 * Tables opted in later (protectTable) are sealed once on a domain's first writer open after
 * the opt-in and recorded in meta 'sealed_tables' (itself MAC'd), so older domains keep opening.
 */
const BUILTIN = new Set(PROTECTED.keys());

/** True for the tables every sealed domain has sealed from the start. */
export function isBuiltin(table: string): boolean {
  return BUILTIN.has(table);
}

/** Tables that grow with use: checked by fingerprint at open and by full MAC when a loader reads a row. */
const LAZY = new Set(["jobs", "egress"]);

/**
 * Opts a control table into row authentication: one line at the top level of the module that
 * creates the table (so it runs before any domain opens), naming its primary-key columns;
 * `lazy` for tables that grow with use. Rows already in older domains are sealed as found
 * (audited) at their first writer open.
 */
export function protectTable(table: string, key: string[], opts: { lazy?: boolean } = {}): void {
  PROTECTED.set(table, key);
  if (opts.lazy) LAZY.add(table);
}

/** True for tables whose full MAC check is left to the loaders (and audit verify). */
export function isLazy(table: string): boolean {
  return LAZY.has(table);
}

/** The protected tables and their key columns. */
export function protectedTables(): ReadonlyMap<string, string[]> {
  return PROTECTED;
}

/** The table an INSERT/UPDATE/DELETE statement writes, if it is a protected one. */
export function writtenTable(sql: string): string | undefined {
  const m = /^\s*(?:INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO|UPDATE|DELETE\s+FROM)\s+(?:main\.)?"?([A-Za-z_][A-Za-z0-9_]*)"?/i.exec(sql);
  return m && PROTECTED.has(m[1]) ? m[1] : undefined;
}

/** One row whose MAC does not match. */
export interface TamperedRow {
  table: string;
  key: string;
  problem: "edited" | "inserted" | "deleted";
}

const keyFile = (keysDir: string) => join(keysDir, "control.key");

/** Loads the domain's control key, creating it when `create` (init, or an older domain's first write). */
export function loadControlKey(keysDir: string, create: boolean): { key: Buffer; created: boolean } | undefined {
  const f = keyFile(keysDir);
  if (existsSync(f)) return { key: Buffer.from(readFileSync(f, "utf8").trim(), "hex"), created: false };
  if (!create) return undefined;
  const key = randomBytes(32);
  writeFileDurable(f, key.toString("hex"), 0o600);
  return { key, created: true };
}

/** The SQL dialect of the control store the rows live in. */
export type RowDialect = "duckdb" | "postgresql";

/**
 * Computes and checks row MACs. The key and fingerprint expressions are computed by the store
 * itself (so they always match what it stores); on PostgreSQL they are its JSON functions.
 */
export class RowCodec {
  constructor(
    private readonly key: Buffer,
    private readonly dialect: RowDialect = "duckdb",
  ) {}

  /** SQL for a row's key as stored in row_macs.pk. */
  private pkSql(table: string, alias = "t"): string {
    const cols = (PROTECTED.get(table) ?? []).map((c) => `${alias}."${c}"`).join(", ");
    return this.dialect === "postgresql" ? `json_build_array(${cols})::text` : `to_json([${cols}])::VARCHAR`;
  }

  /** SQL for a row's fingerprint (an md5 of its JSON: a change detector, not the MAC). */
  private fpSql(alias = "t"): string {
    return this.dialect === "postgresql" ? `md5(row_to_json(${alias})::text)` : `md5(to_json(${alias})::VARCHAR)`;
  }

  /** HMAC-SM3 of one row (its non-null columns; the helper columns __pk/__fp/__mac left out). */
  mac(table: string, row: Record<string, unknown>): string {
    const present = Object.fromEntries(Object.entries(row).filter(([k, v]) => v !== null && v !== undefined && !k.startsWith("__")));
    return createHmac("sm3", this.key).update(table).update("\n").update(canonicalJson(present)).digest("hex");
  }

  /** Rows whose fingerprint (DuckDB's md5 of the row's JSON) differs from their seal, with every column. */
  private unsealedSql(table: string): string {
    return `WITH cur AS (SELECT ${this.pkSql(table)} AS __pk, ${this.fpSql()} AS __fp, t.* FROM "${table}" t)
      SELECT cur.*, m.pk IS NULL AS __new FROM cur LEFT JOIN row_macs m ON m.tbl = '${table}' AND m.pk = cur.__pk WHERE m.pk IS NULL OR m.fp <> cur.__fp`;
  }

  private vanishedSql(table: string): string {
    return `SELECT pk FROM row_macs WHERE tbl = '${table}' AND pk NOT IN (SELECT ${this.pkSql(table)} FROM "${table}" t)`;
  }

  private async rows(conn: SqlConnection, sql: string, params?: unknown[], table?: string): Promise<Record<string, unknown>[] | undefined> {
    // A failed statement aborts a PostgreSQL transaction: ask whether the table exists instead of trying.
    if (this.dialect === "postgresql" && table && !(await RowCodec.pgHasTable(conn, table))) return undefined;
    try {
      return (await conn.runAndReadAll(sql, params as never)).getRowObjectsJS() as Record<string, unknown>[];
    } catch {
      return undefined; // table not created (older schema)
    }
  }

  private static async pgHasTable(conn: SqlConnection, table: string): Promise<boolean> {
    const r = (await conn.runAndReadAll("SELECT to_regclass(?) IS NOT NULL AS ok", [`"${table}"`])).getRowObjectsJS()[0];
    return r?.ok === true;
  }

  /**
   * Fast check before a write (and at open for tables that grow): every legitimate change is
   * sealed at its commit, so a row whose fingerprint differs from its seal, a row without a
   * seal, or a seal without its row was changed outside shuyu. Computed inside DuckDB.
   */
  async changedOutside(conn: SqlConnection, table: string): Promise<TamperedRow[]> {
    const changed = await this.rows(conn, this.unsealedSql(table), undefined, table);
    if (!changed) return [];
    const vanished = (await this.rows(conn, this.vanishedSql(table))) ?? [];
    // A fingerprint also changes when a migration adds a (NULL) column: such a row's MAC still holds.
    const macs = new Map((changed.length ? ((await this.rows(conn, "SELECT pk, mac FROM row_macs WHERE tbl = ?", [table])) ?? []) : []).map((m) => [String(m.pk), String(m.mac)]));
    const edited = changed.filter((r) => r.__new || !equalHex(macs.get(String(r.__pk)) ?? "", this.mac(table, r)));
    return [
      ...edited.map((r) => ({ table, key: String(r.__pk), problem: r.__new ? ("inserted" as const) : ("edited" as const) })),
      ...vanished.map((r) => ({ table, key: String(r.pk), problem: "deleted" as const })),
    ];
  }

  /** Full check: every row's HMAC (audit verify, and at open for the small tables). */
  async verifyTable(conn: SqlConnection, table: string): Promise<{ rows: number; tampered: TamperedRow[] }> {
    const rows = await this.rows(conn, `SELECT ${this.pkSql(table)} AS __pk, m.mac AS __mac, t.* FROM "${table}" t LEFT JOIN row_macs m ON m.tbl = '${table}' AND m.pk = ${this.pkSql(table)}`, undefined, table);
    if (!rows) return { rows: 0, tampered: [] };
    const tampered: TamperedRow[] = [];
    for (const r of rows) {
      if (r.__mac === null || r.__mac === undefined) tampered.push({ table, key: String(r.__pk), problem: "inserted" });
      else if (!equalHex(String(r.__mac), this.mac(table, r))) tampered.push({ table, key: String(r.__pk), problem: "edited" });
    }
    for (const v of (await this.rows(conn, this.vanishedSql(table))) ?? []) tampered.push({ table, key: String(v.pk), problem: "deleted" });
    return { rows: rows.length, tampered };
  }

  /** Seals the rows of `table` changed since their last seal (MACs computed only for those) and drops seals of deleted rows. */
  async seal(conn: SqlConnection, table: string): Promise<void> {
    const changed = await this.rows(conn, this.unsealedSql(table), undefined, table);
    if (!changed) return;
    const values: unknown[] = [];
    for (const r of changed) values.push(table, r.__pk, r.__fp, this.mac(table, r));
    for (let i = 0; i < values.length; i += 4 * 250) {
      const chunk = values.slice(i, i + 4 * 250);
      await conn.run(`INSERT OR REPLACE INTO row_macs VALUES ${Array.from({ length: chunk.length / 4 }, () => "(?, ?, ?, ?)").join(", ")}`, chunk as never);
    }
    await conn.run(`DELETE FROM row_macs WHERE tbl = '${table}' AND pk NOT IN (SELECT ${this.pkSql(table)} FROM "${table}" t)`);
  }

  /**
   * Seals only the rows of `table` whose single key column is in `keys` (rows this very
   * transaction inserted): cost grows with the rows written, not with the table, and no row
   * changed outside shuyu is ever sealed by it (those keep failing their MACs).
   */
  async sealKeys(conn: SqlConnection, table: string, keys: string[]): Promise<void> {
    const cols = PROTECTED.get(table) ?? [];
    if (cols.length !== 1) throw new ShuyuError("internal", "SEAL_KEYS_SHAPE", `table '${table}' does not have a single key column`);
    for (let i = 0; i < keys.length; i += 250) {
      const chunk = keys.slice(i, i + 250);
      const rows = await conn.runAndReadAll(
        `SELECT ${this.pkSql(table)} AS __pk, ${this.fpSql()} AS __fp, t.* FROM "${table}" t WHERE t."${cols[0]}" IN (${chunk.map(() => "?").join(", ")})`,
        chunk,
      );
      const values: unknown[] = [];
      for (const r of rows.getRowObjectsJS() as Record<string, unknown>[]) values.push(table, r.__pk, r.__fp, this.mac(table, r));
      if (values.length) await conn.run(`INSERT OR REPLACE INTO row_macs VALUES ${Array.from({ length: values.length / 4 }, () => "(?, ?, ?, ?)").join(", ")}`, values as never);
    }
  }

  /** Throws CONTROL_TAMPERED unless `row` (a full `SELECT *` row of `table`) carries its MAC. */
  async checkRow(conn: SqlConnection, table: string, row: Record<string, unknown>): Promise<void> {
    const keys = PROTECTED.get(table) ?? [];
    const where = keys.map((c) => `t."${c}" IS NOT DISTINCT FROM ?`).join(" AND ");
    const got = (await this.rows(conn, `SELECT ${this.pkSql(table)} AS pk, m.mac FROM "${table}" t LEFT JOIN row_macs m ON m.tbl = '${table}' AND m.pk = ${this.pkSql(table)} WHERE ${where}`, keys.map((c) => row[c]), table))?.[0];
    const key = String(got?.pk ?? canonicalJson(keys.map((c) => row[c])));
    if (!got?.mac || !equalHex(String(got.mac), this.mac(table, row))) throw controlTampered([{ table, key, problem: got?.mac ? "edited" : "inserted" }]);
  }
}

function equalHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** The typed error for control rows changed outside shuyu. */
export function controlTampered(rows: TamperedRow[]): ShuyuError {
  const list = rows.slice(0, 5).map((r) => `${r.table} ${r.key} (${r.problem})`).join(", ");
  return new ShuyuError("invalid", "CONTROL_TAMPERED", `the control store was changed outside shuyu: ${list}${rows.length > 5 ? ` and ${rows.length - 5} more` : ""}; run 'shuyu audit verify' and restore from a backup`, {
    details: { rows: rows.slice(0, 100) },
  });
}

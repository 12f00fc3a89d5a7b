import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
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

/** Opts a control table into row authentication (one line per new table: its primary-key columns). */
export function protectTable(table: string, key: string[]): void {
  PROTECTED.set(table, key);
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

/** Computes and checks row MACs. */
export class RowCodec {
  constructor(private readonly key: Buffer) {}

  /** The key column values of a row, as stored in row_macs.pk. */
  static pk(table: string, row: Record<string, unknown>): string {
    return canonicalJson((PROTECTED.get(table) ?? []).map((c) => row[c]));
  }

  /** HMAC-SM3 of one row. */
  mac(table: string, row: Record<string, unknown>): string {
    const present = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined));
    return createHmac("sm3", this.key).update(table).update("\n").update(canonicalJson(present)).digest("hex");
  }

  private async rowsAndMacs(conn: DuckDBConnection, table: string) {
    const rows = (await conn.runAndReadAll(`SELECT * FROM "${table}"`)).getRowObjectsJS() as Record<string, unknown>[];
    const macs = new Map(((await conn.runAndReadAll("SELECT pk, mac FROM row_macs WHERE tbl = ?", [table])).getRowObjectsJS() as { pk: string; mac: string }[]).map((r) => [r.pk, r.mac]));
    return { rows, macs };
  }

  /** Every row of `table` whose MAC is missing, wrong, or whose MAC has no row. */
  async verifyTable(conn: DuckDBConnection, table: string): Promise<{ rows: number; tampered: TamperedRow[] }> {
    let data;
    try {
      data = await this.rowsAndMacs(conn, table);
    } catch {
      return { rows: 0, tampered: [] }; // table not created (older schema)
    }
    const tampered: TamperedRow[] = [];
    const seen = new Set<string>();
    for (const r of data.rows) {
      const pk = RowCodec.pk(table, r);
      seen.add(pk);
      const want = data.macs.get(pk);
      if (want === undefined) tampered.push({ table, key: pk, problem: "inserted" });
      else if (!equalHex(want, this.mac(table, r))) tampered.push({ table, key: pk, problem: "edited" });
    }
    for (const pk of data.macs.keys()) if (!seen.has(pk)) tampered.push({ table, key: pk, problem: "deleted" });
    return { rows: data.rows.length, tampered };
  }

  /** Writes MACs for the current rows of `table` (only rows that changed) and drops MACs of deleted rows. */
  async seal(conn: DuckDBConnection, table: string): Promise<void> {
    const { rows, macs } = await this.rowsAndMacs(conn, table);
    const seen = new Set<string>();
    for (const r of rows) {
      const pk = RowCodec.pk(table, r);
      seen.add(pk);
      const mac = this.mac(table, r);
      if (macs.get(pk) !== mac) await conn.run("INSERT OR REPLACE INTO row_macs VALUES (?, ?, ?)", [table, pk, mac]);
    }
    for (const pk of macs.keys()) if (!seen.has(pk)) await conn.run("DELETE FROM row_macs WHERE tbl = ? AND pk = ?", [table, pk]);
  }

  /** Throws CONTROL_TAMPERED unless `row` (a full `SELECT *` row of `table`) carries its MAC. */
  async checkRow(conn: DuckDBConnection, table: string, row: Record<string, unknown>): Promise<void> {
    const pk = RowCodec.pk(table, row);
    const got = (await conn.runAndReadAll("SELECT mac FROM row_macs WHERE tbl = ? AND pk = ?", [table, pk])).getRowObjectsJS()[0] as { mac: string } | undefined;
    if (!got || !equalHex(got.mac, this.mac(table, row))) throw controlTampered([{ table, key: pk, problem: got ? "edited" : "inserted" }]);
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

import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { existsSync, readFileSync } from "node:fs";
import { AuditChain, type AuditEntry, type AuditInput } from "../audit/chain.js";
import { ShuyuError } from "../../policies/errors.js";
import { all, exec, one, openDuckDB, transaction } from "./db.js";
import { domainPaths, type DomainPaths } from "./layout.js";

/** An open domain: the owner process's handles on the control store, the vault and the audit chain. */
export class Domain {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly paths: DomainPaths,
    readonly control: DuckDBConnection,
    readonly vault: DuckDBConnection,
    readonly chain: AuditChain,
    private readonly instances: DuckDBInstance[],
    readonly info: DomainInfo,
  ) {}

  /** Opens an existing domain directory. */
  static async open(dir: string | undefined): Promise<Domain> {
    if (!dir) throw new ShuyuError("usage", "NO_DOMAIN", "no domain given: pass --domain DIR or set SHUYU_DOMAIN");
    const paths = domainPaths(dir);
    if (!existsSync(paths.marker)) {
      throw new ShuyuError("invalid", "NOT_A_DOMAIN", `${dir} is not a shuyu domain (no domain.json); create one with 'shuyu init'`);
    }
    const info = JSON.parse(readFileSync(paths.marker, "utf8")) as DomainInfo;
    return Domain.attach(paths, info);
  }

  /** Opens the stores of a domain whose files exist (used by open and init). */
  static async attach(paths: DomainPaths, info: DomainInfo): Promise<Domain> {
    const controlDb = await openDuckDB(paths.control);
    const vaultDb = await openDuckDB(paths.vault);
    const control = await controlDb.connect();
    const vault = await vaultDb.connect();
    const chain = AuditChain.open(paths.audit, { create: true });
    const d = new Domain(paths, control, vault, chain, [controlDb, vaultDb], info);
    return d;
  }

  /**
   * Runs `fn` alone (one mutation at a time in this process) inside a control-store
   * transaction; audit entries appended inside are fsync'd before the commit.
   */
  async mutate<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(() => transaction(this.control, fn));
  }

  /** Runs `fn` after every earlier exclusive call of this process has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends an audit entry and records the new head in the control store. */
  async audit(input: AuditInput): Promise<AuditEntry> {
    const entry = this.chain.append(input);
    await exec(this.control, "INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
    return entry;
  }

  /** The audit head recorded in the control store (detects a cut-off chain). */
  async auditAnchor(): Promise<{ seq: number; hash: string } | undefined> {
    const row = await one<{ value: string }>(this.control, "SELECT value FROM meta WHERE key = 'audit_head'");
    return row ? (JSON.parse(row.value) as { seq: number; hash: string }) : undefined;
  }

  /** Vault tables no catalog entry points at (a crash mid-ingest), dropped on sight. */
  async dropOrphanVaultTables(): Promise<string[]> {
    const known = new Set((await all<{ vault_table: string }>(this.control, "SELECT vault_table FROM datasets WHERE state <> 'purged'")).map((r) => r.vault_table));
    const tables = await all<{ table_name: string }>(this.vault, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'");
    const orphans = tables.map((t) => t.table_name).filter((t) => t.startsWith("ds_") && !known.has(t));
    for (const t of orphans) await exec(this.vault, `DROP TABLE IF EXISTS "${t.replace(/"/g, '""')}"`);
    return orphans;
  }

  /** Closes every handle. */
  close(): void {
    this.control.closeSync();
    this.vault.closeSync();
    for (const i of this.instances) i.closeSync();
    this.chain.close();
  }
}

/** What domain.json records. */
export interface DomainInfo {
  format: "shuyu-domain";
  version: number;
  id: string;
  operator: { id: string; name: string };
  createdAt: string;
}

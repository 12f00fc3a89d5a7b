import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { openControlStore, type ControlStore, type ControlStoreKind } from "./control-store.js";
import type { SqlConnection } from "./sql-connection.js";
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, readFileSync } from "node:fs";
import { AuditChain, GENESIS, readEntries, verifyChain, type AuditEntry, type AuditInput, type VerifyResult } from "../audit/chain.js";
import { appendPgAudit, readPgAudit, verifyPgAudit } from "../scale/pg-audit.js";
import { loadSeal, type Seal } from "./seal.js";
import { ShuyuError } from "../../policies/errors.js";
import { all, exec, one, openDuckDB, transaction } from "./db.js";
import { domainPaths, type DomainPaths } from "./layout.js";
import { migrateControl } from "./migrate.js";

/** One connection to each store. */
interface Connections {
  control: SqlConnection;
  vault: DuckDBConnection;
}

/**
 * An open domain: the owner process's handles on the control store, the vault and the audit chain.
 * Work inside `exclusive`/`mutate` gets the writer connections; everything else the reader
 * connections, so a concurrent read (in `shuyu serve`) never runs inside another request's
 * open transaction and sees only committed state (DuckDB MVCC).
 */
export class Domain {
  private queue: Promise<unknown> = Promise.resolve();
  private seal: Seal | undefined;
  private readonly inWriter = new AsyncLocalStorage<Connections>();

  private constructor(
    readonly paths: DomainPaths,
    private readonly reader: Connections,
    private readonly writer: Connections,
    readonly chain: AuditChain,
    private readonly instances: DuckDBInstance[],
    readonly info: DomainInfo,
    private readonly store: ControlStore,
  ) {}

  /** Which engine holds the control rows (domain.json `control`; DuckDB by default). */
  get controlKind(): ControlStoreKind {
    return this.store.kind;
  }

  /** The control store connection for the current context (writer inside exclusive work). */
  get control(): SqlConnection {
    return (this.inWriter.getStore() ?? this.reader).control;
  }

  /** The vault connection for the current context (writer inside exclusive work). */
  get vault(): DuckDBConnection {
    return (this.inWriter.getStore() ?? this.reader).vault;
  }

  /** Opens an existing domain directory. */
  static async open(dir: string | undefined): Promise<Domain> {
    if (!dir) throw new ShuyuError("usage", "NO_DOMAIN", "no domain given: pass --domain DIR or set SHUYU_DOMAIN");
    const paths = domainPaths(dir);
    if (!existsSync(paths.marker)) {
      throw new ShuyuError("invalid", "NOT_A_DOMAIN", `${dir} is not a shuyu domain (no domain.json); create one with 'shuyu init'`);
    }
    const info = JSON.parse(readFileSync(paths.marker, "utf8")) as DomainInfo;
    const domain = await Domain.attach(paths, info);
    try {
      await migrateControl(domain);
    } catch (err) {
      domain.close();
      throw err;
    }
    return domain;
  }

  /** Opens the stores of a domain whose files exist (used by open and init). */
  static async attach(paths: DomainPaths, info: DomainInfo): Promise<Domain> {
    const store = await openControlStore(paths, info.control?.store);
    const vaultDb = await openDuckDB(paths.vault).catch((err: unknown) => {
      store.close();
      throw err;
    });
    const reader = { control: store.reader, vault: await vaultDb.connect() };
    const writer = { control: store.writer, vault: await vaultDb.connect() };
    const chain = AuditChain.open(paths.audit, { create: true });
    return new Domain(paths, reader, writer, chain, [vaultDb], info, store);
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
    const inWriter = () => this.inWriter.run(this.writer, fn);
    const run = this.queue.then(inWriter, inWriter);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Appends an audit entry and records the new head in the control store. */
  async audit(input: AuditInput): Promise<AuditEntry> {
    // Appends are serialised with every other write; callers outside exclusive work are queued.
    if (!this.inWriter.getStore()) return this.exclusive(() => this.audit(input));
    const pg = this.store.pg;
    if (pg) {
      // PostgreSQL: the entry is a row of the caller's transaction (or of its own).
      return pg.writer.inTx(async () => {
        const entry = await appendPgAudit(pg.writer, input, () => (this.seal ??= loadSeal(this.paths.keys)));
        await exec(this.control, "INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
        return entry;
      });
    }
    const entry = this.chain.append(input);
    await exec(this.control, "INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
    return entry;
  }

  /** The last entry's seq and hash (GENESIS at seq 0 for an empty chain). */
  async auditHead(): Promise<{ seq: number; hash: string }> {
    if (!this.store.pg) return this.chain.last;
    const last = (await this.auditEntries()).at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS };
  }

  /** Every audit entry, from the chain file or (PostgreSQL) the audit_log table; `lenient` skips a torn last line. */
  async auditEntries(opts: { lenient?: boolean } = {}): Promise<AuditEntry[]> {
    const pg = this.store.pg;
    if (pg) return readPgAudit(this.inWriter.getStore() ? pg.writer : pg.reader);
    return readEntries(this.paths.audit, opts);
  }

  /** Verifies the chain against the recorded head (and, on PostgreSQL, its signed checkpoints). */
  async verifyAuditChain(): Promise<VerifyResult> {
    const entries = await this.auditEntries();
    const anchor = await this.auditAnchor();
    return this.store.pg ? verifyPgAudit(entries, anchor, this.paths.keys) : verifyChain(entries, anchor);
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
    for (const c of [this.reader, this.writer]) c.vault.closeSync();
    this.store.close();
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
  /** The control store when it is not the embedded DuckDB file (scale-out: docs/scale-out.md). */
  control?: { store: ControlStoreKind };
}

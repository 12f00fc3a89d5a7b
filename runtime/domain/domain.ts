import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from "@duckdb/node-api";
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { AuditChain, CHECKPOINT_ACTION, GENESIS, scanChain, type AuditEntry, type AuditInput, type ChainMark, type ChainScan } from "../audit/chain.js";
import { appendPgAudit, readPgAudit } from "../scale/pg-audit.js";
import type { PgConnection } from "../scale/pg-connection.js";
import { openPgControlStore, type ControlStoreKind, type PgControlStore } from "./control-store.js";
import type { SqlConnection } from "./sql-connection.js";
import { ShuyuError } from "../../policies/errors.js";
import { DEFAULT_TIME_ZONE, useTimeZone } from "../clock.js";
import { all, exec, one, openDuckDB } from "./db.js";
import { faultPoint } from "./faults.js";
import { INTEGRITY_SCHEMA } from "./integrity-schema.js";
import { domainPaths, type DomainPaths } from "./layout.js";
import { migrateControl } from "./migrate.js";
import { removeLockInfo, writeLockInfo } from "./lock-info.js";
import { applyMoves, PendingFiles } from "./pending-files.js";
import { writePendingRead } from "./pending-reads.js";
import { controlTampered, isBuiltin, isLazy, loadControlKey, protectedTables, RowCodec, writtenTable, type TamperedRow } from "./row-codec.js";
import { signCheckpoint } from "./checkpoint.js";
import type { RecoveryReport } from "./recovery.js";

/** One connection to each store. */
interface Connections {
  control: SqlConnection;
  vault: DuckDBConnection;
}

/** The state of one open control transaction (the write protocol, README.md). */
interface Tx {
  files: PendingFiles;
  /** Protected tables written in this transaction (verified before the first write, MAC'd at commit). */
  dirty: Set<string>;
  /** The chain before this transaction's entries, to cut them off on rollback. */
  mark: ChainMark;
  /** The actions this transaction audited (fault points can name them). */
  actions: string[];
  /** Whether it wrote a control row that decides anything (see Domain.generation). */
  changed: boolean;
}

interface Ctx {
  conns: Connections;
  tx?: Tx;
}

/** How a command opens the domain. */
export interface OpenOptions {
  /** Open the stores read-only (several readers at once; no recovery; reads audited via audit/pending/). */
  readOnly?: boolean;
  /** The command, for the lock record DOMAIN_BUSY quotes. */
  command?: string;
  /** May release the stores while a job runs (a CLI process; `serve` keeps them). */
  detachable?: boolean;
  /** Open even when control rows fail their MACs (only `audit verify`, to report them). */
  allowTampered?: boolean;
  /** How long to wait for another process's lock, ms. */
  waitMs?: number;
}

/** Entries between two signed checkpoints of the chain's head. */
export const CHECKPOINT_EVERY = 32;

/**
 * An open domain: the owner process's handles on the control store, the vault and the audit chain.
 * Work inside `exclusive`/`mutate` gets the writer connections; everything else the reader
 * connections, so a concurrent read (in `shuyu serve`) never runs inside another request's
 * open transaction and sees only committed state (DuckDB MVCC).
 */
export class Domain {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly ctx = new AsyncLocalStorage<Ctx>();
  private reader!: Connections;
  private writer!: Connections;
  private instances: DuckDBInstance[] = [];
  private codec: RowCodec | undefined;
  /** The PostgreSQL sessions when the control store is PostgreSQL (scale-out; docs/scale-out.md). */
  private pg: PgControlStore | undefined;
  /** Protected tables opted in after the built-in ones whose rows this domain has sealed (meta 'sealed_tables'). */
  private sealedLater = new Set<string>();
  chain!: AuditChain;
  /** What the recovery pass did at open (writer opens only). */
  recovery: RecoveryReport | undefined;
  /** Control rows that failed their MACs at open (only with allowTampered). */
  tampered: TamperedRow[] = [];
  /** Rows checked at open. */
  checkedRows = 0;
  private detachedNow = false;
  private gen = 0;
  /** The writer's control connection without the write guard (only `insertSealed` uses it). */
  private rawWriterControl!: DuckDBConnection;

  private constructor(
    readonly paths: DomainPaths,
    readonly info: DomainInfo,
    readonly options: OpenOptions,
  ) {}

  /** True when opened read-only. */
  get readOnly(): boolean {
    return this.options.readOnly === true;
  }

  /** Which engine holds the control rows and the audit chain (domain.json `control`; DuckDB by default). */
  get controlKind(): ControlStoreKind {
    return this.info.control?.store ?? "duckdb";
  }

  /**
   * The control generation: changes whenever this process writes a control row other than
   * bookkeeping (the audit head, row MACs, usage records), and whenever the stores are taken
   * back after being released. A value derived from control rows and tagged with the
   * generation read before deriving it is current while the generation is unchanged (this
   * process is the only writer while it holds the stores: DuckDB admits one writing process).
   */
  get generation(): number {
    return this.gen;
  }

  /** The control store connection for the current context (writer inside exclusive work). */
  get control(): SqlConnection {
    this.assertAttached();
    return (this.ctx.getStore()?.conns ?? this.reader).control;
  }

  /** The vault connection for the current context (writer inside exclusive work). */
  get vault(): DuckDBConnection {
    this.assertAttached();
    return (this.ctx.getStore()?.conns ?? this.reader).vault;
  }

  private assertAttached(): void {
    if (this.detachedNow) throw new ShuyuError("internal", "DOMAIN_DETACHED", "the domain's stores are released while a job runs");
  }

  /** Opens an existing domain directory; a writer open runs the recovery pass first. */
  static async open(dir: string | undefined, opts: OpenOptions = {}): Promise<Domain> {
    if (!dir) throw new ShuyuError("usage", "NO_DOMAIN", "no domain given: pass --domain DIR or set SHUYU_DOMAIN");
    const paths = domainPaths(dir);
    if (!existsSync(paths.marker)) {
      throw new ShuyuError("invalid", "NOT_A_DOMAIN", `${dir} is not a shuyu domain (no domain.json); create one with 'shuyu init'`);
    }
    const info = JSON.parse(readFileSync(paths.marker, "utf8")) as DomainInfo;
    const domain = await Domain.attach(paths, info, opts);
    try {
      // Rows are checked before migration or recovery trusts any of them (the audit head above all).
      await domain.verifyControl();
      // Agreement ends, consents, quotas and deadlines are the domain's calendar days.
      useTimeZone((await one<{ value: string }>(domain.control, "SELECT value FROM meta WHERE key = 'time_zone'").catch(() => undefined))?.value ?? DEFAULT_TIME_ZONE);
      if (!domain.readOnly && domain.tampered.length === 0) {
        await migrateControl(domain);
        const { recover, emptyRecovery } = await import("./recovery.js");
        try {
          domain.recovery = await recover(domain);
        } catch (err) {
          // A pass that cannot finish must not lock everyone out: it says why, and the next open tries again.
          domain.recovery = { ...emptyRecovery(), failed: err instanceof Error ? err.message : String(err) };
        }
      }
    } catch (err) {
      domain.close();
      throw err;
    }
    return domain;
  }

  /** Opens the stores of a domain whose files exist (used by open and init). */
  static async attach(paths: DomainPaths, info: DomainInfo, opts: OpenOptions = {}): Promise<Domain> {
    // Everything the domain writes from here on (DuckDB files, WAL, Parquet, packages) is the owner's alone.
    process.umask(0o077);
    const d = new Domain(paths, info, opts);
    await d.connect();
    return d;
  }

  private async connect(reattachWaitMs?: number): Promise<void> {
    this.gen++; // another process may have written while the stores were released
    const ro = this.readOnly;
    const dbOpts: Record<string, string> = ro ? { access_mode: "READ_ONLY" } : {};
    const waitMs = reattachWaitMs ?? this.options.waitMs ?? (Number(process.env.SHUYU_LOCK_WAIT_MS) >= 0 && process.env.SHUYU_LOCK_WAIT_MS ? Number(process.env.SHUYU_LOCK_WAIT_MS) : 15_000);
    if (this.controlKind === "postgresql") return this.connectPg(dbOpts, waitMs);
    const controlDb = await openDuckDB(this.paths.control, dbOpts, waitMs, this.paths.dir);
    let vaultDb: DuckDBInstance;
    try {
      vaultDb = await openDuckDB(this.paths.vault, dbOpts, waitMs, this.paths.dir);
    } catch (err) {
      controlDb.closeSync();
      throw err;
    }
    this.instances = [controlDb, vaultDb];
    const writerControl = await controlDb.connect();
    if (!ro) await exec(writerControl, INTEGRITY_SCHEMA);
    this.reader = { control: await controlDb.connect(), vault: await vaultDb.connect() };
    this.rawWriterControl = writerControl;
    this.writer = { control: this.guardWrites(writerControl), vault: await vaultDb.connect() };
    this.chain = AuditChain.open(this.paths.audit, { create: !ro, readOnly: ro });
    writeLockInfo(this.paths.dir, { command: this.options.command ?? "library", mode: ro ? "read" : "write" });
    if (!ro) tightenModes(this.paths);
  }

  /** connect() for a PostgreSQL control store: the vault stays a local DuckDB file, the chain an audit_log table. */
  private async connectPg(dbOpts: Record<string, string>, waitMs: number): Promise<void> {
    const ro = this.readOnly;
    const vaultDb = await openDuckDB(this.paths.vault, dbOpts, waitMs, this.paths.dir);
    let pg: PgControlStore;
    try {
      pg = await openPgControlStore(this.paths, { create: !ro });
      if (!ro) await exec(pg.writer, INTEGRITY_SCHEMA);
    } catch (err) {
      vaultDb.closeSync();
      throw err;
    }
    this.pg = pg;
    this.instances = [vaultDb];
    this.reader = { control: pg.reader, vault: await vaultDb.connect() };
    this.writer = { control: this.guardWrites(pg.writer), vault: await vaultDb.connect() };
    // The chain file stays (empty) so marks and truncation are no-ops; entries go to audit_log.
    this.chain = AuditChain.open(this.paths.audit, { create: !ro, readOnly: ro });
    writeLockInfo(this.paths.dir, { command: this.options.command ?? "library", mode: ro ? "read" : "write" });
    if (!ro) tightenModes(this.paths);
  }

  /** Checks every protected control row against its MAC (an older domain's rows are sealed once, audited). */
  private async verifyControl(): Promise<void> {
    const loaded = loadControlKey(this.paths.keys, !this.readOnly);
    if (!loaded) return; // an older domain opened read-only before its first write: nothing to check against
    this.codec = new RowCodec(loaded.key, this.controlKind);
    if (loaded.created) {
      await this.exclusive(async () => {
        for (const t of protectedTables().keys()) await this.codec!.seal(this.writer.control, t).catch(() => undefined);
      });
      this.sealedLater = this.laterTables();
      await this.mutate(async () => {
        await this.recordSealedTables();
        await this.audit({ actor: "system", action: "control.seal", object: "control", details: { reason: "first open of a domain without row MACs: current rows sealed as found" } });
      });
      return;
    }
    // The sealed-table list is read before the scan and checked by it (a meta row, scanned in full).
    await this.loadRowMacs();
    const { rows, tampered } = await this.scanControl(false);
    this.checkedRows = rows;
    this.tampered = tampered;
    if (tampered.length && !this.options.allowTampered) throw controlTampered(tampered);
    if (!this.readOnly && tampered.length === 0) await this.sealNewlyProtected();
  }

  /** Loads an existing control key and the list of sealed tables (a restored domain, before its rows are scanned). */
  async loadRowMacs(): Promise<void> {
    const loaded = loadControlKey(this.paths.keys, false);
    if (!loaded) return;
    this.codec = new RowCodec(loaded.key, this.controlKind);
    const registry = await one<{ value: string }>(this.reader.control, "SELECT value FROM meta WHERE key = 'sealed_tables'").catch(() => undefined);
    this.sealedLater = new Set(registry ? (JSON.parse(registry.value) as string[]) : []);
  }

  /** Protected tables that are not built in (opted in by protectTable). */
  private laterTables(): Set<string> {
    return new Set([...protectedTables().keys()].filter((t) => !isBuiltin(t)));
  }

  /** True when `table`'s rows carry MACs in this domain (built in, or sealed since its opt-in). */
  private sealedHere(table: string): boolean {
    return isBuiltin(table) || this.sealedLater.has(table);
  }

  /** Writes the list of later-protected tables this domain has sealed (in the current transaction). */
  async recordSealedTables(): Promise<void> {
    await this.control.run("INSERT OR REPLACE INTO meta VALUES ('sealed_tables', ?)", [JSON.stringify([...this.sealedLater].sort())]);
  }

  /** Seals, as found and audited, the rows of tables opted in since this domain last opened for writing. */
  private async sealNewlyProtected(): Promise<void> {
    const fresh = [...this.laterTables()].filter((t) => !this.sealedLater.has(t));
    if (fresh.length === 0) return;
    await this.mutate(async () => {
      const found: Record<string, number> = {};
      for (const t of fresh) {
        // A failed statement would abort a PostgreSQL transaction: a missing table is skipped first.
        if (this.pg && !(await one(this.control, "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?", [t]))) continue;
        const n = await one<{ n: number }>(this.control, `SELECT count(*)::INTEGER AS n FROM "${t}"`).catch(() => undefined);
        if (n?.n) {
          await this.codec!.seal(this.control, t);
          found[t] = n.n;
        }
      }
      this.sealedLater = new Set([...this.sealedLater, ...fresh]);
      await this.recordSealedTables();
      if (Object.keys(found).length) {
        await this.audit({ actor: "system", action: "control.seal", object: "control", details: { reason: "tables newly protected by this shuyu: their rows sealed as found", tables: found } });
      }
    });
  }

  /**
   * Checks the protected rows now: every row's MAC with `full` (audit verify); otherwise the
   * full MAC for small tables and fingerprints for the tables that grow (their loaders check MACs).
   */
  async scanControl(full = true): Promise<{ rows: number; tampered: TamperedRow[] }> {
    const tampered: TamperedRow[] = [];
    let rows = 0;
    if (!this.codec) return { rows, tampered };
    for (const t of protectedTables().keys()) {
      if (!this.sealedHere(t)) continue; // opted in after this domain's last writer open: sealed at the next
      if (!full && isLazy(t)) {
        tampered.push(...(await this.codec.changedOutside(this.reader.control, t)));
        continue;
      }
      const r = await this.codec.verifyTable(this.reader.control, t);
      rows += r.rows;
      tampered.push(...r.tampered);
    }
    return { rows, tampered };
  }

  /** Creates the control key of a new domain and MACs every protected row from now on (init). */
  initRowMacs(): void {
    this.codec = new RowCodec(loadControlKey(this.paths.keys, true)!.key, this.controlKind);
    this.sealedLater = this.laterTables();
  }

  /** Throws CONTROL_TAMPERED unless `row` (a `SELECT *` row of a protected table) carries its MAC. */
  async checkRow<T>(table: string, row: T): Promise<T> {
    if (!this.codec || row === undefined || row === null || !this.sealedHere(table)) return row;
    const tx = this.ctx.getStore()?.tx;
    if (tx?.dirty.has(table)) return row; // written (after verification) in this very transaction
    await this.codec.checkRow(this.control, table, row as Record<string, unknown>);
    return row;
  }

  /** Wraps the writer's control connection so writes to protected tables are verified first and MAC'd at commit. */
  private guardWrites<C extends SqlConnection>(conn: C): C {
    const before = async (sql: unknown): Promise<string | undefined> => {
      const table = typeof sql === "string" ? writtenTable(sql) : undefined;
      if (!table || !this.codec || !this.sealedHere(table)) return undefined;
      const tx = this.ctx.getStore()?.tx;
      if (tx?.dirty.has(table)) return undefined;
      const changed = await this.codec.changedOutside(conn, table);
      if (changed.length) throw controlTampered(changed);
      if (tx) {
        tx.dirty.add(table);
        return undefined;
      }
      return table; // autocommit write: seal right after
    };
    const wrap = (name: "run" | "runAndReadAll") =>
      async (sql: string, ...rest: unknown[]) => {
        const changes = typeof sql !== "string" || changesDecisions(sql);
        const tx = this.ctx.getStore()?.tx;
        // Bumped before the write too, so nothing derived while it is in flight stays current.
        if (changes) {
          this.gen++;
          if (tx) tx.changed = true;
        }
        try {
          const sealAfter = await before(sql);
          const out = await (conn[name] as (...a: unknown[]) => Promise<unknown>).call(conn, sql, ...rest);
          if (sealAfter) await this.codec!.seal(conn, sealAfter);
          return out;
        } finally {
          if (changes && !tx) this.gen++;
        }
      };
    const run = wrap("run");
    const runAndReadAll = wrap("runAndReadAll");
    return new Proxy(conn, {
      get(target, prop) {
        if (prop === "run") return run;
        if (prop === "runAndReadAll") return runAndReadAll;
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /**
   * Runs `fn` alone (one mutation at a time in this process) inside a control-store
   * transaction following the write protocol: files through `pendingPath`, audit entries
   * fsync'd before the commit and cut off again if it fails, renames after it.
   */
  async mutate<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(() => this.transact(fn));
  }

  private async transact<T>(fn: () => Promise<T>): Promise<T> {
    const store = this.ctx.getStore()!;
    if (store.tx) return fn(); // already inside one
    if (this.readOnly) throw new ShuyuError("internal", "DOMAIN_READ_ONLY", "this command opened the domain read-only and cannot change it");
    const tx: Tx = { files: new PendingFiles(randomBytes(8).toString("hex")), dirty: new Set(), mark: this.chain.position, actions: [], changed: false };
    const control = this.writer.control;
    await control.run("BEGIN TRANSACTION");
    let out: T;
    try {
      out = await this.ctx.run({ conns: store.conns, tx }, fn);
      faultPoint("tx.before-commit", tx.actions);
      tx.files.sync();
      if (tx.files.moves.length) {
        await control.run("INSERT INTO intents VALUES (?, ?, now())", [tx.files.intent, JSON.stringify(tx.files.moves)]);
      }
      for (const t of tx.dirty) await this.codec?.seal(control, t);
      await control.run("COMMIT");
      if (tx.changed) this.gen++;
    } catch (err) {
      await control.run("ROLLBACK").catch(() => undefined);
      if (tx.changed) this.gen++;
      this.chain.truncateTo(tx.mark);
      tx.files.discard();
      throw err;
    }
    faultPoint("tx.after-commit", tx.actions);
    if (tx.files.moves.length) {
      applyMoves(tx.files.moves, tx.files.intent);
      await control.run("DELETE FROM intents WHERE id = ?", [tx.files.intent]).catch(() => undefined);
    }
    // (PostgreSQL signs its checkpoints inside the appending transaction: appendPgAudit.)
    if (!this.pg && this.chain.last.seq - this.chain.lastCheckpoint >= CHECKPOINT_EVERY) await this.checkpoint().catch(() => undefined);
    return out;
  }

  /**
   * The temporary path to write `final` under in this transaction; it is renamed into
   * place after the commit (or by recovery), and removed if the transaction fails.
   */
  pendingPath(final: string): string {
    const tx = this.ctx.getStore()?.tx;
    if (!tx) throw new ShuyuError("internal", "NO_TRANSACTION", `files are written inside mutate(): ${final}`);
    return tx.files.path(final);
  }

  /**
   * Inserts new rows (fresh keys: a plain INSERT fails on an existing one) into a protected
   * table with a single key column and seals just those rows, inside the current transaction.
   * For tables that only grow (usage records): the write guard would verify and re-seal the
   * whole table per transaction. Rows changed outside shuyu are left unsealed, so they are still
   * found at open (lazy tables) and by audit verify.
   */
  async insertSealed(table: string, columns: number, rows: DuckDBValue[][], keyIndex = 0): Promise<void> {
    const tx = this.ctx.getStore()?.tx;
    if (!tx) throw new ShuyuError("internal", "NO_TRANSACTION", `insertSealed(${table}) runs inside mutate()`);
    if (!/^[a-z_]+$/.test(table)) throw new ShuyuError("internal", "BAD_TABLE", `bad table name ${table}`);
    // PostgreSQL: through the guarded writer (sealed at commit by the dialect-aware codec).
    const conn = this.pg ? this.control : this.rawWriterControl;
    const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
    for (let i = 0; i < rows.length; i += 250) {
      const chunk = rows.slice(i, i + 250);
      await conn.run(`INSERT INTO ${table} VALUES ${chunk.map(() => row).join(", ")}`, chunk.flat());
    }
    if (!this.pg && this.codec && this.sealedHere(table)) await this.codec.sealKeys(conn, table, rows.map((r) => String(r[keyIndex])));
  }

  /** Runs `fn` on the reader connections (committed state only), whatever context it is called from. */
  committed<T>(fn: () => Promise<T>): Promise<T> {
    this.assertAttached();
    return this.ctx.run({ conns: this.reader }, fn);
  }

  /** Runs `fn` after every earlier exclusive call of this process has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const existing = this.ctx.getStore();
    if (existing?.conns === this.writer && existing) return fn();
    const inWriter = () => this.ctx.run({ conns: this.writer }, fn);
    const run = this.queue.then(inWriter, inWriter);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Releases the stores while `fn` runs (a CLI job's sandbox run) so other commands can
   * use the domain, then takes them back. In `serve` (not detachable) `fn` just runs.
   */
  async detached<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.options.detachable || this.ctx.getStore()) return fn();
    await this.queue;
    this.closeStores();
    this.detachedNow = true;
    try {
      return await fn();
    } finally {
      this.detachedNow = false;
      // The job's outcome must be staged: wait out other commands far longer than a fresh open would.
      await this.connect(10 * 60_000);
    }
  }

  /** Appends an audit entry and records the new head in the control store, in the current (or its own) transaction. */
  async audit(input: AuditInput): Promise<AuditEntry> {
    if (this.readOnly) return writePendingRead(this.paths, input);
    const store = this.ctx.getStore();
    if (!store?.tx) return this.exclusive(() => this.transact(() => this.audit(input)));
    const entry = this.pg ? await appendPgAudit(this.pgWriter(), input, this.checkpointOf) : this.chain.append(input);
    store.tx.actions.push(input.action);
    faultPoint("audit.after-append", [input.action]);
    await exec(this.control, "INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
    return entry;
  }

  /**
   * Appends an audit entry whose fsync is shared with other grouped appends and runs off the
   * event loop (AuditChain.appendGrouped). Resolves once the entry is durable and the head is
   * recorded; the writer queue is held only for the write, not for the fsync.
   */
  async auditGrouped(input: AuditInput, opts: { withHead?: () => Promise<void> } = {}): Promise<AuditEntry> {
    // PostgreSQL: the entry is a row of its own transaction, with what belongs to it; the server groups the commits' WAL flushes.
    if (this.pg) {
      return this.mutate(async () => {
        const entry = await this.audit(input);
        await opts.withHead?.();
        return entry;
      });
    }
    const { entry, durable } = await this.exclusive(async () => this.chain.appendGrouped(input));
    await durable;
    // The control store learns a head only once it is on disk, and never an older one than it
    // has (read inside the transaction: a rolled-back action may have cut the chain since).
    // `withHead` writes what belongs with the entry (the calls' usage records) in the same transaction.
    await this.mutate(async () => {
      await opts.withHead?.();
      const recorded = await this.auditAnchor();
      if (recorded && recorded.seq >= entry.seq) return;
      // Written past the write guard and sealed by key: this runs once per batch of API calls, and
      // the guard's whole-table check and re-seal of meta would double the transaction. A meta row
      // changed outside shuyu is not sealed by it, so it is still found at open and by audit verify.
      const tx = this.ctx.getStore()?.tx;
      if (tx?.dirty.has("meta")) await exec(this.control, "INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
      else {
        await this.rawWriterControl.run("INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
        if (this.codec && this.sealedHere("meta")) await this.codec.sealKeys(this.rawWriterControl, "meta", ["audit_head"]);
      }
    });
    return entry;
  }


  /** Appends a checkpoint: the seal's signature over the current head (so a rewritten chain no longer verifies). */
  async checkpoint(): Promise<void> {
    await this.exclusive(() =>
      this.transact(async () => {
        const checkpointOf = this.checkpointOf;
        if (this.pg) {
          // The head is read under the append lock (another owner process may append meanwhile).
          const entry = await appendPgAudit(this.pgWriter(), checkpointOf, checkpointOf);
          await exec(this.control, "INSERT OR REPLACE INTO meta VALUES ('audit_head', ?)", [JSON.stringify({ seq: entry.seq, hash: entry.hash })]);
          return;
        }
        await this.audit(checkpointOf(this.chain.last));
      }),
    );
  }

  /**
   * The PostgreSQL writer session of the open mutate() transaction, or undefined on the
   * embedded store: scale-out queue rows are written with it, so they commit with the job.
   */
  pgTransaction(): PgConnection | undefined {
    if (!this.pg) return undefined;
    if (!this.ctx.getStore()?.tx) throw new ShuyuError("internal", "NO_TRANSACTION", "the queue is written inside mutate()");
    return this.pg.writer;
  }

  /** The raw PostgreSQL writer session (audit appends speak PostgreSQL's own SQL). */
  private pgWriter(): PgConnection {
    return this.pg!.writer;
  }

  /** A checkpoint entry over `head`, signed by the seal (the chain file's and audit_log's alike). */
  private readonly checkpointOf = (head: { seq: number; hash: string }): AuditInput => ({
    actor: "system", action: CHECKPOINT_ACTION, object: "audit", details: signCheckpoint(this.paths.keys, this.info.id, head),
  });

  /** The last entry's seq and hash (GENESIS at seq 0 for an empty chain). */
  async auditHead(): Promise<{ seq: number; hash: string }> {
    if (!this.pg) return this.chain.last;
    const last = (await this.auditEntries()).at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS };
  }

  /** Every audit entry, from the chain file or (PostgreSQL) the audit_log table; a torn last line is left out. */
  async auditEntries(_opts: { lenient?: boolean } = {}): Promise<AuditEntry[]> {
    return (await this.auditScan()).entries;
  }

  /** The chain as stored: the file's entries and torn tail, or the audit_log table's rows (never torn). */
  async auditScan(): Promise<ChainScan> {
    if (!this.pg) return scanChain(this.paths.audit);
    const conn = this.ctx.getStore()?.conns === this.writer ? this.pg.writer : this.pg.reader;
    return { entries: await readPgAudit(conn), cleanBytes: 0, tornBytes: 0 };
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

  private closeStores(): void {
    for (const c of [this.reader, this.writer]) {
      if (!c) continue;
      if (!this.pg) (c.control as DuckDBConnection).closeSync();
      c.vault.closeSync();
    }
    this.pg?.close();
    this.pg = undefined;
    for (const i of this.instances) i.closeSync();
    this.instances = [];
    this.chain?.close();
    removeLockInfo(this.paths.dir);
  }

  /** Closes every handle. */
  close(): void {
    if (this.detachedNow) return;
    this.closeStores();
    this.detachedNow = true;
  }
}

/** Makes the domain folder 0700 and its top-level stores and keys 0600 (older domains were 0755/0644). */
function tightenModes(paths: DomainPaths): void {
  try {
    chmodSync(paths.dir, 0o700);
    for (const f of [paths.control, paths.vault, paths.audit, paths.marker, `${paths.control}.wal`, `${paths.vault}.wal`]) if (existsSync(f)) chmodSync(f, 0o600);
    for (const d of [paths.auditDir, paths.keys, paths.libraries, paths.samples, paths.staging, paths.outbox]) if (existsSync(d)) chmodSync(d, 0o700);
  } catch {
    // not the owner (a read-only mount): nothing to tighten
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

/**
 * Whether a statement on the writer connection can change what a decision reads: every
 * statement but reads, transaction control, and bookkeeping no decision reads (the audit
 * head written per audit batch, row MACs, usage records). Unknown statements count as changes.
 */
function changesDecisions(sql: string): boolean {
  return !/^\s*(?:SELECT\b|WITH cur AS \(SELECT\b|BEGIN\b|COMMIT\b|ROLLBACK\b|INSERT OR REPLACE INTO meta VALUES \('audit_head'|INSERT OR REPLACE INTO row_macs\b|DELETE FROM row_macs\b|INSERT INTO usage_records\b)/i.test(sql);
}

import { createHash } from "node:crypto";
import { closeSync, existsSync, fstatSync, fsync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { canonicalJson } from "../canonical-json.js";
import { now } from "../clock.js";
import { diskFull, isDiskFull, ShuyuError } from "../../policies/errors.js";

/** One link of the SM3 chain (R7). */
export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  object: string;
  details: Record<string, unknown>;
  prev: string;
  hash: string;
}

export type AuditInput = Pick<AuditEntry, "actor" | "action" | "object"> & { details?: Record<string, unknown> };

export const GENESIS = "0".repeat(64);

/** The action of a checkpoint entry: the seal's signature over the head before it. */
export const CHECKPOINT_ACTION = "audit.checkpoint";

/** hash = SM3(prev ‖ canonical JSON of the entry without its hash). */
export function entryHash(e: Omit<AuditEntry, "hash">): string {
  const body = canonicalJson({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, object: e.object, details: e.details, prev: e.prev });
  return createHash("sm3").update(e.prev).update(body).digest("hex");
}

/** Where the chain file stands: the head entry and the byte length of the complete entries. */
export interface ChainMark {
  seq: number;
  hash: string;
  bytes: number;
}

/**
 * Append-only JSONL chain. Each append is written whole (short writes are retried, a
 * failed write is cut back off) and fsync'd before it returns. A torn last line (a crash
 * or a full disk mid-write) is truncated when the chain is opened, before anything is
 * appended, so the next entry never lands on a fragment.
 */
export class AuditChain {
  private fd: number;
  private head: ChainMark;
  /** Seq of the last checkpoint entry (0: none yet). */
  lastCheckpoint: number;
  /** Seq of the last entry known to be on disk. */
  private durableSeq: number;
  /** Grouped appends waiting for an fsync that covers them. */
  private waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private syncing = false;
  /** fsyncs completed by grouped appends (how many entries shared each is the point of grouping). */
  groupSyncs = 0;
  /** Bytes of a torn tail cut off at open (0 when the file ended cleanly). */
  readonly repairedTornBytes: number;

  private constructor(readonly file: string, fd: number, head: ChainMark, repaired: number, lastCheckpoint: number) {
    this.fd = fd;
    this.head = head;
    this.lastCheckpoint = lastCheckpoint;
    this.repairedTornBytes = repaired;
    this.durableSeq = head.seq;
  }

  /** Opens (creating if asked) the chain file, truncates a torn tail and reads its head. */
  static open(file: string, opts: { create?: boolean; readOnly?: boolean } = {}): AuditChain {
    if (!existsSync(file) && !opts.create) {
      throw new ShuyuError("invalid", "DOMAIN_CORRUPT", `audit chain ${file} is missing`);
    }
    const scan = scanChain(file);
    let fd: number;
    try {
      fd = openSync(file, opts.readOnly ? "r" : "a+", 0o600);
    } catch (err) {
      if (isDiskFull(err)) throw diskFull(err, file);
      throw err;
    }
    let repaired = 0;
    if (scan.tornBytes > 0 && !opts.readOnly) {
      ftruncateSync(fd, scan.cleanBytes);
      fsyncSync(fd);
      repaired = scan.tornBytes;
    }
    const last = scan.entries.at(-1);
    const cp = scan.entries.findLast((e) => e.action === CHECKPOINT_ACTION)?.seq ?? 0;
    return new AuditChain(file, fd, last ? { seq: last.seq, hash: last.hash, bytes: scan.cleanBytes } : { seq: 0, hash: GENESIS, bytes: scan.cleanBytes }, repaired, cp);
  }

  /** The last entry's seq and hash. */
  get last(): { seq: number; hash: string } {
    return { seq: this.head.seq, hash: this.head.hash };
  }

  /** The head and the file's length (to cut back to). */
  get position(): ChainMark {
    return { ...this.head };
  }

  /** Builds the next entry (not yet written). */
  next(input: AuditInput): AuditEntry {
    const base = {
      seq: this.head.seq + 1,
      time: now().toISOString(),
      actor: input.actor,
      action: input.action,
      object: input.object,
      details: input.details ?? {},
      prev: this.head.hash,
    };
    return { ...base, hash: entryHash(base) };
  }

  /** Appends one entry durably and returns it; on any failure the file is cut back to where it was. */
  append(input: AuditInput): AuditEntry {
    return this.write(this.next(input));
  }

  /** Writes a prepared entry (its prev must be the head). */
  write(entry: AuditEntry): AuditEntry {
    if (entry.prev !== this.head.hash || entry.seq !== this.head.seq + 1) throw new ShuyuError("internal", "AUDIT_OUT_OF_ORDER", `audit entry ${entry.seq} does not follow the head ${this.head.seq}`);
    this.put(entry, true);
    // The fsync covered every grouped entry written before this one too.
    this.markDurable(entry.seq);
    return entry;
  }

  /** Writes one line and moves the head; `sync` fsyncs before the head moves. On failure the file is cut back. */
  private put(entry: AuditEntry, sync: boolean): void {
    const buf = Buffer.from(canonicalJson(entry) + "\n");
    try {
      let off = 0;
      while (off < buf.length) {
        const n = writeSync(this.fd, buf, off, buf.length - off);
        if (n <= 0) throw new Error(`short write to ${this.file}`);
        off += n;
      }
      if (sync) fsyncSync(this.fd);
    } catch (err) {
      this.cutBack(this.head.bytes);
      if (isDiskFull(err)) throw diskFull(err, this.file);
      throw new ShuyuError("internal", "AUDIT_WRITE_FAILED", `cannot write the audit entry to ${this.file}: ${(err as Error).message}; nothing was changed`, { cause: err });
    }
    this.head = { seq: entry.seq, hash: entry.hash, bytes: this.head.bytes + buf.length };
    if (entry.action === CHECKPOINT_ACTION) this.lastCheckpoint = entry.seq;
  }

  /** Cuts the file after entry `seq` (recovery: entries of a transaction that never committed). */
  truncateAfter(seq: number): void {
    const buf = readFileSync(this.file);
    let off = 0;
    for (let i = 0; i < seq; i++) {
      const nl = buf.indexOf(0x0a, off);
      if (nl === -1) return;
      off = nl + 1;
    }
    const at = seq === 0 ? undefined : (JSON.parse(buf.subarray(0, off - 1).toString("utf8").split("\n").at(-1)!) as AuditEntry);
    this.cutBack(off);
    this.head = at ? { seq: at.seq, hash: at.hash, bytes: off } : { seq: 0, hash: GENESIS, bytes: 0 };
    if (this.lastCheckpoint > seq) this.lastCheckpoint = 0;
    this.durableSeq = Math.min(this.durableSeq, this.head.seq);
  }

  /** Removes every entry after `mark` (a transaction that wrote them rolled back). */
  truncateTo(mark: ChainMark): void {
    if (mark.bytes >= this.head.bytes) return;
    this.cutBack(mark.bytes);
    this.head = { ...mark };
    if (this.lastCheckpoint > mark.seq) this.lastCheckpoint = 0;
    // Seqs after the mark will be reused: what was durable under them no longer counts.
    this.durableSeq = Math.min(this.durableSeq, mark.seq);
  }

  private cutBack(bytes: number): void {
    try {
      if (fstatSync(this.fd).size > bytes) {
        ftruncateSync(this.fd, bytes);
        fsyncSync(this.fd);
      }
    } catch {
      // best effort: the next open truncates a torn tail anyway
    }
  }

  /** Seq of the last entry known to be on disk. */
  get durable(): number {
    return this.durableSeq;
  }

  /**
   * Appends one entry now (its place in the chain is fixed) and returns it with a promise
   * that resolves once it is on disk. The fsync runs on libuv's thread pool, not the event
   * loop, and one fsync covers every entry written before it started (group commit): callers
   * must answer only after `durable` resolves. A failed fsync fails its callers; the entries
   * stay past the recorded head, so the next open's recovery pass removes them.
   */
  appendGrouped(input: AuditInput): { entry: AuditEntry; durable: Promise<void> } {
    const entry = this.next(input);
    this.put(entry, false);
    const durable = new Promise<void>((resolve, reject) => this.waiters.push({ seq: entry.seq, resolve, reject }));
    this.startSync();
    return { entry, durable };
  }

  /** One fsync at a time; entries written while it runs wait for the next one. */
  private startSync(): void {
    if (this.syncing || this.waiters.length === 0) return;
    this.syncing = true;
    const upTo = this.head.seq;
    fsync(this.fd, (err) => {
      this.syncing = false;
      if (err) {
        const failed = this.waiters.filter((w) => w.seq <= upTo);
        this.waiters = this.waiters.filter((w) => w.seq > upTo);
        const e = isDiskFull(err) ? diskFull(err, this.file) : new ShuyuError("internal", "AUDIT_WRITE_FAILED", `cannot make the audit entry durable in ${this.file}: ${err.message}`, { cause: err });
        for (const w of failed) w.reject(e);
      } else {
        this.groupSyncs++;
        this.markDurable(upTo);
      }
      this.startSync();
    });
  }

  private markDurable(seq: number): void {
    if (seq <= this.durableSeq) return;
    this.durableSeq = seq;
    const done = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }

  /** Closes the file handle. */
  close(): void {
    closeSync(this.fd);
  }
}

/** What a chain file holds: complete entries, and a torn (unterminated or unparsable) last line if any. */
export interface ChainScan {
  entries: AuditEntry[];
  cleanBytes: number;
  tornBytes: number;
}

/** Reads the chain; a last line without its newline counts as a torn tail (a write that never completed). */
export function scanChain(file: string): ChainScan {
  if (!existsSync(file)) return { entries: [], cleanBytes: 0, tornBytes: 0 };
  const buf = readFileSync(file);
  const entries: AuditEntry[] = [];
  let start = 0;
  let clean = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl === -1 ? buf.length : nl;
    const line = buf.subarray(start, end).toString("utf8");
    let parsed: AuditEntry | undefined;
    try {
      parsed = line === "" ? undefined : (JSON.parse(line) as AuditEntry);
    } catch {
      parsed = undefined;
    }
    if (nl === -1) {
      // an unterminated last line: the write never completed (a terminated bad line is tampering)
      return { entries, cleanBytes: clean, tornBytes: buf.length - clean };
    }
    if (parsed !== undefined) entries.push(parsed);
    else if (line !== "") entries.push({ seq: NaN, time: "", actor: "", action: "", object: "", details: { unparsable: line.slice(0, 200) }, prev: "", hash: "" });
    start = end + 1;
    clean = start;
  }
  return { entries, cleanBytes: clean, tornBytes: 0 };
}

/** Reads every entry; a torn last line (crash mid-write) is left out. */
export function readEntries(file: string, _opts: { lenient?: boolean } = {}): AuditEntry[] {
  return scanChain(file).entries;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  problem?: string;
  /** Entries whose time is earlier than the entry before: a moved clock (SHUYU_NOW) or a host clock step. */
  timeWarnings?: { seq: number; time: string; previous: string }[];
  /** A torn last line (a crash or full disk mid-write): not tampering; the next write truncates it. */
  tornTail?: { bytes: number; repairable: true };
  /** Checkpoints whose seal signature verified, and the seq of the last. */
  checkpoints?: { count: number; lastSeq: number };
  /** Control-store rows whose MAC did not match (edited outside shuyu). */
  controlRows?: { checked: number; tampered: { table: string; key: string; problem: string }[] };
}

/** Checks a checkpoint's signature over (domain, seq, hash) of the entry before it. */
export type CheckpointVerifier = (e: AuditEntry, before: { seq: number; hash: string }) => boolean;

/** Most entries a chain may carry after one checkpoint before the next (a rewritten tail is at most this long). */
export const MAX_UNSIGNED_RUN = 512;

/**
 * Walks the chain: seq continuity, prev links and recomputed hashes. An edited entry
 * breaks its own hash; a deleted, inserted or reordered one breaks seq or prev.
 * `anchor` (the head recorded in the control store) detects a cut-off tail; with
 * `checkpoint`, each checkpoint entry's seal signature is checked and long unsigned runs
 * are refused, so a chain rewritten with recomputed hashes no longer verifies.
 */
export function verifyChain(entries: AuditEntry[], anchor?: { seq: number; hash: string }, checkpoint?: CheckpointVerifier): VerifyResult {
  let prev = GENESIS;
  const timeWarnings: NonNullable<VerifyResult["timeWarnings"]> = [];
  let checkpoints = 0;
  let lastCheckpoint = 0;
  const bad = (firstBadSeq: number, problem: string): VerifyResult => ({ ok: false, entries: entries.length, firstBadSeq, problem });
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) return bad(expectedSeq, `entry at position ${expectedSeq} has seq ${e.seq} (deleted, inserted or reordered entry)`);
    if (e.prev !== prev) return bad(e.seq, `seq ${e.seq} does not link to the previous entry's hash`);
    if (entryHash(e) !== e.hash) return bad(e.seq, `seq ${e.seq} was modified (hash mismatch)`);
    if (checkpoint && e.action === CHECKPOINT_ACTION) {
      const before = i > 0 ? { seq: entries[i - 1].seq, hash: entries[i - 1].hash } : { seq: 0, hash: GENESIS };
      if (!checkpoint(e, before)) return bad(e.seq, `checkpoint seq ${e.seq} is not signed by the domain seal (the chain was rewritten)`);
      checkpoints++;
      lastCheckpoint = e.seq;
    }
    if (checkpoint && e.seq - lastCheckpoint > MAX_UNSIGNED_RUN && i < entries.length - 1) {
      return bad(e.seq, `more than ${MAX_UNSIGNED_RUN} entries after checkpoint seq ${lastCheckpoint} without another (checkpoints were removed)`);
    }
    if (i > 0 && e.time < entries[i - 1].time) timeWarnings.push({ seq: e.seq, time: e.time, previous: entries[i - 1].time });
    prev = e.hash;
  }
  if (anchor && anchor.seq > 0) {
    const at = entries[anchor.seq - 1];
    if (!at) return bad(entries.length + 1, `chain ends at seq ${entries.length} but the control store recorded seq ${anchor.seq} (entries were cut off)`);
    if (at.hash !== anchor.hash) return bad(anchor.seq, `seq ${anchor.seq} differs from the head recorded in the control store`);
  }
  return { ok: true, entries: entries.length, ...(timeWarnings.length ? { timeWarnings } : {}), ...(checkpoint ? { checkpoints: { count: checkpoints, lastSeq: lastCheckpoint } } : {}) };
}

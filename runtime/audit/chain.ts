import { createHash } from "node:crypto";
import { closeSync, existsSync, fsync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { canonicalJson } from "../canonical-json.js";
import { now } from "../clock.js";
import { ShuyuError } from "../../policies/errors.js";

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

/** hash = SM3(prev ‖ canonical JSON of the entry without its hash). */
export function entryHash(e: Omit<AuditEntry, "hash">): string {
  const body = canonicalJson({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, object: e.object, details: e.details, prev: e.prev });
  return createHash("sm3").update(e.prev).update(body).digest("hex");
}

/**
 * Append-only JSONL chain. Each append is written and fsync'd before it returns, so a
 * command that reports success has its entry on disk.
 */
export class AuditChain {
  private fd: number;
  private head: { seq: number; hash: string };
  /** Seq of the last entry known to be on disk. */
  private durableSeq: number;
  /** Grouped appends waiting for an fsync that covers them. */
  private waiters: { seq: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private syncing = false;
  /** fsyncs completed by grouped appends (how many entries shared each is the point of grouping). */
  groupSyncs = 0;

  private constructor(readonly file: string, fd: number, head: { seq: number; hash: string }) {
    this.fd = fd;
    this.head = head;
    this.durableSeq = head.seq;
  }

  /** Opens (creating if asked) the chain file and reads its head. */
  static open(file: string, opts: { create?: boolean } = {}): AuditChain {
    if (!existsSync(file) && !opts.create) {
      throw new ShuyuError("invalid", "DOMAIN_CORRUPT", `audit chain ${file} is missing`);
    }
    const fd = openSync(file, "a+");
    const entries = readEntries(file, { lenient: true });
    const last = entries.at(-1);
    return new AuditChain(file, fd, last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS });
  }

  /** Seq of the last entry known to be on disk. */
  get durable(): number {
    return this.durableSeq;
  }

  /** The last entry's seq and hash. */
  get last(): { seq: number; hash: string } {
    return { ...this.head };
  }

  /** Appends one entry durably and returns it. */
  append(input: AuditInput): AuditEntry {
    const base = {
      seq: this.head.seq + 1,
      time: now().toISOString(),
      actor: input.actor,
      action: input.action,
      object: input.object,
      details: input.details ?? {},
      prev: this.head.hash,
    };
    const entry: AuditEntry = { ...base, hash: entryHash(base) };
    writeSync(this.fd, canonicalJson(entry) + "\n");
    fsyncSync(this.fd);
    this.head = { seq: entry.seq, hash: entry.hash };
    this.markDurable(entry.seq);
    return entry;
  }

  /**
   * Appends one entry now (its place in the chain is fixed) and returns it with a promise
   * that resolves once it is on disk. The fsync runs on libuv's thread pool, not the event
   * loop, and one fsync covers every entry written before it started (group commit): callers
   * must answer only after `durable` resolves.
   */
  appendGrouped(input: AuditInput): { entry: AuditEntry; durable: Promise<void> } {
    const base = {
      seq: this.head.seq + 1,
      time: now().toISOString(),
      actor: input.actor,
      action: input.action,
      object: input.object,
      details: input.details ?? {},
      prev: this.head.hash,
    };
    const entry: AuditEntry = { ...base, hash: entryHash(base) };
    writeSync(this.fd, canonicalJson(entry) + "\n");
    this.head = { seq: entry.seq, hash: entry.hash };
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
        // Nothing written since the last good fsync is known to be durable: fail those callers.
        const failed = this.waiters.filter((w) => w.seq <= upTo);
        this.waiters = this.waiters.filter((w) => w.seq > upTo);
        for (const w of failed) w.reject(new ShuyuError("internal", "AUDIT_WRITE_FAILED", `cannot make the audit entry durable in ${this.file}: ${err.message}`, { cause: err }));
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

/** Reads every entry; a torn last line (crash mid-write) is ignored when lenient. */
export function readEntries(file: string, opts: { lenient?: boolean } = {}): AuditEntry[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const out: AuditEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    try {
      out.push(JSON.parse(line) as AuditEntry);
    } catch {
      const torn = i === lines.length - 1 && opts.lenient;
      if (torn) continue;
      out.push({ seq: NaN, time: "", actor: "", action: "", object: "", details: { unparsable: line.slice(0, 200) }, prev: "", hash: "" });
    }
  }
  return out;
}

export interface VerifyResult {
  ok: boolean;
  entries: number;
  firstBadSeq?: number;
  problem?: string;
  /** Entries whose time is earlier than the entry before: a moved clock (SHUYU_NOW) or a host clock step. */
  timeWarnings?: { seq: number; time: string; previous: string }[];
}

/**
 * Walks the chain: seq continuity, prev links and recomputed hashes. An edited entry
 * breaks its own hash; a deleted, inserted or reordered one breaks seq or prev.
 * `anchor` (the head recorded in the control store) detects a cut-off tail.
 */
export function verifyChain(entries: AuditEntry[], anchor?: { seq: number; hash: string }): VerifyResult {
  let prev = GENESIS;
  const timeWarnings: NonNullable<VerifyResult["timeWarnings"]> = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq) {
      return { ok: false, entries: entries.length, firstBadSeq: expectedSeq, problem: `entry at position ${expectedSeq} has seq ${e.seq} (deleted, inserted or reordered entry)` };
    }
    if (e.prev !== prev) {
      return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `seq ${e.seq} does not link to the previous entry's hash` };
    }
    if (entryHash(e) !== e.hash) {
      return { ok: false, entries: entries.length, firstBadSeq: e.seq, problem: `seq ${e.seq} was modified (hash mismatch)` };
    }
    if (i > 0 && e.time < entries[i - 1].time) timeWarnings.push({ seq: e.seq, time: e.time, previous: entries[i - 1].time });
    prev = e.hash;
  }
  if (anchor && anchor.seq > 0) {
    const at = entries[anchor.seq - 1];
    if (!at) {
      return { ok: false, entries: entries.length, firstBadSeq: entries.length + 1, problem: `chain ends at seq ${entries.length} but the control store recorded seq ${anchor.seq} (entries were cut off)` };
    }
    if (at.hash !== anchor.hash) {
      return { ok: false, entries: entries.length, firstBadSeq: anchor.seq, problem: `seq ${anchor.seq} differs from the head recorded in the control store` };
    }
  }
  return { ok: true, entries: entries.length, ...(timeWarnings.length ? { timeWarnings } : {}) };
}

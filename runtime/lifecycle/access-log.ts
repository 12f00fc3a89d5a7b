/**
 * The HTTP access log, written into the domain (logs/access/access-YYYY-MM-DD.jsonl, one
 * file per calendar day of the domain's zone, as the retention window counts days) so it is kept, backed up and exported with the audit chain (HB 18,
 * HLJ 29, GZ 7). A line holds time, method, route, path without its query string, status,
 * the authenticated account and the client address — never a header, token, cookie,
 * body, query or answer. Lines are appended as they happen and fsync'd at least every
 * second and at close.
 */
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { localDate, now } from "../clock.js";

/** Where the access logs of a domain directory live. */
export function accessLogDir(domainDir: string): string {
  return join(domainDir, "logs", "access");
}

/** One access-log line. */
export interface AccessEntry {
  time: string;
  method: string;
  route: string;
  path: string;
  status: number;
  account: string | null;
  ip: string;
  ms: number;
}

/** Appends access entries to the day's file, rotating at midnight in the domain's zone. */
export class AccessLog {
  private fd: number | undefined;
  private day = "";
  private dirty = false;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    // The periodic fsync runs off the event loop: a synchronous one stalls every request behind it.
    this.timer = setInterval(() => this.flushSoon(), 1000);
    this.timer.unref();
  }

  /** Appends one entry (the path loses its query string here, whatever the caller passed). */
  write(e: Omit<AccessEntry, "time"> & { time?: string }): void {
    const time = e.time ?? now().toISOString();
    const day = localDate(new Date(time));
    if (day !== this.day || this.fd === undefined) {
      this.flush();
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = openSync(join(this.dir, `access-${day}.jsonl`), "a", 0o640);
      this.day = day;
    }
    const line: AccessEntry = { time, method: e.method, route: e.route, path: e.path.split("?")[0].slice(0, 512), status: e.status, account: e.account, ip: e.ip, ms: Math.round(e.ms) };
    writeSync(this.fd, JSON.stringify(line) + "\n");
    this.dirty = true;
  }

  private syncing = false;

  /** Starts an fsync of written lines off the event loop (one at a time; lines written meanwhile wait for the next). */
  private flushSoon(): void {
    if (this.fd === undefined || !this.dirty || this.syncing) return;
    this.syncing = true;
    this.dirty = false;
    fsync(this.fd, (err) => {
      this.syncing = false;
      if (err) this.dirty = true; // tried again at the next tick or at close
    });
  }

  /** Forces written lines to disk. */
  flush(): void {
    // An fsync still in flight may lose its fd to the close that follows: sync here too.
    if (this.fd !== undefined && (this.dirty || this.syncing)) {
      fsyncSync(this.fd);
      this.dirty = false;
    }
  }

  /** Flushes and closes the current file. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

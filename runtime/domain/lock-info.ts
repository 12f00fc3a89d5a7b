import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileDurable } from "./durable-file.js";
import { isAlive, selfIdentity, type ProcessIdentity } from "./process-identity.js";

/** Who holds a domain's stores, written beside them so a waiting command can say who and since when. */
export interface LockInfo extends ProcessIdentity {
  command: string;
  since: string;
  mode: "write" | "read";
  /** Set by `shuyu serve`: where its API answers. */
  url?: string;
}

const file = (dir: string, id: string) => join(dir, `lock-${id}.json`);

/** Records that this process holds the domain (one file per holder; readers may be many). */
export function writeLockInfo(dir: string, info: Omit<LockInfo, keyof ProcessIdentity | "since">): LockInfo {
  const me = selfIdentity();
  const full: LockInfo = { ...me, ...info, since: new Date().toISOString() };
  try {
    writeFileDurable(file(dir, String(me.pid)), JSON.stringify(full) + "\n", 0o600);
  } catch {
    // advisory only: a full disk must not stop a read-only command
  }
  return full;
}

/** Adds the server URL to this process's lock record. */
export function updateLockInfo(dir: string, patch: Partial<LockInfo>): void {
  const current = readHolders(dir).find((h) => h.pid === process.pid);
  if (current) writeFileDurable(file(dir, String(process.pid)), JSON.stringify({ ...current, ...patch }) + "\n", 0o600);
}

/** Removes this process's lock record. */
export function removeLockInfo(dir: string): void {
  rmSync(file(dir, String(process.pid)), { force: true });
}

/** The live holders recorded for a domain (stale records of dead processes are ignored). */
export function readHolders(dir: string): LockInfo[] {
  const out: LockInfo[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /^lock-\d+\.json$/.test(n));
  } catch {
    return out;
  }
  for (const n of names) {
    try {
      const info = JSON.parse(readFileSync(join(dir, n), "utf8")) as LockInfo;
      if (isAlive(info)) out.push(info);
    } catch {
      // a record being rewritten: skip it
    }
  }
  return out;
}

/** A sentence naming who holds the domain, for DOMAIN_BUSY. */
export function describeHolders(holders: LockInfo[]): string {
  if (holders.length === 0) return "another process (no lock record)";
  return holders.map((h) => `'shuyu ${h.command}' (pid ${h.pid}${h.url ? `, serving ${h.url}` : ""}) since ${h.since}`).join(", ");
}

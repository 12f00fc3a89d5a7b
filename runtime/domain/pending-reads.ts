import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { AuditEntry, AuditInput } from "../audit/chain.js";
import { now } from "../clock.js";
import { writeFileDurable } from "./durable-file.js";
import type { DomainPaths } from "./layout.js";

const dirOf = (paths: DomainPaths) => join(paths.auditDir, "pending");

/**
 * A read-only command cannot append to the chain (another process may own it): its audit
 * entry is written durably to audit/pending/ and chained by the next writer's recovery pass.
 */
export function writePendingRead(paths: DomainPaths, input: AuditInput): AuditEntry {
  const dir = dirOf(paths);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const time = now().toISOString();
  const record = { ...input, details: input.details ?? {}, time };
  writeFileDurable(join(dir, `${time.replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.json`), JSON.stringify(record), 0o600);
  return { seq: 0, time, actor: input.actor, action: input.action, object: input.object, details: record.details, prev: "", hash: "" };
}

/** Pending read records, oldest first, with a function removing each once chained. */
export function pendingReads(paths: DomainPaths): { file: string; input: AuditInput & { time: string } }[] {
  const dir = dirOf(paths);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".json")).sort();
  } catch {
    return [];
  }
  const out: { file: string; input: AuditInput & { time: string } }[] = [];
  for (const n of names) {
    const file = join(dir, n);
    try {
      out.push({ file, input: JSON.parse(readFileSync(file, "utf8")) as AuditInput & { time: string } });
    } catch {
      rmSync(file, { force: true }); // a torn record (crash mid-write before its rename cannot happen; a foreign file): dropped
    }
  }
  return out;
}

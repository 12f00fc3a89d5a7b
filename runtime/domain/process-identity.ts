import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** A process as the kernel knows it: pid plus its start time, so a reused pid is not mistaken for the original. */
export interface ProcessIdentity {
  pid: number;
  start: string;
  host: string;
}

/** The start time (clock ticks since boot) of `pid`, or undefined when no such process lives. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    try {
      process.kill(pid, 0);
      return "unknown";
    } catch {
      return undefined;
    }
  }
}

/** This process's identity. */
export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid) ?? "unknown", host: hostname() };
}

/** True when the process recorded in `id` still runs (same host, same pid, same start time). */
export function isAlive(id: { pid: number; start: string; host: string }): boolean {
  if (id.host !== hostname()) return true; // another host's process: we cannot tell, so never declare it dead
  const start = processStart(id.pid);
  return start !== undefined && (start === id.start || start === "unknown" || id.start === "unknown");
}

import { readdirSync, readFileSync } from "node:fs";

/** Live child processes of `pid` (Linux /proc): a CLI's or a worker host's sandbox workers. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const n of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
    try {
      // Field 4 of /proc/N/stat is the parent pid (after the parenthesised command name).
      const stat = readFileSync(`/proc/${n}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(n));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** True while `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { userInfo } from "node:os";

/**
 * Worker hosts in network namespaces of their own (issue 18): one namespace per host, joined
 * to the root namespace by a veth pair on a private /30, with one route only — to the
 * service address, a /32 on the root namespace's loopback that the test's PostgreSQL and
 * S3 server listen on. A namespaced host has no default route: it reaches the test's own
 * addresses and nothing else (not the root namespace's 127.0.0.1, not the machine's network).
 */
export interface NetLab {
  /** The address the test's servers listen on (reachable from every namespace through its veth). */
  serviceAddr: string;
  /** The /16 the namespaces' addresses come from (PostgreSQL admits logins from it). */
  subnet: string;
  /** Per host: its namespace, its address, the root side's address and device of its veth pair. */
  namespaces: { name: string; addr: string; rootAddr: string; rootDev: string }[];
  /** The command prefix that runs a program inside namespace `i`. */
  exec(i: number): string[];
  /** Kills what still runs in the namespaces and removes them, the veth pairs and the service address (idempotent). */
  remove(): void;
}

const ip = (...args: string[]) => execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

/** Why namespaced hosts cannot be made here (undefined: they can). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return `network namespaces are Linux-only (platform ${process.platform})`;
  if (userInfo().uid !== 0) return "creating network namespaces needs root";
  const probe = `shuyu-probe-${process.pid}-${randomBytes(3).toString("hex")}`;
  try {
    ip("netns", "add", probe);
  } catch (err) {
    return `ip netns is unavailable: ${(err as Error).message.split("\n")[0]}`;
  }
  try {
    ip("netns", "del", probe);
  } catch {
    // nothing to keep: the probe is gone or never usable
  }
  return undefined;
}

/** A 10.X.0.0/16 no interface or route of this machine uses. */
function freeSubnet(): number {
  const used = ip("-4", "addr") + ip("-4", "route");
  for (let i = 0; i < 50; i++) {
    const x = randomInt(64, 250);
    if (!used.includes(`10.${x}.`)) return x;
  }
  throw new Error("no free 10.X.0.0/16 for the test's namespaces");
}

/** True while a process `pid` exists (signal 0 asks without sending). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes what a test run killed before its teardown (SIGKILL, a crash) left: namespaces and
 * service addresses carry the creating process's pid, and only those of dead processes go.
 */
export function sweepStaleLabs(): string[] {
  const removed: string[] = [];
  for (const m of ip("netns", "list").matchAll(/^(shuyu-t(\d+)-\S+)/gm)) {
    if (pidAlive(Number(m[2]))) continue;
    try {
      ip("netns", "del", m[1]);
      removed.push(m[1]);
    } catch {
      // gone meanwhile
    }
  }
  for (const m of ip("-4", "-o", "addr", "show", "dev", "lo").matchAll(/inet (\S+) .*?(lo:sy([0-9a-z]+))/g)) {
    if (pidAlive(parseInt(m[3], 36))) continue;
    try {
      ip("addr", "del", m[1], "dev", "lo");
      removed.push(m[2]);
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

/** Creates `hosts` namespaces (names unique to this run); `remove()` always undoes everything, also at process exit. */
export function createNetLab(hosts: number): NetLab {
  sweepStaleLabs();
  const tag = randomBytes(3).toString("hex");
  const x = freeSubnet();
  const serviceAddr = `10.${x}.255.1`;
  const namespaces = Array.from({ length: hosts }, (_, i) => ({ name: `shuyu-t${process.pid}-${tag}-${i}`, addr: `10.${x}.${i}.2`, rootAddr: `10.${x}.${i}.1`, veth: `sy${tag}${i}` }));
  const undo: (() => void)[] = [];
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    process.off("exit", remove);
    for (const ns of namespaces) {
      // Processes keep a namespace alive after `ip netns del`: end the ones the test started there.
      try {
        for (const pid of ip("netns", "pids", ns.name).split(/\s+/).filter(Boolean)) process.kill(Number(pid), "SIGKILL");
      } catch {
        // the namespace was never made, or is empty
      }
    }
    for (const f of undo.reverse()) {
      try {
        f();
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", remove);
  try {
    ip("addr", "add", `${serviceAddr}/32`, "dev", "lo", "label", `lo:sy${process.pid.toString(36)}`);
    undo.push(() => ip("addr", "del", `${serviceAddr}/32`, "dev", "lo"));
    for (const ns of namespaces) {
      ip("netns", "add", ns.name);
      undo.push(() => ip("netns", "del", ns.name));
      ip("link", "add", `${ns.veth}a`, "type", "veth", "peer", "name", `${ns.veth}b`);
      undo.push(() => ip("link", "del", `${ns.veth}a`)); // deletes both ends
      ip("link", "set", `${ns.veth}b`, "netns", ns.name);
      ip("addr", "add", `${ns.rootAddr}/30`, "dev", `${ns.veth}a`);
      ip("link", "set", `${ns.veth}a`, "up");
      const inside = (...args: string[]) => ip("netns", "exec", ns.name, "ip", ...args);
      inside("link", "set", "lo", "up");
      inside("addr", "add", `${ns.addr}/30`, "dev", `${ns.veth}b`);
      inside("link", "set", `${ns.veth}b`, "up");
      inside("route", "add", `${serviceAddr}/32`, "via", ns.rootAddr);
    }
  } catch (err) {
    remove();
    throw err;
  }
  return {
    serviceAddr,
    subnet: `10.${x}.0.0/16`,
    namespaces: namespaces.map(({ name, addr, rootAddr, veth }) => ({ name, addr, rootAddr, rootDev: `${veth}a` })),
    exec: (i) => ["ip", "netns", "exec", namespaces[i].name],
    remove,
  };
}

/** Whether a TCP connect to host:port from inside namespace `ns` succeeds, or the error code it got. */
export function connectFrom(ns: string, host: string, port: number): string {
  const script = `const s = require("node:net").connect(${port}, ${JSON.stringify(host)}); s.setTimeout(3000, () => { console.log("TIMEOUT"); process.exit(0); }); s.on("connect", () => { console.log("CONNECTED"); process.exit(0); }); s.on("error", (e) => { console.log(e.code); process.exit(0); });`;
  return execFileSync("ip", ["netns", "exec", ns, process.execPath, "-e", script]).toString().trim();
}

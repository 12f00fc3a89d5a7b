import { execFile } from "node:child_process";
import { cpus, totalmem, freemem, loadavg, platform, release } from "node:os";
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";

/** The facts an operator needs to compare benchmark runs across machines. */
export interface MachineFacts {
  cpu: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  loadAverage1m: number;
  os: string;
  node: string;
  duckdb: string;
  opensslNode: string;
  opensslCli: string;
  isolatedVm: string;
}

/** Reads CPU, memory, load, Node, DuckDB, OpenSSL (Node's and the CLI's) and isolated-vm versions. */
export async function machineFacts(): Promise<MachineFacts> {
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  let duckdb = "unknown";
  try {
    duckdb = String((await conn.runAndReadAll("SELECT version() AS v")).getRowObjectsJS()[0].v);
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
  let opensslCli = "not installed";
  try {
    opensslCli = (await promisify(execFile)("openssl", ["version"])).stdout.trim();
  } catch {
    // the CLI yardsticks will say so too
  }
  let isolatedVm = "unknown";
  try {
    isolatedVm = (createRequire(import.meta.url)("isolated-vm/package.json") as { version: string }).version;
  } catch {
    // not resolvable from here
  }
  const c = cpus();
  return {
    cpu: c[0]?.model ?? "unknown", cores: c.length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1),
    loadAverage1m: +loadavg()[0].toFixed(2), os: `${platform()} ${release()}`, node: process.version, duckdb, opensslNode: process.versions.openssl, opensslCli, isolatedVm,
  };
}

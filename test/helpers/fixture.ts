import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDatabase, dropDatabase } from "../../runtime/scale/local-postgres.js";
import { authenticate } from "../../runtime/auth/authenticate.js";
import { Domain } from "../../runtime/domain/domain.js";
import { initDomain } from "../../runtime/domain/init.js";
import type { Session } from "../../runtime/services/session.js";

const run = promisify(execFile);
export const BIN = join(import.meta.dirname, "../../dist/runtime/cli/bin.js");

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "shuyu-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Which control store the suite runs against: the `postgresql` vitest project sets
 * SHUYU_TEST_CONTROL and starts one throwaway server (test/helpers/pg-global.ts);
 * each domain then gets its own database on it. DuckDB otherwise.
 */
export const TEST_CONTROL = process.env.SHUYU_TEST_CONTROL === "postgresql" ? "postgresql" : "duckdb";

/** A fresh control database for one domain when the suite runs on PostgreSQL (and its drop). */
async function testControl(): Promise<{ control?: string; drop: () => Promise<void> }> {
  if (TEST_CONTROL !== "postgresql") return { drop: async () => undefined };
  const admin = inject("pgAdminUrl");
  const name = `d_${randomBytes(6).toString("hex")}`;
  return { control: await createDatabase(admin, name), drop: () => dropDatabase(admin, name) };
}

/** Creates a real domain in a temp directory and returns its admin token. */
export async function newDomain(operator = "测试运营公司"): Promise<{ dir: string; adminToken: string; cleanup: () => void }> {
  const t = tempDir();
  const dir = join(t.dir, "domain");
  const store = await testControl();
  const r = await initDomain({ dir, operator, ...(store.control ? { control: store.control } : {}) });
  return {
    dir,
    adminToken: r.token,
    cleanup: () => {
      t.cleanup();
      void store.drop();
    },
  };
}

/** Opens the domain, authenticates `token`, runs `fn`, closes — the same path the CLI takes. */
export async function as<T>(dir: string, token: string, fn: (s: Session) => Promise<T>): Promise<T> {
  const domain = await Domain.open(dir);
  try {
    return await fn({ domain, principal: await authenticate(domain, token) });
  } finally {
    domain.close();
  }
}

/** Runs the built CLI; never throws on a non-zero exit. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : 99, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

/** Writes a CSV file from a header and rows. */
export function writeCsv(path: string, header: string[], rows: (string | number)[][]): string {
  writeFileSync(path, [header.join(","), ...rows.map((r) => r.join(","))].join("\n") + "\n");
  return path;
}

/** Runs `fn` with the domain clock at `iso` (SHUYU_NOW), restoring it afterwards. */
export async function atTime<T>(iso: string, fn: () => Promise<T>): Promise<T> {
  const before = process.env.SHUYU_NOW;
  process.env.SHUYU_NOW = iso;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.SHUYU_NOW;
    else process.env.SHUYU_NOW = before;
  }
}

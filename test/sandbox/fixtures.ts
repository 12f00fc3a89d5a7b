import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DEFAULT_LIMITS, type JobLimits, type JobSpec, type LibraryView } from "../../sandbox/index.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const WORKER = join(ROOT, "dist", "sandbox", "worker", "main.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestSource(p) : name.endsWith(".ts") ? s.mtimeMs : 0);
  }
  return newest;
}

function workerIsFresh(): boolean {
  try {
    return statSync(WORKER).mtimeMs >= newestSource(join(ROOT, "sandbox"));
  } catch {
    return false;
  }
}

/**
 * Compiles the sandbox into dist/ when the worker is missing or older than its
 * sources (`npm test` builds first, so this is for running one file by hand). A lock
 * directory keeps two test files from writing dist/ at once.
 */
export function ensureWorkerBuilt(): void {
  if (workerIsFresh()) return;
  const lock = join(tmpdir(), "shuyu-sandbox-build.lock");
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // the other builder just finished
      }
      Atomics.wait(nap, 0, 0, 200);
    }
  }
  try {
    if (!workerIsFresh()) {
      execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "sandbox", "tsconfig.build.json")], { stdio: "inherit" });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface Library {
  dir: string;
  views: LibraryView[];
}

/** Writes a library: one Parquet file per dataset, made by DuckDB from `select`. */
export async function makeLibrary(root: string, name: string, datasets: Record<string, string>): Promise<Library> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const views: LibraryView[] = [];
  for (const [view, select] of Object.entries(datasets)) {
    const file = join(dir, `${view}.parquet`);
    await conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
    const cols = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
    views.push({ name: view, file, columns: cols.getRows().map((r) => String(r[0])) });
  }
  conn.closeSync();
  instance.closeSync();
  return { dir, views };
}

/** A fresh temp directory for one test file. */
export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `shuyu-${prefix}-`));
}

let counter = 0;

/** A model job over `lib` with default limits unless overridden. */
export function modelJob(lib: Library, code: string, extra: Omit<Partial<JobSpec>, "limits"> & { limits?: Partial<JobLimits> } = {}): JobSpec {
  const { limits, ...rest } = extra;
  return {
    jobId: `t${++counter}`,
    libraryDir: lib.dir,
    views: lib.views,
    kind: "model",
    code,
    params: null,
    ...rest,
    limits: { ...DEFAULT_LIMITS, ...limits },
  };
}

/** A SQL job over `lib`. */
export function sqlJob(lib: Library, sql: string, extra: Omit<Partial<JobSpec>, "limits"> & { limits?: Partial<JobLimits> } = {}): JobSpec {
  return modelJob(lib, sql, { kind: "sql", ...extra });
}

/** Every value a result carries (tables, model, report, index, logs, error message) as one string. */
export function everything(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v));
}

import { createRequire } from "node:module";
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ShuyuError } from "../policies/errors.js";
import { checkOutcome } from "./outcome-check.js";
import type { RunMessage, WorkerMessage } from "./protocol.js";
import type { InternalJobOptions, JobLimits, JobOutcome, JobSpec } from "./types.js";

export interface WorkerPoolOptions {
  /** Jobs run at once, and warm spare workers kept booted beside them (default 2: one per core here). */
  size?: number;
  /** Compiled worker entry; defaults to dist/sandbox/worker/main.js of this project. */
  workerScript?: string;
  /** V8 heap cap of each worker's own (non-isolate) heap, MiB. */
  workerHeapMiB?: number;
  /** Resident-memory cap of a worker, MiB; default workerRssCapMiB(limits, workerHeapMiB). */
  rssCapMiB?: number;
  /** Lets runInternal switch the SQL guard off. Only the sandbox's own tests set this. */
  allowUnguardedSqlForTests?: boolean;
  /** Jobs one tenant (organisation) may run at once (default size - 1, at least 1), so one tenant's idle jobs cannot hold every worker. */
  perTenant?: number;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
  job?: Assignment;
  stderrTail: string;
}

interface Assignment {
  spec: JobSpec;
  tenant: string;
  resolve: (outcome: JobOutcome) => void;
  killedBy?: string;
  timers: NodeJS.Timeout[];
  settled: boolean;
  librarySnapshot: string;
}

interface Queued {
  tenant: string;
  message: RunMessage;
  resolve: (outcome: JobOutcome) => void;
}

const RSS_POLL_MS = 50;
const WALL_GRACE_MS = 2_000;
const REPLENISH_DELAY_MS = 100;
const BOOT_FAILURES_BEFORE_GIVING_UP = 3;

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the project root above the sandbox module");
    dir = up;
  }
  return dir;
}

/**
 * isolated-vm 7 loads its prebuilt addon through node-gyp-build, which probes paths
 * (/etc/alpine-release, build dirs) that the worker may not read; the owner resolves it.
 */
function resolveIvmAddon(root: string): string {
  const require = createRequire(join(root, "package.json"));
  const ivmDir = dirname(require.resolve("isolated-vm/package.json"));
  const gypBuild = require("node-gyp-build") as { path(dir: string): string };
  return gypBuild.path(ivmDir);
}

/** The worker's resident memory in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Process-level memory cap: isolate memoryLimit is only a guideline (attackers reach 2-3×). */
export function workerRssCapMiB(limits: JobLimits, workerHeapMiB: number): number {
  return 200 + workerHeapMiB + 4 * limits.memoryMiB;
}

/** Names, sizes and mtimes of the library's files, to notice a job writing into it. */
function librarySnapshot(dir: string): string {
  try {
    return readdirSync(dir)
      .sort()
      .map((name) => {
        const s = statSync(join(dir, name));
        return `${name}:${s.size}:${s.mtimeMs}`;
      })
      .join("|");
  } catch {
    return "";
  }
}

function validateSpec(spec: JobSpec): void {
  const bad = (what: string): never => {
    throw new ShuyuError("invalid", "JOB_SPEC_INVALID", `job spec: ${what}`, { details: { jobId: spec?.jobId } });
  };
  if (!spec || typeof spec.jobId !== "string" || spec.jobId === "") bad("jobId is required");
  if (typeof spec.libraryDir !== "string" || !isAbsolute(spec.libraryDir)) bad("libraryDir must be an absolute path");
  if (spec.kind !== "model" && spec.kind !== "sql" && spec.kind !== "account") bad("kind must be 'model', 'sql' or 'account'");
  if (spec.kind === "account" && (!Array.isArray(spec.queries) || !spec.queries.every((q) => typeof q?.sql === "string" && Array.isArray(q.params)))) bad("an accounting job carries queries [{ sql, params }]");
  if (typeof spec.code !== "string") bad("code must be a string");
  if (!Array.isArray(spec.views)) bad("views must be an array");
  for (const v of spec.views) {
    if (typeof v.name !== "string" || typeof v.file !== "string" || !Array.isArray(v.columns)) bad("malformed view");
    const rel = relative(resolve(spec.libraryDir), resolve(v.file));
    if (!isAbsolute(v.file) || rel === "" || rel.startsWith("..") || isAbsolute(rel)) bad(`view ${v.name}: file is not inside libraryDir`);
  }
  const limits = spec.limits as unknown as Record<string, unknown>;
  for (const key of ["memoryMiB", "cpuMs", "wallMs", "outputBytes", "rowsPerQuery", "queries", "logLines", "parts"]) {
    const n = limits?.[key];
    if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) bad(`limits.${key} must be a positive number`);
  }
}

/**
 * A pool of sandbox worker processes. Each worker runs one job and exits; the pool
 * keeps `size` warm ones started (modules loaded, parser ready) and replaces any
 * that crash, abort or are killed. No isolate ever runs in this process.
 */
export class WorkerPool {
  private readonly size: number;
  private readonly script: string;
  private readonly heapMiB: number;
  private readonly rssCap?: number;
  private readonly allowUnguarded: boolean;
  private bootFailures = 0;
  private readonly execArgv: string[];
  /** The isolated-vm addon file, resolved here so the worker need not probe the file system for it. */
  private readonly ivmAddon: string;
  private readonly workers = new Set<Worker>();
  private readonly queue: Queued[] = [];
  private readonly perTenant: number;
  /** When each tenant last got a worker (a counter), for round-robin between tenants. */
  private readonly lastServed = new Map<string, number>();
  private served = 0;
  private closed = false;

  constructor(opts: WorkerPoolOptions = {}) {
    const root = projectRoot();
    this.size = Math.max(1, opts.size ?? 2);
    this.script = opts.workerScript ?? join(root, "dist", "sandbox", "worker", "main.js");
    this.heapMiB = opts.workerHeapMiB ?? 1024;
    this.rssCap = opts.rssCapMiB;
    this.allowUnguarded = opts.allowUnguardedSqlForTests === true;
    this.perTenant = Math.max(1, opts.perTenant ?? this.size - 1);
    if (!existsSync(this.script)) {
      throw new ShuyuError("internal", "SANDBOX_NOT_BUILT", `sandbox worker ${this.script} is missing: run 'npm run build' first`);
    }
    this.ivmAddon = resolveIvmAddon(root);
    const scriptDir = dirname(dirname(this.script));
    const distDir = dirname(scriptDir);
    this.execArgv = [
      "--permission",
      // Node-level reads only: the worker's code and its two native addons. DuckDB's
      // own file access is native and governed by its lockdown, not by these flags.
      `--allow-fs-read=${join(root, "package.json")}`,
      `--allow-fs-read=${scriptDir}`,
      `--allow-fs-read=${join(distDir, "policies")}`,
      `--allow-fs-read=${join(root, "node_modules", "isolated-vm")}`,
      `--allow-fs-read=${join(root, "node_modules", "@duckdb")}`,
      // TypeScript models are transpiled in the worker (read-only: the compiler's own files).
      `--allow-fs-read=${join(root, "node_modules", "typescript")}`,
      "--allow-addons",
      "--no-node-snapshot",
      "--disallow-code-generation-from-strings",
      `--max-old-space-size=${this.heapMiB}`,
      "--no-warnings",
    ];
    this.replenish();
  }

  /** The Node flags every worker starts with (permission model, heap cap). */
  get workerExecArgv(): readonly string[] {
    return this.execArgv;
  }

  /** Process ids of workers running a job right now (supervision and tests). */
  busyWorkerPids(): number[] {
    return [...this.workers].filter((w) => w.job && !w.job.settled && w.child.pid !== undefined).map((w) => w.child.pid!);
  }

  /** Resolves once `size` idle workers are booted (benchmarks wait here between samples). */
  async warm(): Promise<void> {
    while ([...this.workers].filter((w) => w.ready && !w.job).length < this.size) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Runs one job to its outcome; never rejects for anything the job's code does. */
  run(spec: JobSpec): Promise<JobOutcome> {
    return this.runInternal(spec, {});
  }

  /** Test hook: runs with internal switches (e.g. SQL without the guard). Not for the domain. */
  async runInternal(spec: JobSpec, internal: InternalJobOptions): Promise<JobOutcome> {
    if (this.closed) throw new ShuyuError("internal", "SANDBOX_CLOSED", "the worker pool is closed");
    if (internal.unguardedSql && !this.allowUnguarded) {
      throw new ShuyuError("internal", "SANDBOX_UNGUARDED_REFUSED", "SQL without the guard is only for the sandbox's own tests");
    }
    validateSpec(spec);
    // TypeScript is transpiled in the worker, under the job's wall limit: a huge or deeply
    // nested model costs its own worker's time, never the owner's.
    return new Promise((resolveOutcome) => {
      this.queue.push({ tenant: spec.tenant ?? "", message: { type: "run", spec, code: spec.code, internal }, resolve: resolveOutcome });
      this.pump();
    });
  }

  /** Kills the worker running `jobId`, or drops it from the queue (outcome `killed`, reason CANCELLED); false if it is not here. */
  cancel(jobId: string): boolean {
    for (const w of this.workers) {
      if (w.job && !w.job.settled && w.job.spec.jobId === jobId) {
        w.job.killedBy ??= "CANCELLED";
        w.child.kill("SIGKILL");
        return true;
      }
    }
    const i = this.queue.findIndex((q) => q.message.spec.jobId === jobId);
    if (i < 0) return false;
    const [q] = this.queue.splice(i, 1);
    q.resolve({ state: "killed", reason: "CANCELLED", outputs: { tables: {}, logs: [] }, queries: 0 });
    return true;
  }

  /** Stops every worker (running jobs end as killed) and refuses new jobs. */
  async close(): Promise<void> {
    this.closed = true;
    const exits: Promise<void>[] = [];
    for (const w of this.workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        exits.push(new Promise((r) => w.child.once("exit", () => r())));
        if (w.job) w.job.killedBy ??= "POOL_CLOSED";
        w.child.kill("SIGKILL");
      }
    }
    for (const q of this.queue.splice(0)) q.resolve({ state: "killed", reason: "POOL_CLOSED", outputs: { tables: {}, logs: [] }, queries: 0 });
    await Promise.all(exits);
  }

  private spawn(): void {
    const child = fork(this.script, [this.ivmAddon], {
      execArgv: this.execArgv,
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: {},
    });
    const worker: Worker = { child, ready: false, stderrTail: "" };
    this.workers.add(worker);
    child.stderr?.on("data", (d: Buffer) => {
      worker.stderrTail = (worker.stderrTail + d.toString("utf8")).slice(-8192);
    });
    child.on("message", (raw: unknown) => this.onMessage(worker, raw as WorkerMessage));
    child.on("exit", () => this.onExit(worker));
    child.on("error", () => undefined);
  }

  private onMessage(worker: Worker, msg: WorkerMessage): void {
    if (msg?.type === "ready") {
      worker.ready = true;
      this.bootFailures = 0;
      this.pump();
    } else if (msg?.type === "outcome" && worker.job) {
      const job = worker.job;
      let outcome = checkOutcome(msg.outcome);
      if (job.killedBy) outcome = { state: "killed", reason: job.killedBy, outputs: { tables: {}, logs: [] }, queries: outcome.queries };
      this.settle(job, outcome);
      // The worker exits on its own; make sure of it.
      setTimeout(() => worker.child.kill("SIGKILL"), 1_000).unref();
      this.pump();
    }
  }

  private onExit(worker: Worker): void {
    this.workers.delete(worker);
    const job = worker.job;
    if (job && !job.settled) {
      let outcome: JobOutcome;
      if (job.killedBy) outcome = { state: "killed", reason: job.killedBy, outputs: { tables: {}, logs: [] }, queries: 0 };
      else if (/out of memory|heap limit|allocation failed/i.test(worker.stderrTail)) outcome = { state: "killed", reason: "LIMIT_MEMORY", outputs: { tables: {}, logs: [] }, queries: 0 };
      else outcome = { state: "failed", reason: "WORKER_CRASHED", error: { type: "Error", code: "WORKER_CRASHED", message: "the sandbox worker died while running the job" }, outputs: { tables: {}, logs: [] }, queries: 0 };
      this.settle(job, outcome);
    }
    if (this.closed) return;
    if (!worker.ready && !job) {
      // Died while booting (bad build, missing addon): back off instead of a fork loop.
      this.bootFailures++;
      if (this.bootFailures >= BOOT_FAILURES_BEFORE_GIVING_UP) {
        for (const q of this.queue.splice(0)) {
          q.resolve({ state: "failed", reason: "WORKER_BOOT_FAILED", error: { type: "Error", code: "WORKER_BOOT_FAILED", message: "the sandbox worker cannot start; see the operator's log" }, outputs: { tables: {}, logs: [] }, queries: 0 });
        }
      }
      setTimeout(() => {
        this.replenish();
        this.pump();
      }, Math.min(30_000, 250 * 2 ** Math.min(this.bootFailures, 7))).unref();
      return;
    }
    this.replenish();
    this.pump();
  }

  private settle(job: Assignment, outcome: JobOutcome): void {
    if (job.settled) return;
    job.settled = true;
    for (const t of job.timers) clearInterval(t);
    if (librarySnapshot(job.spec.libraryDir) !== job.librarySnapshot) {
      outcome = { state: "failed", reason: "LIBRARY_TAMPERED", error: { type: "Error", code: "LIBRARY_TAMPERED", message: "the job changed files in its library" }, outputs: { tables: {}, logs: outcome.outputs.logs }, queries: outcome.queries };
    }
    job.resolve(outcome);
  }

  /** Keeps `size` spare workers booted or booting; at most 2 × size processes exist. */
  private replenish(): void {
    if (this.closed) return;
    let spare = [...this.workers].filter((w) => !w.job).length;
    while (spare < this.size) {
      this.spawn();
      spare++;
    }
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const running = [...this.workers].filter((w) => w.job && !w.job.settled);
      if (running.length >= this.size) return;
      const worker = [...this.workers].find((w) => w.ready && !w.job);
      if (!worker) return;
      const at = this.pickNext(running.map((w) => w.job!.tenant));
      if (at < 0) return;
      const [next] = this.queue.splice(at, 1);
      this.lastServed.set(next.tenant, ++this.served);
      this.assign(worker, next);
    }
  }

  /**
   * The fair queue: among tenants below their concurrency cap, the one with the fewest
   * running jobs, then the one served longest ago; FIFO within a tenant. -1 when every
   * queued job's tenant is at its cap.
   */
  private pickNext(runningTenants: string[]): number {
    const running = new Map<string, number>();
    for (const t of runningTenants) running.set(t, (running.get(t) ?? 0) + 1);
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const t = this.queue[i].tenant;
      const n = running.get(t) ?? 0;
      // Jobs without a tenant (the sandbox's own tests, benches) share only the pool's size.
      if (n >= (t === "" ? this.size : this.perTenant)) continue;
      if (best < 0) {
        best = i;
        continue;
      }
      const b = this.queue[best].tenant;
      if (t === b) continue;
      const nb = running.get(b) ?? 0;
      if (n < nb || (n === nb && (this.lastServed.get(t) ?? 0) < (this.lastServed.get(b) ?? 0))) best = i;
    }
    return best;
  }

  private assign(worker: Worker, q: Queued): void {
    const { spec } = q.message;
    const job: Assignment = { spec, tenant: q.tenant, resolve: q.resolve, timers: [], settled: false, librarySnapshot: librarySnapshot(spec.libraryDir) };
    worker.job = job;
    worker.ready = false;
    const pid = worker.child.pid!;
    const killWith = (reason: string): void => {
      job.killedBy ??= reason;
      worker.child.kill("SIGKILL");
    };
    const cap = this.rssCap ?? workerRssCapMiB(spec.limits, this.heapMiB);
    job.timers.push(setTimeout(() => killWith("LIMIT_WALL"), spec.limits.wallMs + WALL_GRACE_MS));
    job.timers.push(setInterval(() => {
      if (rssMiB(pid) > cap) killWith("LIMIT_MEMORY");
    }, RSS_POLL_MS));
    worker.child.send(q.message);
    // A replacement boots shortly after, so the next job finds a warm worker but the
    // ~0.6 s of booting does not compete with this job's start on a small machine.
    setTimeout(() => this.replenish(), REPLENISH_DELAY_MS).unref();
  }
}

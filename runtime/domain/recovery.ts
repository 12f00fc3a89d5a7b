import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import { scanChain } from "../audit/chain.js";
import { all, exec, ident } from "./db.js";
import type { Domain } from "./domain.js";
import { applyMoves, TEMP_NAME, type Move } from "./pending-files.js";
import { pendingReads } from "./pending-reads.js";
import { isAlive } from "./process-identity.js";
import { lateRun } from "../scale/late-results.js";

/** What one recovery pass found and did (empty lists: the domain was closed cleanly). */
export interface RecoveryReport {
  /** Bytes of a torn last chain line cut off (a crash or full disk mid-append). */
  tornTailBytes: number;
  /** Chain entries past the committed head: their transaction never committed, so they were removed. */
  uncommittedEntries: { seq: number; action: string; object: string; hash: string }[];
  /** Committed transactions whose files were still under temporary names: moved into place. */
  intentsCompleted: number;
  /** Temporary files and folders of transactions that never committed (and staging folders of jobs never recorded): removed. */
  tempRemoved: string[];
  /** Packages in outbox/ that no product row registers: removed. */
  packagesRemoved: string[];
  /** Jobs whose owner process is gone: now failed with reason INTERRUPTED. */
  jobsInterrupted: string[];
  /** Scale-out jobs whose owner died while a worker host ran them: finished from the host's late result. */
  jobsCollected: string[];
  /** Scale-out jobs whose owner died and that a worker host still runs (or may claim): left running for a later open. */
  jobsOnHosts: string[];
  /** Vault tables no control row refers to: dropped. */
  vaultTablesDropped: string[];
  /** Audit records of read-only commands chained from audit/pending/. */
  readsChained: number;
  /** Set when the pass stopped early (it runs again at the next open). */
  failed?: string;
}

/** A report of a pass that did nothing. */
export function emptyRecovery(): RecoveryReport {
  return { tornTailBytes: 0, uncommittedEntries: [], intentsCompleted: 0, tempRemoved: [], packagesRemoved: [], jobsInterrupted: [], jobsCollected: [], jobsOnHosts: [], vaultTablesDropped: [], readsChained: 0 };
}

/** True when the pass changed nothing. */
export function recoveryIsEmpty(r: RecoveryReport): boolean {
  return !r.failed && !r.tornTailBytes && !r.uncommittedEntries.length && !r.intentsCompleted && !r.tempRemoved.length && !r.packagesRemoved.length && !r.jobsInterrupted.length && !r.jobsCollected.length && !r.vaultTablesDropped.length && !r.readsChained;
}

/** One line for people. */
export function describeRecovery(r: RecoveryReport): string {
  const parts = [
    r.tornTailBytes ? `cut a torn audit tail of ${r.tornTailBytes} bytes` : "",
    r.uncommittedEntries.length ? `removed ${r.uncommittedEntries.length} audit entr${r.uncommittedEntries.length === 1 ? "y" : "ies"} of an uncommitted action` : "",
    r.intentsCompleted ? `finished ${r.intentsCompleted} committed write(s)` : "",
    r.tempRemoved.length ? `removed ${r.tempRemoved.length} temporary file(s)` : "",
    r.packagesRemoved.length ? `removed ${r.packagesRemoved.length} unregistered package(s)` : "",
    r.jobsInterrupted.length ? `marked ${r.jobsInterrupted.length} job(s) INTERRUPTED (${r.jobsInterrupted.join(", ")})` : "",
    r.jobsCollected.length ? `finished ${r.jobsCollected.length} job(s) from their worker host's result (${r.jobsCollected.join(", ")})` : "",
    r.vaultTablesDropped.length ? `dropped ${r.vaultTablesDropped.length} orphaned vault table(s)` : "",
    r.readsChained ? `chained ${r.readsChained} read record(s)` : "",
    r.failed ? `stopped early (${r.failed}); the next open tries again` : "",
  ].filter(Boolean);
  return parts.join("; ");
}

/**
 * The recovery pass every writer open runs (README.md: the write protocol). It relies on
 * the protocol's invariant: a transaction's rows, its audit head and its intent row commit
 * together, so anything on disk the committed state does not name is an unfinished write.
 */
export async function recover(domain: Domain): Promise<RecoveryReport> {
  const report: RecoveryReport = {
    tornTailBytes: domain.chain.repairedTornBytes, uncommittedEntries: [], intentsCompleted: 0, tempRemoved: [], packagesRemoved: [],
    jobsInterrupted: [], jobsCollected: [], jobsOnHosts: [], vaultTablesDropped: [], readsChained: 0,
  };
  const p = domain.paths;
  await domain.exclusive(async () => {
    // 1. Chain entries past the committed head belong to a transaction that never committed.
    const anchor = await domain.auditAnchor().catch(() => undefined);
    if (anchor && domain.chain.last.seq > anchor.seq) {
      const entries = scanChain(p.audit).entries;
      if (entries[anchor.seq - 1]?.hash === anchor.hash || anchor.seq === 0) {
        report.uncommittedEntries = entries.slice(anchor.seq).map((e) => ({ seq: e.seq, action: e.action, object: e.object, hash: e.hash }));
        domain.chain.truncateAfter(anchor.seq);
      }
    }
    // 2. Committed writes whose renames did not all happen.
    const intents = await all<{ id: string; moves: string }>(domain.control, "SELECT id, moves FROM intents").catch(() => []);
    for (const i of intents) {
      applyMoves(JSON.parse(i.moves) as Move[], i.id);
      await exec(domain.control, "DELETE FROM intents WHERE id = ?", [i.id]);
      report.intentsCompleted++;
    }
    // 3. Temporary files of transactions that never committed.
    for (const dir of [p.dir, p.keys, p.auditDir, p.libraries, p.samples, p.staging, p.outbox]) {
      if (!existsSync(dir)) continue;
      for (const n of readdirSync(dir)) {
        if (!TEMP_NAME.test(n)) continue;
        rmSync(join(dir, n), { recursive: true, force: true });
        report.tempRemoved.push(join(basename(dir), n));
      }
    }
    // 3b. Staging folders of jobs whose row never committed (the job's kept code is written just before it).
    if (existsSync(p.staging)) {
      const jobs = new Set((await all<{ id: string }>(domain.control, "SELECT id FROM jobs")).map((r) => r.id));
      for (const n of readdirSync(p.staging)) {
        if (!/^job-\d{8}-[0-9a-f]{8}$/.test(n) || jobs.has(n)) continue;
        rmSync(join(p.staging, n), { recursive: true, force: true });
        report.tempRemoved.push(join(basename(p.staging), n));
      }
    }
    // 4. Packages no product row registers (sealed before a commit that never happened).
    if (existsSync(p.outbox)) {
      const registered = new Set((await all<{ package: string }>(domain.control, "SELECT package FROM products")).map((r) => basename(r.package)));
      for (const n of readdirSync(p.outbox)) {
        if (n.endsWith(".tar") && !registered.has(n)) {
          rmSync(join(p.outbox, n), { force: true });
          report.packagesRemoved.push(n);
        }
      }
    }
    // 5. Vault tables no row refers to: a half-done ingest, staging or egress check.
    report.vaultTablesDropped = await dropUnreferencedVaultTables(domain);
  });
  // 6. Jobs whose owner process is gone.
  const open = await all<{ id: string; pid: number | null; start: string | null; host: string | null }>(
    domain.control,
    "SELECT j.id, o.pid, o.start, o.host FROM jobs j LEFT JOIN job_owners o ON o.job = j.id WHERE j.state IN ('queued', 'running')",
  );
  for (const j of open) {
    if (j.pid !== null && isAlive({ pid: j.pid, start: j.start ?? "unknown", host: j.host ?? "" })) continue;
    // Scale-out: a worker host may have finished (or still run) the job after its owner died.
    const late = await lateRun(domain, j.id);
    if (late.kind === "on-host") {
      report.jobsOnHosts.push(j.id);
      continue;
    }
    if (late.kind === "result") {
      // The owner's own finish path (staging, ledger, marks, audit), once: it ends only a job still running.
      const { finishLateResult } = await import("../services/jobs.js");
      await finishLateResult(domain, j.id, late.worker, late.outcome);
      await late.staged();
      report.jobsCollected.push(j.id);
      continue;
    }
    await domain.mutate(async () => {
      await domain.control.run("UPDATE jobs SET state = 'failed', reason = 'INTERRUPTED', finished_at = now()::TIMESTAMP WHERE id = ? AND state IN ('queued', 'running')", [j.id]);
      await domain.audit({ actor: "system", action: "job.failed", object: `job:${j.id}`, details: { reason: "INTERRUPTED", why: "its owner process ended before the job finished" } });
    });
    rmSync(p.jobStaging(j.id), { recursive: true, force: true });
    report.jobsInterrupted.push(j.id);
  }
  // 7. Reads recorded while the domain was held by another process.
  const reads = pendingReads(p);
  if (reads.length) {
    await domain.mutate(async () => {
      for (const r of reads) await domain.audit({ actor: r.input.actor, action: r.input.action, object: r.input.object, details: { ...(r.input.details ?? {}), readAt: r.input.time } });
    });
    for (const r of reads) rmSync(r.file, { force: true });
    report.readsChained = reads.length;
  }
  if (!recoveryIsEmpty({ ...report, readsChained: 0 })) {
    await domain.audit({ actor: "system", action: "domain.recover", object: `domain:${domain.info.id}`, details: { ...report } });
  }
  return report;
}

async function dropUnreferencedVaultTables(domain: Domain): Promise<string[]> {
  const dropped = await domain.dropOrphanVaultTables();
  // A row this pass cannot read (not JSON) might name any table: then nothing of that kind is dropped.
  const parse = <T>(text: string): T | undefined => {
    try {
      return JSON.parse(text) as T;
    } catch {
      return undefined;
    }
  };
  const staged = new Set<string>();
  let stagedKnown = true;
  for (const r of await all<{ outputs: string | null }>(domain.control, "SELECT outputs FROM jobs WHERE outputs IS NOT NULL")) {
    const parts = parse<{ table?: string }[]>(r.outputs!);
    if (!Array.isArray(parts)) stagedKnown = false;
    else for (const part of parts) if (part?.table) staged.add(part.table);
  }
  const checked = new Set<string>();
  let checkedKnown = true;
  for (const r of await all<{ desensitization: string }>(domain.control, "SELECT desensitization FROM egress")) {
    const d = parse<{ tables?: { output: string }[] }>(r.desensitization);
    if (!d) checkedKnown = false;
    else for (const t of d.tables ?? []) checked.add(t.output);
  }
  const tables = await all<{ table_name: string }>(domain.vault, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main'");
  for (const { table_name: t } of tables) {
    const orphan = (stagedKnown && t.startsWith("stg_") && !staged.has(t)) || (checkedKnown && t.startsWith("egr_") && !checked.has(t)) || t.endsWith("__load");
    if (!orphan) continue;
    await exec(domain.vault, `DROP TABLE IF EXISTS ${ident(t)}`);
    dropped.push(t);
  }
  return dropped;
}

import { createHash } from "node:crypto";
import type { DuckDBConnection } from "@duckdb/node-api";
import { DEFAULT_LIMITS, type JobLimits, type JobOutcome, type JobSpec, type LedgerColumnMeta, type LedgerQuery, type LibraryView, type LoggedQuery } from "../../sandbox/index.js";
import { all, exec, ident } from "../domain/db.js";
import { writeColumnarTable } from "../jobs/staging.js";
import { resultConstants, untracedCount, type JobOrigin } from "./constants.js";
import { LEDGER_QUERIES, ledgerColumnSubjectsTable, ledgerMapTable, ledgerSubjectsTable, ledgerTable } from "./tables.js";

/** One row of led_queries with the names of its tables. */
export interface LedgerEntry {
  job: string;
  q: number;
  sqlSm3: string;
  kind: LedgerQuery["kind"];
  reason: string | null;
  meta: { columns: LedgerColumnMeta[] };
  rows: number;
  table?: string;
  subjects?: string;
}

/** Identical queries (same text, same bound values) are accounted once, in first-seen order. */
export function dedupeQueries(log: LoggedQuery[] | undefined): LoggedQuery[] {
  const seen = new Set<string>();
  const out: LoggedQuery[] = [];
  for (const q of log ?? []) {
    const key = JSON.stringify([q.sql, q.params]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(q);
  }
  return out;
}

/**
 * The accounting job for a finished job: same library snapshot, views that expose the
 * hidden sid, the job's deduplicated queries, and room for the second grouped pass.
 */
export function accountingSpec(job: JobSpec, queries: LoggedQuery[]): JobSpec {
  const limits: JobLimits = {
    ...DEFAULT_LIMITS,
    ...job.limits,
    memoryMiB: Math.max(job.limits.memoryMiB, 512),
    wallMs: Math.max(job.limits.wallMs * 4, 60_000),
    queries: Math.max(1, queries.length),
  };
  const views: LibraryView[] = job.views.map((v) => ({ ...v, dataset: v.dataset ?? v.name }));
  return { jobId: `${job.jobId}-account`, libraryDir: job.libraryDir, views, kind: "account", code: "", params: null, queries, limits };
}

async function ensureSchema(conn: DuckDBConnection): Promise<void> {
  await exec(conn, `CREATE TABLE IF NOT EXISTS ${LEDGER_QUERIES} (job VARCHAR, q INTEGER, sql_sm3 VARCHAR, kind VARCHAR, reason VARCHAR, meta JSON, rows BIGINT)`);
}

/**
 * Stores a job's ledger in the vault: one led_queries row per deduplicated query (an
 * accounting run that failed makes every query `unaccounted` with its reason) and the
 * accounted tables the run returned. With the job's `origin`, a query carrying values into its
 * result that the code did not fix (ledger/constants.ts) is stored `unaccounted`.
 */
export async function writeLedger(conn: DuckDBConnection, job: string, queries: LoggedQuery[], run: JobOutcome | undefined, origin?: JobOrigin): Promise<LedgerEntry[]> {
  await ensureSchema(conn);
  await purgeLedger(conn, job);
  const failed = !run || run.state !== "succeeded" || !Array.isArray(run.ledger);
  const entries: LedgerEntry[] = [];
  for (let q = 0; q < queries.length; q++) {
    const got = failed ? undefined : run!.ledger!.find((l) => l.q === q);
    const entry: LedgerEntry = {
      job, q, sqlSm3: createHash("sm3").update(queries[q].sql).digest("hex"),
      kind: got?.kind ?? "unaccounted",
      reason: got ? (got.reason ?? null) : `the accounting run ${run ? `ended ${run.state}${run.reason ? ` (${run.reason})` : ""}` : "did not run"}`,
      meta: got?.meta ?? { columns: [] },
      rows: got?.rows ?? 0,
    };
    if (origin && entry.kind !== "unaccounted") {
      const values = await resultConstants(conn, queries[q].sql, queries[q].params);
      const n = values ? untracedCount(values, origin) : 1;
      if (n > 0) {
        entry.kind = "unaccounted";
        // The values themselves may be raw data: the reason counts them, never shows them.
        entry.reason = `${n} value(s) in its select list or GROUP BY are neither constants of the job's code nor its parameters (computed at run time, e.g. from rows an earlier query read, they would ride on an accounted statistic): write them in the code or pass them as job parameters`;
      }
    }
    const table = got && entry.kind !== "unaccounted" ? run!.outputs.tables[`q${q}`] : undefined;
    const subjects = got && entry.kind !== "unaccounted" ? run!.outputs.tables[`q${q}_subjects`] : undefined;
    if (table && subjects) {
      entry.table = ledgerTable(job, q);
      entry.subjects = ledgerSubjectsTable(job, q);
      await writeColumnarTable(conn, entry.table, table);
      await writeColumnarTable(conn, entry.subjects, subjects);
      const columnSubjects = run!.outputs.tables[`q${q}_colsubjects`];
      if (columnSubjects) await writeColumnarTable(conn, ledgerColumnSubjectsTable(entry.table), columnSubjects);
    } else if (entry.kind !== "unaccounted") {
      entry.kind = "unaccounted";
      entry.reason = "the accounting run returned no ledger table";
    }
    await exec(conn, `INSERT INTO ${LEDGER_QUERIES} VALUES (?, ?, ?, ?, ?, ?::JSON, ?)`, [job, q, entry.sqlSm3, entry.kind, entry.reason, JSON.stringify(entry.meta), BigInt(entry.rows)]);
    entries.push(entry);
  }
  return entries;
}

/** A job's ledger as stored (empty when it ran no query). */
export async function readLedger(conn: DuckDBConnection, job: string): Promise<LedgerEntry[]> {
  await ensureSchema(conn);
  const rows = await all<{ job: string; q: number; sql_sm3: string; kind: LedgerEntry["kind"]; reason: string | null; meta: string; rows: bigint }>(
    conn, `SELECT job, q, sql_sm3, kind, reason, meta::VARCHAR AS meta, rows FROM ${LEDGER_QUERIES} WHERE job = ? ORDER BY q`, [job],
  );
  return rows.map((r) => ({
    job: r.job, q: r.q, sqlSm3: r.sql_sm3, kind: r.kind, reason: r.reason, meta: JSON.parse(r.meta) as LedgerEntry["meta"], rows: Number(r.rows),
    ...(r.kind !== "unaccounted" ? { table: ledgerTable(r.job, r.q), subjects: ledgerSubjectsTable(r.job, r.q) } : {}),
  }));
}

/** Drops every led_* and lmap_* table of `job` and its led_queries rows (purged with the job's staging). */
export async function purgeLedger(conn: DuckDBConnection, job: string): Promise<void> {
  await ensureSchema(conn);
  const prefixes = [ledgerTable(job, 0).replace(/0$/, ""), ledgerMapTable(job, "")];
  const tables = await all<{ table_name: string }>(conn, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND database_name = current_database()");
  for (const t of tables) if (prefixes.some((p) => t.table_name.startsWith(p))) await exec(conn, `DROP TABLE IF EXISTS ${ident(t.table_name)}`);
  await exec(conn, `DELETE FROM ${LEDGER_QUERIES} WHERE job = ?`, [job]);
}

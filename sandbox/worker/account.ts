/**
 * The accounting job (CONTRACT.md): re-guards and re-runs each logged query of a
 * finished job in accounted form, on views that expose the hidden sid. No isolate and
 * no developer code run here; the only developer input is the query text and its
 * bound values, so the ledger's counts come from the data, not from the model.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { accountQuery, type AccountingView } from "../accounting/index.js";
import { guardSql } from "../sqlguard/guard.js";
import { toGuardViews } from "../sqlguard/guard-views.js";
import type { ColumnarTable, JobOutcome, JobSpec, LedgerQuery } from "../types.js";

/** Runs every query of an `account` job; a query that cannot be accounted is recorded as `unaccounted`, never dropped. */
export async function runAccounting(spec: JobSpec, conn: DuckDBConnection, parser: DuckDBConnection, startedAt: number): Promise<JobOutcome> {
  const queries = spec.queries ?? [];
  const views: AccountingView[] = spec.views.map((v) => ({ name: v.name, dataset: v.dataset ?? v.name, columns: v.columns, sid: v.sidColumn ?? "__sid", subject: v.subject, roles: v.roles }));
  const withSids = spec.views.every((v) => typeof v.sidColumn === "string" && v.sidColumn !== "");
  const ledger: LedgerQuery[] = [];
  const tables: Record<string, ColumnarTable> = {};
  const timer = setTimeout(() => conn.interrupt(), spec.limits.wallMs);
  try {
    for (let q = 0; q < queries.length; q++) {
      const { sql, params } = queries[q];
      if (!withSids) {
        ledger.push({ q, kind: "unaccounted", reason: "the library has no subject ids (__sid)", meta: { columns: [] }, rows: 0 });
        continue;
      }
      try {
        // The grant's roles apply here whatever the model's run used: re-guarding is never looser.
        await guardSql(sql, toGuardViews(spec.views), parser, params);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        ledger.push({ q, kind: "unaccounted", reason: `refused by the SQL guard (${typeof code === "string" ? code : "SQL_ERROR"})`, meta: { columns: [] }, rows: 0 });
        continue;
      }
      const accounted = await accountQuery(conn, parser, sql, params, views, spec.limits.rowsPerQuery);
      ledger.push({ q, ...accounted.entry });
      if (accounted.table) tables[`q${q}`] = accounted.table;
      if (accounted.subjects) tables[`q${q}_subjects`] = accounted.subjects;
      if (accounted.columnSubjects) tables[`q${q}_colsubjects`] = accounted.columnSubjects;
    }
  } catch (err) {
    if (Date.now() - startedAt >= spec.limits.wallMs) return { state: "killed", reason: "LIMIT_WALL", outputs: { tables: {}, logs: [] }, queries: queries.length };
    const message = err instanceof Error ? err.message : String(err);
    return { state: "failed", reason: "ACCOUNTING_FAILED", error: { type: "Error", code: "ACCOUNTING_FAILED", message }, outputs: { tables: {}, logs: [] }, queries: queries.length };
  } finally {
    clearTimeout(timer);
  }
  return { state: "succeeded", outputs: { tables, logs: [] }, queries: queries.length, ledger, startMs: 0 };
}

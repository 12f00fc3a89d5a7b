/**
 * The job's ledger as the content checks read it (CONTRACT.md, "Accounted queries and the
 * ledger"): `led_queries` rows of the job, each query's result table `led_<J>_q<q>` and subject
 * table `led_<J>_q<q>_subjects`. Everything here is computed by the domain's accounting run, never
 * reported by the model, so tracing an output value to a ledger cell is evidence the value is an
 * accounted statistic.
 */
import { quoteIdent, quoteLiteral } from "../../desensitize/sql-quote.js";
import type { CheckContext } from "../context.js";
import type { LedgerColumn } from "../types.js";
import { ledgerSubjectsTable, ledgerTable } from "../../../runtime/ledger/tables.js";

// The ledger owns the names of its vault tables (tables.js, not index.js: policies need no worker or DuckDB code to name them).
export { ledgerSubjectsTable, ledgerTable };

/** One accounted query of the job. */
export interface LedgerQuery {
  q: number;
  kind: "aggregate" | "rows" | "unaccounted";
  table: string;
  /** Result columns (original names, without the `__` bookkeeping columns). */
  columns: string[];
  /** Columns whose statistic rests on a single subject (min/max/median-like): no evidence. */
  single: Set<string>;
  /** Aggregate of each result column (from meta.columns), when known. */
  aggs: Map<string, string>;
  /** aggregate: result rows with fewer than k subjects; rows: distinct subjects. */
  perSubjectRows: number;
  /** The ledger's `meta.columns`, as the table rules read them. */
  meta: LedgerColumn[];
}

/** The job's accounted queries with their ledger tables (none when the job or the ledger is absent). */
export function ledgerQueries(ctx: CheckContext): Promise<LedgerQuery[]> {
  return ctx.once("content:ledger", async () => {
    const job = ctx.input.job;
    if (!job || !(await ctx.tableExists("led_queries"))) return [];
    const rows = await ctx.rows(`SELECT q, kind, meta FROM led_queries WHERE job = ${quoteLiteral(job)} ORDER BY q`);
    const out: LedgerQuery[] = [];
    for (const r of rows) {
      const q = Number(r.q);
      const kind = String(r.kind) as LedgerQuery["kind"];
      const table = ledgerTable(job, q);
      if (kind === "unaccounted" || !(await ctx.tableExists(table))) continue;
      const desc = await ctx.rows(`DESCRIBE SELECT * FROM ${quoteIdent(table)}`);
      const columns = desc.map((d) => String(d.column_name)).filter((c) => !c.startsWith("__"));
      let meta: { columns?: { name: string; agg?: string }[] } = {};
      try {
        meta = JSON.parse(String(r.meta ?? "{}")) as typeof meta;
      } catch {
        meta = {};
      }
      const single = new Set((meta.columns ?? []).filter((c) => c.agg === "single" || c.agg === "values").map((c) => c.name));
      const n =
        kind === "aggregate"
          ? await ctx.rows(`SELECT count(*) AS n FROM ${quoteIdent(table)} WHERE __subjects < ${ctx.thresholds.k}`)
          : await ctx.rows(`SELECT count(DISTINCT __sid) AS n FROM ${quoteIdent(table)}`);
      const aggs = new Map((meta.columns ?? []).filter((c) => c.agg).map((c) => [c.name, c.agg!]));
      out.push({ q, kind, table, columns, single, aggs, perSubjectRows: Number(n[0].n), meta: (meta.columns ?? []) as LedgerColumn[] });
    }
    return out;
  });
}

/**
 * TEMP table of every ledger cell: (q, lrow, lcol, s canonical text, x DOUBLE, subjects).
 * `subjects` is the row's distinct-subject count for aggregate queries, 1 for row queries and for
 * single-subject statistics (a max is one person's value, however many rows it ranged over).
 */
export function ledgerCells(ctx: CheckContext): Promise<string | undefined> {
  return ctx.once("content:ledger-cells", async () => {
    const qs = await ledgerQueries(ctx);
    if (qs.length === 0) return undefined;
    const { name, ref } = ctx.tempTable("content_ledger");
    const parts: string[] = [];
    for (const l of qs) {
      const has = new Set((await ctx.rows(`DESCRIBE SELECT * FROM ${quoteIdent(l.table)}`)).map((d) => String(d.column_name)));
      for (const c of l.columns) {
        const col = quoteIdent(c);
        const subjects = l.kind === "aggregate" && !l.single.has(c) ? contributingSubjects(l, c, has, ctx.thresholds.contributorRest) : "1";
        parts.push(
          `SELECT ${l.q} AS q, __row AS lrow, ${quoteLiteral(c)} AS lcol,
             lower(CASE WHEN TRY_CAST(${col} AS DOUBLE) IS NOT NULL AND typeof(${col}) <> 'VARCHAR' THEN printf('%.12g', ${col}::DOUBLE) ELSE CAST(${col} AS VARCHAR) END) AS s,
             TRY_CAST(${col} AS DOUBLE) AS x, ${subjects}::BIGINT AS subjects,
             ${l.kind === "aggregate" ? "__subjects" : "1"}::BIGINT AS rowsubjects
           FROM ${quoteIdent(l.table)} WHERE ${col} IS NOT NULL`,
        );
      }
    }
    if (parts.length === 0) return undefined;
    await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} AS ${parts.join(" UNION ALL ")}`);
    return ref;
  });
}

/**
 * The subjects a cell's value rests on: the row's distinct subjects, or, for an additive column
 * whose ledger counted its contributors, the fewer of those (a conditional sum is a cell of the
 * subjects it sums) — 1 or 2 when the largest contributions are the value (rule `contributors`).
 */
function contributingSubjects(l: LedgerQuery, column: string, has: Set<string>, rest: number): string {
  const i = l.meta.findIndex((m) => m.name === column);
  if (i < 0 || !has.has(`__nonzero_${i}`)) return "__subjects";
  const [nz, t, m1, m2] = ["__nonzero", "__total", "__mag1", "__mag2"].map((p) => quoteIdent(`${p}_${i}`));
  return `CASE WHEN abs(${t}) > 0 AND abs(${t} - ${m1}) <= ${rest} * abs(${t}) THEN 1
    WHEN abs(${t}) > 0 AND abs(${t} - ${m1} - ${m2}) <= ${rest} * abs(${t}) THEN least(2, __subjects)
    ELSE least(__subjects, ${nz}) END`;
}

/** Distinct subjects behind every accounted query of the job (the model's training subjects). */
export function ledgerSubjects(ctx: CheckContext): Promise<number | undefined> {
  return ctx.once("content:ledger-subjects", async () => {
    const job = ctx.input.job;
    const qs = await ledgerQueries(ctx);
    if (!job || qs.length === 0) return undefined;
    const parts: string[] = [];
    for (const l of qs) {
      if (l.kind === "rows") parts.push(`SELECT __sid FROM ${quoteIdent(l.table)}`);
      else if (await ctx.tableExists(ledgerSubjectsTable(job, l.q))) parts.push(`SELECT __sid FROM ${quoteIdent(ledgerSubjectsTable(job, l.q))}`);
    }
    if (parts.length === 0) return undefined;
    const r = await ctx.rows(`SELECT count(DISTINCT __sid) AS n FROM (${parts.join(" UNION ALL ")})`);
    return Number(r[0].n);
  });
}

/**
 * SQL list of the `%.12g` keys of `x` written with `d` decimals: rounded half away from zero,
 * half to even, truncated or raised (JS toFixed, Python round and spreadsheets differ).
 */
export function roundedKeys(x: string, d: string): string {
  const f = `pow(10, ${d})`;
  return `list_distinct([printf('%.12g', round(${x}, ${d})), printf('%.12g', round_even(${x}, ${d})), printf('%.12g', floor(${x} * ${f}) / ${f}), printf('%.12g', ceil(${x} * ${f}) / ${f})])`;
}

/** A number to trace: its value and the decimals it was written with (negative for 1.2万 = 12000 at -3). */
export interface TraceProbe {
  x: number;
  decimals: number;
}

/**
 * For each probe, the largest subject count of a ledger cell it equals, or equals rounded to
 * the probe's decimals (`round(cell, d) = x`, compared as `%.12g`); undefined when none.
 * One equi-join per distinct decimals value, so it stays a hash join however many cells.
 * With `rowsubjects`, single-subject statistics count their row's subjects (quantiles, maxima).
 */
export async function traceNumbers(ctx: CheckContext, probes: readonly TraceProbe[], count: "subjects" | "rowsubjects" = "subjects"): Promise<(number | undefined)[]> {
  const cells = await ledgerCells(ctx);
  const out: (number | undefined)[] = probes.map(() => undefined);
  if (!cells || probes.length === 0) return out;
  const { name, ref } = ctx.tempTable("content_trace");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (i INTEGER, x DOUBLE, d INTEGER)`);
  const app = await ctx.conn.createAppender(name, "main", "temp");
  probes.forEach((p, i) => {
    if (!Number.isFinite(p.x)) return;
    app.appendInteger(i);
    app.appendDouble(p.x);
    app.appendInteger(Math.max(-12, Math.min(12, p.decimals)));
    app.endRow();
  });
  app.closeSync();
  const rows = await ctx.rows(
    `WITH ds AS (SELECT DISTINCT d FROM ${ref}),
     keys AS (SELECT d, k, max(s) AS s FROM (SELECT ds.d, unnest(${roundedKeys("c.x", "ds.d")}) AS k, c.${count} AS s FROM ${cells} c, ds WHERE c.x IS NOT NULL) GROUP BY ALL)
     SELECT p.i, max(k.s) AS s FROM ${ref} p JOIN keys k ON k.d = p.d AND k.k = printf('%.12g', p.x) GROUP BY p.i`,
  );
  for (const r of rows) out[Number(r.i)] = Number(r.s);
  return out;
}

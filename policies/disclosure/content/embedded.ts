/**
 * Tables embedded in a report, made into output tables the table rules check like any other:
 * each is written to a TEMP table and traced to the job's ledger. A table whose every row equals
 * (cell by cell, numbers equal or rounded to the decimals shown) one ledger row of one accounted
 * query is marked like a staged accounted table (`accounted-aggregate` / `accounted-rows`, with
 * the column mapping and a row map); any other is `computed`.
 */
import { quoteIdent } from "../../desensitize/sql-quote.js";
import type { CheckContext, ResolvedTable } from "../context.js";
import { extractTables, type ExtractedTable } from "./extract-tables.js";
import { ledgerCells, ledgerQueries, ledgerSubjectsTable, ledgerTable, roundedKeys } from "./ledger.js";
import { numbersInText } from "./numbers.js";

/** The mark of an embedded table, in the staging mark's shape (CONTRACT.md "Marks"). */
export interface EmbeddedMark {
  kind: "accounted-aggregate" | "accounted-rows" | "computed";
  query?: number;
  columns?: Record<string, string>;
  /** TEMP table (out_row, __row) aligning each row of the embedded table to its ledger row. */
  map?: string;
}

/** An embedded table as pushed into the check context. */
export interface EmbeddedTable {
  extracted: ExtractedTable;
  table: ResolvedTable & { mark: EmbeddedMark };
  /** Where it came from, for findings (`report, Markdown table at line 4`). */
  place: string;
  /** Smallest subject count among the ledger rows it traces to. */
  minSubjects?: number;
}

function cellNumber(v: string): { x: number; decimals: number }[] {
  const t = v.normalize("NFKC").trim();
  const ns = numbersInText(t);
  // A cell that is one number with at most a short unit (`400 人`, `1,025.3 元`, `27.5%`) is numeric; `2025年3月` is text.
  if (ns.length !== 1) return [];
  const rest = t.replace(/[\s,]/g, "").replace(ns[0].text.replace(/\s/g, ""), "");
  if (rest.length > 0 && !(/^[^\d]{1,4}$/u.test(rest) && (t.startsWith(rest) || t.endsWith(rest)))) return [];
  return [{ x: ns[0].x, decimals: ns[0].decimals }, ...ns[0].variants];
}

async function materialise(ctx: CheckContext, e: ExtractedTable): Promise<{ name: string; columns: { name: string; type: string }[] }> {
  const { name } = ctx.tempTable("content_embedded");
  const numeric = e.columns.map((c) => c.values.every((v) => v.trim() === "" || cellNumber(v).length > 0));
  const columns = e.columns.map((c, j) => ({ name: c.name, type: numeric[j] ? "DOUBLE" : "VARCHAR" }));
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ")})`);
  if (e.rowCount > 0) {
    const app = await ctx.conn.createAppender(name, "main", "temp");
    for (let r = 0; r < e.rowCount; r++) {
      e.columns.forEach((c, j) => {
        const v = c.values[r].trim();
        if (v === "") app.appendNull();
        else if (numeric[j]) app.appendDouble(cellNumber(v)[0].x);
        else app.appendVarchar(v);
      });
      app.endRow();
    }
    app.closeSync();
  }
  // The row map's out_row is the row's index, which is its rowid here (appended in order).
  await ctx.conn.run(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN __out_row BIGINT`);
  await ctx.conn.run(`UPDATE ${quoteIdent(name)} SET __out_row = rowid`);
  return { name, columns };
}

/**
 * Traces one extracted table to the ledger: the accounted query all its rows equal, the output
 * column → ledger column mapping and a row map; undefined when some row equals no ledger row.
 */
async function trace(ctx: CheckContext, e: ExtractedTable): Promise<{ q: number; columns: Record<string, string>; map: string; minSubjects: number } | undefined> {
  const cells = await ledgerCells(ctx);
  if (!cells || e.rowCount === 0) return undefined;
  const { name, ref } = ctx.tempTable("content_ecells");
  await ctx.conn.run(`CREATE TEMP TABLE ${quoteIdent(name)} (r INTEGER, c INTEGER, s VARCHAR, x DOUBLE, d INTEGER)`);
  const app = await ctx.conn.createAppender(name, "main", "temp");
  const filled = new Map<number, number>();
  for (let r = 0; r < e.rowCount; r++) {
    e.columns.forEach((col, c) => {
      const v = col.values[r].trim();
      if (v === "") return;
      filled.set(r, (filled.get(r) ?? 0) + 1);
      const nums = cellNumber(v);
      const variants = nums.length ? nums : [undefined];
      for (const n of variants) {
        app.appendInteger(r);
        app.appendInteger(c);
        app.appendVarchar(v.normalize("NFKC").toLowerCase());
        if (n) {
          app.appendDouble(n.x);
          app.appendInteger(Math.max(-12, Math.min(12, n.decimals)));
        } else {
          app.appendNull();
          app.appendNull();
        }
        app.endRow();
      }
    });
  }
  app.closeSync();
  const need = [...filled.entries()].map(([r, n]) => `(${r}, ${n})`).join(", ");
  const rows = await ctx.rows(
    `WITH ds AS (SELECT DISTINCT d FROM ${ref} WHERE d IS NOT NULL),
     keys AS (SELECT ds.d, unnest(${roundedKeys("l.x", "ds.d")}) AS k, l.q, l.lrow, l.lcol, l.subjects FROM ${cells} l, ds WHERE l.x IS NOT NULL),
     m AS (SELECT e.r, e.c, l.q, l.lrow, l.lcol, l.subjects FROM ${ref} e JOIN ${cells} l ON l.s = e.s
           UNION SELECT e.r, e.c, k.q, k.lrow, k.lcol, k.subjects FROM ${ref} e JOIN keys k ON k.d = e.d AND k.k = printf('%.12g', e.x)),
     need(r, n) AS (VALUES ${need}),
     rowmatch AS (SELECT m.r, m.q, m.lrow, min(m.subjects) AS subjects FROM m JOIN need USING (r) GROUP BY m.r, m.q, m.lrow, need.n
                  HAVING count(DISTINCT m.c) = need.n),
     per_q AS (SELECT q FROM rowmatch GROUP BY q HAVING count(DISTINCT r) = ${filled.size})
     SELECT q, r, min(lrow) AS lrow, max(subjects) AS subjects FROM rowmatch WHERE q IN (SELECT q FROM per_q) GROUP BY q, r ORDER BY q, r`,
  );
  if (rows.length === 0) return undefined;
  const q = Number(rows[0].q);
  const chosen = rows.filter((r) => Number(r.q) === q);
  const { name: mapName, ref: mapRef } = ctx.tempTable("content_lmap");
  await ctx.conn.run(
    `CREATE TEMP TABLE ${quoteIdent(mapName)} AS SELECT * FROM (VALUES ${chosen.map((r) => `(${Number(r.r)}::BIGINT, ${Number(r.lrow)}::BIGINT)`).join(", ")}) v(out_row, __row)`,
  );
  const colMap = await ctx.rows(
    `SELECT c, arg_max(lcol, n) AS lcol FROM (
       SELECT e.c, l.lcol, count(*) AS n FROM ${ref} e JOIN ${mapRef} mp ON mp.out_row = e.r
       JOIN ${cells} l ON l.q = ${q} AND l.lrow = mp.__row AND (l.s = e.s OR list_contains(${roundedKeys("l.x", "coalesce(e.d, 12)")}, printf('%.12g', e.x)))
       GROUP BY ALL) GROUP BY c`,
  );
  const columns: Record<string, string> = {};
  for (const r of colMap) columns[e.columns[Number(r.c)].name] = String(r.lcol);
  return { q, columns, map: `temp.main.${mapName}`, minSubjects: Math.min(...chosen.map((r) => Number(r.subjects))) };
}

/**
 * Extracts, materialises and traces the tables embedded in the report; pushes them into
 * `ctx.tables` (so every table rule sees them) and returns them. Runs once per check run.
 */
export function embeddedTables(ctx: CheckContext): Promise<EmbeddedTable[]> {
  return ctx.once("content:embedded", async () => {
    const report = ctx.input.report;
    if (!report) return [];
    const qs = await ledgerQueries(ctx);
    const out: EmbeddedTable[] = [];
    for (const e of extractTables(report)) {
      const { name, columns } = await materialise(ctx, e);
      const t = await trace(ctx, e);
      const lq = t ? qs.find((x) => x.q === t.q) : undefined;
      const mark: EmbeddedMark = t
        ? { kind: lq?.kind === "rows" ? "accounted-rows" : "accounted-aggregate", query: t.q, columns: t.columns, map: t.map }
        : { kind: "computed" };
      const countColumn =
        t && lq ? Object.entries(t.columns).find(([, l]) => ["count", "count_distinct"].includes(lq.aggs.get(l) ?? ""))?.[0] : undefined;
      // The gate's table rules read the mark with its ledger tables and meta, like a staged table's.
      const job = ctx.input.job;
      const ledger = t && lq && job ? { table: ledgerTable(job, t.q), subjects: ledgerSubjectsTable(job, t.q), columns: lq.meta } : undefined;
      const resolved = await ctx.resolve({
        name,
        columns,
        rowColumn: "__out_row",
        mark: ledger ? { ...mark, ledger } : { kind: "computed" },
        ...(mark.kind === "accounted-aggregate" ? { kind: "aggregate" as const } : mark.kind === "accounted-rows" ? { kind: "record" as const } : {}),
        ...(countColumn ? { countColumn } : {}),
      });
      const table = Object.assign(resolved, { mark: ledger ? { ...mark, ledger } : mark });
      ctx.tables.push(table);
      const kindName = { markdown: "Markdown", csv: "CSV", aligned: "aligned-text" }[e.source];
      out.push({ extracted: e, table, place: `report, ${kindName} table at line ${e.line + 1}`, ...(t ? { minSubjects: t.minSubjects } : {}) });
    }
    return out;
  });
}

import { quoteIdent } from "../desensitize/sql-quote.js";
import type { CheckContext, ResolvedTable } from "./context.js";
import { rowSubjects } from "./ledger-cells.js";
import { quasiColumns, sensitiveColumns } from "./quasi-columns.js";

/** A record-level table's equivalence classes, materialised once for k-anonymity and l-diversity. */
export interface ClassTable {
  /** TEMP table (class STRUCT, n, d0, nn0, d1, nn1, …): distinct subjects per class, then distinct and non-NULL counts per sensitive column. */
  ref: string;
  quasi: string[];
  sensitive: string[];
}

/**
 * Groups an accounted record-level table by its quasi-identifiers in one pass, counting
 * DISTINCT SUBJECTS (ledger `__sid`, so duplicated rows gain nothing) and, for each sensitive
 * column, distinct and non-NULL values. Only our own aliases are projected.
 */
export function equivalenceClasses(ctx: CheckContext, t: ResolvedTable): Promise<ClassTable> {
  return ctx.once(`classes:${t.name}`, async () => {
    const rows = await rowSubjects(ctx, t);
    const quasi = quasiColumns(ctx, t);
    const sensitive = sensitiveColumns(ctx, t);
    const q = quasi.map(quoteIdent);
    const { name, ref } = ctx.tempTable("classes");
    const stats = sensitive.flatMap((s, i) => [`count(DISTINCT ${quoteIdent(s)}) AS d${i}`, `count(${quoteIdent(s)}) AS nn${i}`]);
    // No subject on two rows (exact, from the shared one-pass facts): a class's rows are its distinct subjects.
    const n = rows.unmapped === 0 && rows.subjects === rows.rows ? "count(*)" : "count(DISTINCT __sid)";
    await ctx.conn.run(
      `CREATE TEMP TABLE ${quoteIdent(name)} AS
       SELECT ${q.length ? `struct_pack(${q.map((c) => `${c} := ${c}`).join(", ")})` : "NULL"} AS class, ${n} AS n${stats.map((x) => `, ${x}`).join("")}
       FROM ${rows.ref} ${q.length ? `GROUP BY ${q.join(", ")}` : ""}`,
    );
    return { ref, quasi, sensitive };
  });
}

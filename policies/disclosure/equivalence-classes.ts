import { quoteIdent, quoteTable } from "../desensitize/sql-quote.js";
import type { CheckContext, ResolvedTable } from "./context.js";
import { quasiColumns, sensitiveColumns } from "./quasi-columns.js";

/** A record-level table's equivalence classes, materialised once for k-anonymity and l-diversity. */
export interface ClassTable {
  /** TEMP table (class STRUCT, n, d0, nn0, d1, nn1, …): class size, then distinct and non-NULL counts per sensitive column. */
  ref: string;
  quasi: string[];
  sensitive: string[];
}

/**
 * Groups `t` by its quasi-identifiers in one pass, counting rows and, for each sensitive column,
 * distinct and non-NULL values. Only our own aliases are projected, so no user column name can
 * shadow a count.
 */
export function equivalenceClasses(ctx: CheckContext, t: ResolvedTable): Promise<ClassTable> {
  return ctx.once(`classes:${t.name}`, async () => {
    const quasi = quasiColumns(ctx, t);
    const sensitive = sensitiveColumns(t);
    const q = quasi.map(quoteIdent);
    const { name, ref } = ctx.tempTable("classes");
    const stats = sensitive.flatMap((s, i) => [`count(DISTINCT ${quoteIdent(s)}) AS d${i}`, `count(${quoteIdent(s)}) AS nn${i}`]);
    await ctx.conn.run(
      `CREATE TEMP TABLE ${quoteIdent(name)} AS
       SELECT ${q.length ? `struct_pack(${q.map((c) => `${c} := ${c}`).join(", ")})` : "NULL"} AS class, count(*) AS n${stats.map((x) => `, ${x}`).join("")}
       FROM ${quoteTable(t.name)} ${q.length ? `GROUP BY ${q.join(", ")}` : ""}`,
    );
    return { ref, quasi, sensitive };
  });
}

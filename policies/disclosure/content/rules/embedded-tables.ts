/**
 * Rule `embedded-tables` (block): a table embedded in the report (Markdown, CSV, aligned text;
 * extract-tables.ts) that does not trace, row by row, to one accounted query of the job's ledger
 * is a computed table and cannot leave; traced ones are handed to the table rules like staged
 * accounted tables (embedded.ts pushes them into the context before any rule runs), and one
 * whose ledger rows hold fewer than k subjects is blocked here as well (the threshold the table
 * rules apply to accounted cells).
 *
 * Source: issue 11 item 4/6 (computed tables are blocked; reports are checked as tables);
 * ACRO/SACRO `safe_threshold`; threshold k (5).
 */
import type { CheckContext } from "../../context.js";
import type { Finding, Rule } from "../../types.js";
import { embeddedTables } from "../embedded.js";

const HOW =
  "compute the same statistic in SQL through ctx.query (so it is accounted) and quote the accounted values, or release it as a table — 请通过 ctx.query 以 SQL 计算该统计量（纳入账本）后再引用";

async function run(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const e of await embeddedTables(ctx)) {
    const shape = `${e.extracted.rowCount} row(s) × ${e.extracted.columns.length} column(s)`;
    if (e.table.mark.kind === "computed") {
      findings.push({
        rule: "embedded-tables",
        severity: "block",
        detail: `${e.place} (${shape}) does not trace to the job's accounted queries: a computed table — ${HOW}`,
        cells: e.extracted.columns.map((c) => c.name),
      });
    } else if (e.table.mark.kind === "accounted-aggregate" && (e.minSubjects ?? 0) < ctx.thresholds.k) {
      findings.push({
        rule: "embedded-tables",
        severity: "block",
        detail: `${e.place} (${shape}) quotes accounted query ${e.table.mark.query} rows with fewer than ${ctx.thresholds.k} subjects (smallest ${e.minSubjects})`,
      });
    }
  }
  return findings;
}

export const embeddedTablesRule: Rule = { name: "embedded-tables", run };

/**
 * Rule `differencing` (review): a new release of a scenario that, subtracted from an earlier
 * release, isolates fewer than the threshold people. For every earlier aggregate table, the
 * margins over the category columns both tables share (and the grand totals) are compared;
 * a margin that differs by 1 … threshold-1 singles out that small group (e.g. the same
 * table re-run after one person's record changed, or with one extra filter).
 *
 * Source: ACRO/SACRO guidance on differencing across outputs; Hundepool et al., Statistical
 * Disclosure Control (2012) §5.5 (disclosure by differencing); GB/T 37964-2019 §A.3 (linkage
 * across releases). Tables of the same release are compared with each other too.
 * Default threshold = the small-cell threshold, 10.
 */
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import { displayRow } from "../display.js";
import type { CheckContext, ResolvedTable } from "../context.js";
import type { Finding, Rule } from "../types.js";

export const DIFFERENCING_DEFAULTS = { differencingMin: 10 };

function categories(t: ResolvedTable): string[] {
  return t.columns.map((c) => c.name).filter((c) => c !== t.countColumn);
}

async function compare(ctx: CheckContext, cur: ResolvedTable, old: ResolvedTable): Promise<Finding[]> {
  const min = ctx.thresholds.differencingMin;
  const oldCats = new Set(categories(old));
  const shared = categories(cur).filter((c) => oldCats.has(c));
  const a = quoteIdent(cur.countColumn!);
  const b = quoteIdent(old.countColumn!);
  // Margins project only our own aliases (a struct key and a sum), so no user column name can shadow them.
  const key = shared.length
    ? `struct_pack(${shared.map((c) => `${quoteIdent(c)} := CAST(${quoteIdent(c)} AS VARCHAR)`).join(", ")})`
    : "NULL::VARCHAR";
  const margin = (t: ResolvedTable, count: string) =>
    `SELECT ${key} AS __shuyu_key, sum(${count}) AS __shuyu_n FROM ${quoteTable(t.name)} GROUP BY ALL`;
  const rows = await ctx.rows(
    `SELECT count(*) AS cells, list(to_json(struct_pack(k := x.__shuyu_key, now := x.__shuyu_n, earlier := y.__shuyu_n)))[1:5] AS sample
     FROM (${margin(cur, a)}) x JOIN (${margin(old, b)}) y ON x.__shuyu_key IS NOT DISTINCT FROM y.__shuyu_key
     WHERE abs(x.__shuyu_n - y.__shuyu_n) BETWEEN 1 AND ${min - 1}`,
  );
  const cells = Number(rows[0].cells);
  if (cells === 0) return [];
  return [
    {
      rule: "differencing",
      severity: "review",
      detail: `${cur.name} vs earlier ${old.name}: ${cells} margin(s) over [${shared.join(", ") || "grand total"}] differ by fewer than ${min}; subtracting isolates a small group`,
      cells: (rows[0].sample as string[]).map((s) => displayRow(JSON.parse(s))),
    },
  ];
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const findings: Finding[] = [];
  const current = ctx.tables.filter((t) => t.kind === "aggregate" && t.countColumn);
  const earlier: ResolvedTable[] = [];
  for (const release of ctx.input.earlierReleases ?? []) {
    for (const raw of release.tables) earlier.push(await ctx.resolve(raw));
  }
  for (const [i, cur] of current.entries()) {
    // Two tables of the same release can be subtracted just as well as a new and an old one.
    for (const old of [...earlier, ...current.slice(i + 1)]) {
      if (old.kind !== "aggregate" || !old.countColumn) continue;
      findings.push(...(await compare(ctx, cur, old)));
      // The grand total too, when category margins are shared: two totals one apart reveal one person.
      if (categories(cur).some((c) => categories(old).includes(c))) {
        findings.push(...(await compare(ctx, { ...cur, columns: cur.columns.filter((c) => c.name === cur.countColumn) }, old)));
      }
    }
  }
  return findings;
}

export const differencingRule: Rule = { name: "differencing", run };

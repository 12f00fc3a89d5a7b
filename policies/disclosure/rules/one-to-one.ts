/**
 * Rule `one-to-one` (block): an output column maps one-to-one onto a raw identifier column —
 * deterministic encryption, a bijective transform, an unsalted hash of a high-entropy value,
 * a custom code book. Output rows cannot be aligned with raw rows in general (jobs reorder,
 * filter, join), so the test is a signature: same number of distinct values AND the same
 * frequency histogram (how many values occur once, twice, …). A bijection preserves both; for
 * an identifier that repeats (visits per person) the histogram is a strong fingerprint.
 *
 * Exemptions, because a unique column is not always derived from the identifier:
 * - a dense integer sequence (row numbers) — it carries no identifier information;
 * - a column whose values are (≥ 90 %) the values of a raw non-identifier column;
 * - a column the gate itself pseudonymised with the domain secret (review: linkable, not reversible);
 * - floating-point and date columns (review: noise and measurements are unique too).
 *
 * Source: GZ 24 / HLJ 22 (no output restorable through a reversible algorithm); GB/T 37964-2019
 * §5.3 (a pseudonym must not be reversible without the key). Threshold `minDistinctForMapping`
 * (default 10): below it, equal counts are coincidence.
 */
import { quoteIdent, quoteTable } from "../../desensitize/sql-quote.js";
import type { CheckContext, ResolvedTable } from "../context.js";
import { canonicalTextSql } from "../normalize.js";
import { outputDistinctCounts } from "../output-values.js";
import type { Finding, Rule } from "../types.js";

export const ONE_TO_ONE_DEFAULTS = { minDistinctForMapping: 10 };

interface Signature {
  distinct: number;
  nonNull: number;
  histogram: string;
}

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/i;
const FLOATING_OR_TIME = /^(DOUBLE|FLOAT|REAL|DECIMAL.*|DATE|TIME.*|TIMESTAMP.*|INTERVAL)$/i;

async function signature(ctx: CheckContext, table: string, column: string): Promise<Signature> {
  const c = quoteIdent(column);
  const r = await ctx.rows(
    `SELECT sum(k) AS d, sum(f * k) AS nn, string_agg(f || 'x' || k, ',' ORDER BY f) AS h FROM (
       SELECT f, count(*) AS k FROM (SELECT count(*) AS f FROM ${quoteTable(table)} WHERE ${c} IS NOT NULL GROUP BY ${c}) GROUP BY f)`,
  );
  return { distinct: Number(r[0].d ?? 0), nonNull: Number(r[0].nn ?? 0), histogram: String(r[0].h ?? "") };
}

async function isSequence(ctx: CheckContext, t: ResolvedTable, column: string, type: string): Promise<boolean> {
  if (!INTEGER.test(type)) return false;
  const c = quoteIdent(column);
  const r = await ctx.rows(
    `SELECT max(${c})::HUGEINT - min(${c})::HUGEINT + 1 = count(DISTINCT ${c}) AS seq FROM ${quoteTable(t.name)}`,
  );
  return r[0].seq === true;
}

async function explainedByRaw(ctx: CheckContext, t: ResolvedTable, column: string, type: string, distinct: number): Promise<string | undefined> {
  const o = canonicalTextSql(quoteIdent(column), type);
  for (const ref of ctx.input.raw) {
    if (ref.tags.some((x) => x.startsWith("pii:"))) continue;
    const r = await ctx.rows(
      `SELECT count(*) AS n FROM (SELECT DISTINCT ${o} AS v FROM ${quoteTable(t.name)}) o
       WHERE v IN (SELECT ${canonicalTextSql(quoteIdent(ref.column), "VARCHAR")} FROM ${quoteTable(ref.table)})`,
    );
    if (Number(r[0].n) >= 0.9 * distinct) return `${ref.table}.${ref.column}`;
  }
  return undefined;
}

async function run(ctx: CheckContext): Promise<Finding[]> {
  const ids = ctx.identifierColumns();
  if (ids.length === 0) return [];
  const min = ctx.thresholds.minDistinctForMapping;
  // Output side first (exact distinct counts come with the shared output-value table).
  const outCounts = await outputDistinctCounts(ctx);
  const wanted = [...outCounts.values()].flat().filter((d) => d >= min);
  if (wanted.length === 0) return [];
  // Raw side: a HyperLogLog estimate (error ~2 %, window 10 %) rules most identifiers out before any exact histogram.
  const candidates: { ref: (typeof ids)[number]; sig: Signature }[] = [];
  for (const ref of ids) {
    const r = await ctx.rows(`SELECT approx_count_distinct(${quoteIdent(ref.column)}) AS d FROM ${quoteTable(ref.table)}`);
    const approx = Number(r[0].d);
    if (!wanted.some((d) => Math.abs(d - approx) <= Math.max(2, 0.1 * d))) continue;
    const sig = await signature(ctx, ref.table, ref.column);
    if (sig.distinct >= min) candidates.push({ ref, sig });
  }
  if (candidates.length === 0) return [];
  const distincts = new Set(candidates.map((c) => c.sig.distinct));
  const findings: Finding[] = [];
  for (const t of ctx.tables) {
    const cols = t.columns;
    const counts = outCounts.get(t.name)!;
    for (const [i, col] of cols.entries()) {
      const d = counts[i];
      if (!distincts.has(d) || col.name === t.countColumn) continue;
      const sig = await signature(ctx, t.name, col.name);
      const matches = candidates.filter((c) => c.sig.distinct === sig.distinct && c.sig.histogram === sig.histogram);
      if (matches.length === 0) continue;
      const what = `${t.name}.${col.name}`;
      const onto = matches.map((m) => `${m.ref.table}.${m.ref.column}`).join(", ");
      if (ctx.isPseudonymized(t.name, col.name)) {
        findings.push({ rule: "one-to-one", severity: "review", detail: `${what} is a keyed pseudonym of ${onto}: records stay linkable across releases` });
        continue;
      }
      if (await isSequence(ctx, t, col.name, col.type)) continue;
      const explained = await explainedByRaw(ctx, t, col.name, col.type, sig.distinct);
      if (explained) continue;
      if (FLOATING_OR_TIME.test(col.type)) {
        findings.push({
          rule: "one-to-one",
          severity: "review",
          detail: `${what} (${col.type}) has the distinct-value signature of ${onto} (${sig.distinct} values); check it is noise or a measure, not a transform`,
        });
        continue;
      }
      findings.push({
        rule: "one-to-one",
        severity: "block",
        detail: `${what} maps one-to-one onto raw identifier ${onto} (${sig.distinct} distinct values, same frequency histogram): a reversible transform, encryption or unsalted hash`,
      });
    }
  }
  return findings;
}

export const oneToOneRule: Rule = { name: "one-to-one", run };

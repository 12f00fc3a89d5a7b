/**
 * Rule `identifier-equivalent` (block; review for gate-made keyed pseudonyms): in an accounted
 * record-level output, a column with (nearly) as many distinct values as there are distinct
 * subjects singles people out, whatever it was computed from — arithmetic on an identifier,
 * a hash, encryption, an encoding, digits split off a key, or an exact birth date. The test
 * is the exact ratio distinct values / distinct subjects (ledger `__sid`), so it needs no list
 * of transforms. A keyed pseudonym the gate made with the domain secret is linkable but not
 * reversible: reviewed.
 *
 * Source: GB/T 37964-2019 §5.3 and Annex A (a value unique to a person identifies them);
 * GZ 24 / HLJ 22 (nothing restorable by a reversible algorithm); ARX "population uniques";
 * Open Diffix treats columns isolating anonymization IDs as identifying. Default ratio 0.9.
 */
import { quoteIdent } from "../../desensitize/sql-quote.js";
import type { CheckContext } from "../context.js";
import { equivalenceClasses } from "../equivalence-classes.js";
import { finding, label } from "../findings.js";
import { rowSubjects } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

export const IDENTIFIER_EQUIVALENT_DEFAULTS = { identifierRatio: 0.9 };

async function run(ctx: CheckContext): Promise<Finding[]> {
  const ratio = ctx.thresholds.identifierRatio;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-rows")) {
    const rows = await rowSubjects(ctx, t);
    const subjects = rows.subjects;
    // Exact distinct counts (no approximate counts in a blocking rule). A quasi-identifier's come from the
    // shared equivalence-class table (its distinct combinations), which is small unless k-anonymity fails anyway.
    const classes = await equivalenceClasses(ctx, t);
    const fromClasses = new Set(classes.quasi);
    const direct = t.columns.filter((c) => !fromClasses.has(c.name));
    const r: Record<string, unknown> = {};
    if (classes.quasi.length) {
      Object.assign(r, (await ctx.rows(`SELECT ${classes.quasi.map((c) => `count(DISTINCT class.${quoteIdent(c)}) AS ${quoteIdent(`d:${c}`)}`).join(", ")} FROM ${classes.ref}`))[0]);
    }
    if (direct.length) {
      Object.assign(r, (await ctx.rows(`SELECT ${direct.map((c) => `count(DISTINCT ${quoteIdent(c.name)}) AS ${quoteIdent(`d:${c.name}`)}`).join(", ")} FROM ${rows.ref}`))[0]);
    }
    // With fewer than k subjects every column is "unique"; k-anonymity already blocks such a table.
    if (subjects < ctx.thresholds.k) continue;
    const name = label(t);
    for (const c of t.columns) {
      const d = Number(r[`d:${c.name}`]);
      if (d < ratio * subjects) continue;
      const what = `${name}.${c.name}`;
      if (ctx.isPseudonymized(t.name, c.name)) {
        out.push(finding("identifier-equivalent", "review",
          `${what} is a keyed pseudonym made by the gate (${d} values for ${subjects} subjects): records stay linkable across releases`,
          `${what} 是网关生成的密钥化假名（${d} 个取值对应 ${subjects} 个主体）：不同发布之间记录可关联`, { table: name }));
        continue;
      }
      out.push(finding("identifier-equivalent", "block",
        `${what} has ${d} distinct values for ${subjects} distinct subjects (ratio ${(d / subjects).toFixed(2)} ≥ ${ratio}): it singles people out like an identifier, whatever transform produced it`,
        `${what} 有 ${d} 个不同取值，对应 ${subjects} 个不同主体（比值 ${(d / subjects).toFixed(2)} ≥ ${ratio}）：无论经何种变换，它都像标识符一样可区分个人`,
        { table: name, subjects: [subjects],
          remedy: { en: "drop the column, generalise it (bands, rounding), or have the gate pseudonymise it with the domain key", zh: "删除该列、泛化（分段、取整），或由网关用域密钥做假名化" } }));
    }
  }
  return out;
}

export const identifierEquivalentRule: Rule = { name: "identifier-equivalent", run };

/**
 * Rule `near-constant` (block): a sum or mean whose per-subject contributions are one value for
 * every subject but 1 … k−1 of them. `sum(CASE WHEN p THEN income ELSE 100 END)` over a cell of
 * 300 has everyone contributing (so `contributors` sees no condition) and no dominant share, yet
 * the cell minus 100 × (its count − 1) is the one person's income: a constant offset is undone by
 * the count beside it. The ledger counts, per cell, the contributing subjects off the majority
 * contribution (`__offmode_i`); 1 … k−1 blocks. A majority of 0 is the `contributors` case and is
 * left to that rule (one finding per attack).
 *
 * The same with two common values: `CASE WHEN p THEN income WHEN q THEN 20000 ELSE -20000 END`
 * (or `THEN 1 ELSE 0`) is undone by the counts of q and not q, released beside it or earlier
 * (`__offtwo_i`: contributing subjects off the two most common contributions).
 *
 * Not closed here: three or more common values, and a second value held by fewer than a third of
 * the cell (the ledger's two-counter pass may not name it) — linear combinations across cells
 * need a full audit.
 *
 * Source: Hundepool et al., Statistical Disclosure Control (2012) §4.2 (a cell is sensitive when
 * the few contributors that differ can be recovered from it and published margins); Open Diffix
 * counts the anonymization IDs an aggregate rests on, not the rows it ranges over. Default k = 5
 * (as cell-subjects).
 */
import type { CheckContext } from "../context.js";
import { finding, label, sampleCells } from "../findings.js";
import { aggregateCells } from "../ledger-cells.js";
import type { Finding, Rule } from "../types.js";

const REMEDY = {
  en: "aggregate the column itself (sum(x), avg(x)) without a CASE that gives everyone but a few the same value, or release the few as a group of their own so the gate counts them",
  zh: "直接聚合该列（sum(x)、avg(x)），不要用 CASE 让除少数人外的所有人取同一值；或将这少数人作为单独分组发布，使网关统计其主体",
};

async function run(ctx: CheckContext): Promise<Finding[]> {
  const { k } = ctx.thresholds;
  const out: Finding[] = [];
  for (const t of ctx.tables.filter((x) => x.kind === "accounted-aggregate")) {
    const c = await aggregateCells(ctx, t);
    const name = label(t);
    for (const [j, col] of c.contributors.entries()) {
      // Sums and means only: a count's contribution is each subject's number of rows (visits, filings), a fact about rows, not a value.
      if (!c.magnitudes.includes(col)) continue;
      // A majority of 0 with few others is `contributors`' cell (few non-zero contributors): one finding per attack.
      const few = `nz_${j} BETWEEN 1 AND ${k - 1}`;
      const one = `released AND cr_${j} AND subjects >= ${k} AND NOT coalesce(${few}, false) AND om_${j} BETWEEN 1 AND ${k - 1} AND om_${j} <> nz_${j}`;
      const two = `released AND cr_${j} AND subjects >= ${k} AND NOT coalesce(${few}, false) AND o2_${j} BETWEEN 1 AND ${k - 1} AND NOT coalesce(om_${j} BETWEEN 1 AND ${k - 1}, false)`;
      const n1 = Number((await ctx.rows(`SELECT count(*) AS n FROM ${c.ref} c WHERE ${one}`))[0].n);
      if (n1 > 0) {
        out.push(finding("near-constant", "block",
          `${name}.${col}: ${n1} cell(s) where every subject but fewer than k=${k} contributes the same value: the cell less that constant times its count is those few subjects' values`,
          `${name}.${col}：${n1} 个单元格中除少于 k=${k} 个主体外其余主体贡献同一常数：单元格减去该常数乘以计数即为这几个主体的值`,
          { table: name, ...(await sampleCells(ctx, t, c.ref, one)), remedy: REMEDY }));
      }
      const n2 = Number((await ctx.rows(`SELECT count(*) AS n FROM ${c.ref} c WHERE ${two}`))[0].n);
      if (n2 > 0) {
        out.push(finding("near-constant", "block",
          `${name}.${col}: ${n2} cell(s) where every subject but fewer than k=${k} contributes one of two values: with the two groups' counts the cell gives those few subjects' values`,
          `${name}.${col}：${n2} 个单元格中除少于 k=${k} 个主体外其余主体只贡献两个值之一：结合两组计数即可算出这几个主体的值`,
          { table: name, ...(await sampleCells(ctx, t, c.ref, two)), remedy: REMEDY }));
      }
    }
  }
  return out;
}

export const nearConstantRule: Rule = { name: "near-constant", run };

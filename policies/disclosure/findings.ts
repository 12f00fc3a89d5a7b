import { displayRow } from "./display.js";
import { displayCellsSql } from "./ledger-cells.js";
import type { CheckContext, ResolvedTable } from "./context.js";
import type { Finding, RemedyName, Severity } from "./types.js";

/** Display name of an output table in findings: the staged part's name when known. */
export function label(t: ResolvedTable): string {
  return t.label ?? t.name;
}

/** A finding with its English and Chinese text. */
export function finding(rule: string, severity: Severity, en: string, zh: string, extra: Partial<Finding> = {}): Finding {
  return { rule, severity, detail: en, zh, ...extra };
}

/** The remedies a developer can apply, with their texts. */
export const REMEDY_TEXT: Record<RemedyName, { en: string; zh: string }> = {
  "suppress-small": {
    en: "re-request with `--remedy suppress-small`: the gate blanks cells of at most 7 subjects, and enough other cells in each row/column line that totals cannot rebuild them (OpenSAFELY)",
    zh: "使用 `--remedy suppress-small` 重新申请：网关隐藏主体数不超过 7 的单元格，并对同行/同列补充隐藏，使合计无法反推（OpenSAFELY 做法）",
  },
  round5: {
    en: "add `--remedy round5`: counts are rounded to the nearest 5 after suppression",
    zh: "加上 `--remedy round5`：隐藏后计数四舍五入到 5 的倍数",
  },
};

/** A remedy entry for findings: the texts of the named remedies, plus an optional other way out. */
export function remedy(apply: RemedyName[], other?: { en: string; zh: string }): Finding["remedy"] {
  const parts = apply.map((a) => REMEDY_TEXT[a]);
  if (other) parts.push(other);
  return { en: parts.map((p) => p.en).join("; or "), zh: parts.map((p) => p.zh).join("；或"), ...(apply.length ? { apply } : {}) };
}

/**
 * Up to five offending cells of `t` (desensitized) and their subject counts: `where` is a
 * condition over the shared cell table `cells` (aliased c), smallest subject counts first.
 */
export async function sampleCells(ctx: CheckContext, t: ResolvedTable, cells: string, where: string): Promise<{ cells: unknown[]; subjects: number[] }> {
  const picked = await ctx.rows(`SELECT out_row, subjects FROM ${cells} c WHERE ${where} ORDER BY subjects NULLS FIRST, out_row LIMIT 5`);
  if (picked.length === 0) return { cells: [], subjects: [] };
  const shown = await ctx.rows(displayCellsSql(t, picked.map((p) => String(p.out_row)).join(", ")));
  const byRow = new Map(shown.map((s) => [String(s.out_row), JSON.parse(String(s.cell)) as unknown]));
  return {
    cells: picked.map((p) => displayRow(byRow.get(String(p.out_row)))),
    subjects: picked.map((p) => (p.subjects === null ? 0 : Number(p.subjects))),
  };
}

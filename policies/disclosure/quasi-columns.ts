import type { CheckContext, ResolvedTable } from "./context.js";

/**
 * Quasi-identifiers of a record-level output table: columns tagged `quasi` or `pii:*` (a masked
 * or generalised identifier still narrows people down) and — conservatively — columns the gate
 * knows nothing about (renamed or computed), unless tagged `sensitive`. Gate-made keyed
 * pseudonyms are excluded: they replace the identifier and are reviewed as linkable instead.
 */
export function quasiColumns(ctx: CheckContext, t: ResolvedTable): string[] {
  return t.columns
    .map((c) => c.name)
    .filter((name) => {
      const tags = t.tags.get(name) ?? [];
      if (tags.includes("sensitive")) return false;
      if (ctx.isPseudonymized(t.name, name)) return false;
      return tags.includes("quasi") || tags.some((x) => x.startsWith("pii:")) || t.unknown.has(name);
    });
}

/** Sensitive attributes of an output table: columns tagged `sensitive`. */
export function sensitiveColumns(t: ResolvedTable): string[] {
  return t.columns.map((c) => c.name).filter((name) => (t.tags.get(name) ?? []).includes("sensitive"));
}

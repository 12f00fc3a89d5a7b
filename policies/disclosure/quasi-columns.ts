import type { CheckContext, ResolvedTable } from "./context.js";

/**
 * Quasi-identifiers of an accounted record-level table, by the ledger's source roles: quasi
 * and measure columns and — conservatively — columns whose source the ledger does not name
 * (expressions). Sensitive columns are the attribute, not the key; gate-made keyed pseudonyms
 * are reviewed as linkable instead (they would make every class a singleton).
 */
export function quasiColumns(ctx: CheckContext, t: ResolvedTable): string[] {
  return t.columns
    .map((c) => c.name)
    .filter((name) => {
      if (ctx.isPseudonymized(t.name, name)) return false;
      return ctx.role(t, name) !== "sensitive";
    });
}

/** Sensitive attributes of an accounted record-level table: columns whose ledger source is `sensitive`. */
export function sensitiveColumns(ctx: CheckContext, t: ResolvedTable): string[] {
  return t.columns.map((c) => c.name).filter((name) => ctx.role(t, name) === "sensitive");
}

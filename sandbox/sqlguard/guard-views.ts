import type { LibraryView } from "../types.js";
import type { GuardView } from "./roles.js";

/**
 * The guard's view of a job's library: each view's columns with their roles. A view
 * without `roles` gets no role check (as with plain names); a granted column missing
 * from its `roles` counts as an identifier, so a gap in the grant fails closed.
 */
export function toGuardViews(views: readonly LibraryView[]): GuardView[] {
  return views.map((view) => ({
    name: view.name,
    columns: view.roles === undefined ? [] : view.columns.map((name) => ({ name, role: view.roles![name] ?? "identifier" })),
  }));
}

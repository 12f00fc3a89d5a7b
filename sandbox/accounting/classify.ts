/**
 * Classifies one guarded query from its AST and builds the statements that account
 * it: `aggregate` (top-level GROUP BY / aggregates / SELECT DISTINCT over views joined
 * by equality), `rows` (a plain projection/filter of views sharing subjects), or
 * `unaccounted` with the reason. The statements are ASTs; the caller turns them back
 * into SQL with json_deserialize_sql.
 */
import type { LedgerColumnMeta } from "../types.js";
import { clone, columnRef, isObject, paramConstant, selectNode, visit, type Json, type JsonObject } from "./ast.js";
import { aggClass, contributionFunction, strongest, type AggClass } from "./functions.js";

/** A view as the accounting run sees it. */
export interface AccountingView {
  name: string;
  dataset: string;
  columns: string[];
  sid: string;
  subject?: { kind: string; columns: string[] };
  roles?: Record<string, string>;
}

/** Subjects that share one sid column (parties joined on their subject keys). */
export interface SidGroup {
  datasets: string[];
  /** Column reference of the group's sid in the query's FROM scope. */
  sid: JsonObject;
}

/** Per select-list item (a `*` item expands to several result columns at run time). */
export interface ItemMeta {
  star: boolean;
  meta: Omit<LedgerColumnMeta, "name">;
  /** Index into AggregatePlan.contributions when the item is additive. */
  contribution?: number;
  /**
   * Contributions (indices into AggregatePlan.contributions) of the aggregates in this item whose
   * contributors the developer's expression decides, not the raw data: a FILTER, count_if, or an
   * argument that is not a plain column of a view (CASE, nullif, arithmetic, a computed CTE
   * column). Each one's non-zero contributors are a subject set of their own.
   */
  presence?: number[];
}

export interface AggregatePlan {
  kind: "aggregate";
  /** The query plus hidden group keys __g0…: run once, numbered into __row. */
  main: JsonObject;
  groupKeys: number;
  /** One per sid group: SELECT __g…, __sid, __c0… GROUP BY group keys, sid. */
  contrib: JsonObject[];
  contributions: number;
  groups: SidGroup[];
  items: ItemMeta[];
}

export interface RowsPlan {
  kind: "rows";
  /** The query with its sid appended as __sid. */
  main: JsonObject;
  datasets: string[];
  items: ItemMeta[];
  /** Resolves a `*`-expanded column's source by name. */
  sources: Record<string, LedgerColumnMeta["source"]>;
}

export type AccountingPlan = AggregatePlan | RowsPlan | { kind: "unaccounted"; reason: string };

class Unaccounted extends Error {}
const no = (reason: string): never => {
  throw new Unaccounted(reason);
};

interface Party {
  alias: string;
  datasets: string[];
  columns: Set<string>;
  sid: JsonObject;
  subject?: { kind: string; columns: string[] };
  view?: AccountingView;
  /** Derived tables: where each exposed column comes from (plain column references only). */
  sources?: Map<string, LedgerColumnMeta["source"]>;
}

interface Scope {
  parties: Party[];
  equalities: [JsonObject, JsonObject][];
}

const lower = (s: string) => s.toLowerCase();

/** Builds the accounting plan of `statement` (a json_serialize_sql statement's `node`) with `params` inlined. */
export function planAccounting(node: JsonObject, views: AccountingView[], params: unknown[]): AccountingPlan {
  try {
    const q = clone(node);
    inlineParams(q, params);
    return plan(q, views);
  } catch (err) {
    if (err instanceof Unaccounted) return { kind: "unaccounted", reason: err.message };
    throw err;
  }
}

function inlineParams(node: JsonObject, params: unknown[]): void {
  const replace = (n: Json): Json => {
    if (Array.isArray(n)) return n.map(replace);
    if (!isObject(n)) return n;
    if (n.class === "PARAMETER") {
      const id = String(n.identifier ?? "");
      if (!/^\d+$/.test(id) || Number(id) < 1 || Number(id) > params.length) no(`parameter $${id} without a bound value`);
      const c = paramConstant(params[Number(id) - 1]);
      c.alias = n.alias ?? "";
      return c;
    }
    for (const k of Object.keys(n)) n[k] = replace(n[k]);
    return n;
  };
  replace(node);
}

function modifiersOf(q: JsonObject): JsonObject[] {
  return (Array.isArray(q.modifiers) ? q.modifiers : []).filter(isObject);
}

function hasSubquery(expr: Json): boolean {
  let found = false;
  visit(expr, (n) => {
    if (n.class === "SUBQUERY") found = true;
  });
  return found;
}

/**
 * A subquery in a WHERE clause decides which rows are counted, yet the subjects it reads
 * are not in any counted row's subject set: `WHERE (SELECT income FROM people WHERE
 * id_number = $1) > 12000` turns a cell of 1,200 people into a one-bit oracle on one
 * person. Only a subquery that reads no data, or an unfiltered multi-subject aggregate over
 * whole views (`income > (SELECT avg(income) FROM people)`), rests on every subject alike.
 */
function checkFilterSubqueries(where: Json, views: AccountingView[], ctes: Map<string, JsonObject>): void {
  visit(where ?? null, (n) => {
    if (n.class !== "SUBQUERY") return;
    const sub = isObject(n.subquery) ? n.subquery.node : undefined;
    if (!isObject(sub)) no("a malformed subquery");
    const sq = sub as JsonObject;
    let readsData = false;
    visit(sq, (m) => {
      if (m.type === "BASE_TABLE") readsData = true;
    });
    if (!readsData) return;
    const why = "a subquery in WHERE that reads data and filters, groups or takes one subject's value (its subjects decide which rows are counted but are not counted): compute it as its own query";
    if (sq.type !== "SELECT_NODE" || (sq.where_clause ?? null) !== null || (Array.isArray(sq.group_expressions) && sq.group_expressions.length > 0) || (sq.having ?? null) !== null || (sq.qualify ?? null) !== null) no(why);
    if (modifiersOf(sq).length > 0) no(why);
    if (isObject(sq.cte_map) && Array.isArray(sq.cte_map.map) && sq.cte_map.map.length > 0) no(why);
    // A whole view, not a CTE of the outer query (which may filter).
    const from = isObject(sq.from_table) ? sq.from_table : undefined;
    const name = from && from.type === "BASE_TABLE" ? lower(String(from.table_name ?? "")) : "";
    if (!from || from.type !== "BASE_TABLE" || ctes.has(name) || !views.some((v) => lower(v.name) === name)) no(why);
    const select = (Array.isArray(sq.select_list) ? sq.select_list : []).filter(isObject);
    const infos = select.map(exprInfo);
    if (select.length === 0 || infos.some((i) => i.aggs.length === 0 || i.window || i.aggs.some((a) => a.cls === "single" || a.cls === "values"))) no(why);
    if (hasSubquery(sq.select_list ?? null)) no(why);
  });
}

interface ExprInfo {
  aggs: { node: JsonObject; cls: AggClass }[];
  window: boolean;
  star: boolean;
}

function exprInfo(expr: Json): ExprInfo {
  const info: ExprInfo = { aggs: [], window: false, star: false };
  visit(expr, (n) => {
    if (n.class === "WINDOW") info.window = true;
    if (n.class === "STAR") info.star = true;
    if (n.class === "FUNCTION" && typeof n.function_name === "string") {
      const cls = aggClass(n.function_name, n.distinct === true);
      if (cls) info.aggs.push({ node: n, cls });
    }
  }, true);
  return info;
}

function plan(q: JsonObject, views: AccountingView[]): AccountingPlan {
  if (q.type !== "SELECT_NODE") no(`the top-level query is a ${String(q.type).replace(/_NODE$/, "").toLowerCase().replace(/_/g, " ")}`);
  if (q.sample !== null && q.sample !== undefined) no("USING SAMPLE draws rows at random");
  const mods = modifiersOf(q);
  const distinct = mods.some((m) => m.type === "DISTINCT_MODIFIER");
  if (mods.some((m) => m.type === "DISTINCT_MODIFIER" && Array.isArray(m.distinct_on_targets) && m.distinct_on_targets.length > 0)) no("DISTINCT ON picks one row per key");
  const groupSets = Array.isArray(q.group_sets) ? q.group_sets : [];
  if (groupSets.length > 1) no("GROUPING SETS / ROLLUP / CUBE");
  const select = (Array.isArray(q.select_list) ? q.select_list : []).filter(isObject);
  for (const part of [q.select_list, q.group_expressions, q.having, q.qualify]) if (hasSubquery(part ?? null)) no("a subquery in the select list, GROUP BY, HAVING or QUALIFY");
  const infos = select.map(exprInfo);
  const groupExprs = (Array.isArray(q.group_expressions) ? q.group_expressions : []).filter(isObject);
  const forceAll = q.aggregate_handling === "FORCE_AGGREGATES";
  const hasAgg = infos.some((i) => i.aggs.length > 0) || exprInfo(q.having ?? null).aggs.length > 0 || exprInfo(q.qualify ?? null).aggs.length > 0;
  const aggregate = hasAgg || groupExprs.length > 0 || forceAll || distinct;
  if (!aggregate && (infos.some((i) => i.window) || exprInfo(q.qualify ?? null).window)) no("a window function over raw rows");
  for (const item of select) if (typeof item.alias === "string" && item.alias.startsWith("__")) no(`column name ${item.alias} is reserved`);
  // The accounting run's views hold the sid; a query naming it (or any reserved name) is never accounted.
  visit(q, (n) => {
    if (n.class === "COLUMN_REF" && Array.isArray(n.column_names) && n.column_names.some((c) => typeof c === "string" && c.startsWith("__"))) no("a reserved column name (__…)");
  });

  const ctes = new Map<string, JsonObject>();
  const cteMap = isObject(q.cte_map) && Array.isArray(q.cte_map.map) ? q.cte_map.map : [];
  for (const e of cteMap) {
    if (!isObject(e) || typeof e.key !== "string" || !isObject(e.value) || !isObject(e.value.query) || !isObject(e.value.query.node)) no("a malformed WITH clause");
    const entry = e as JsonObject;
    const value = entry.value as JsonObject;
    if (value.materialized === "CTE_MATERIALIZE_ALWAYS") no("a MATERIALIZED CTE");
    ctes.set(lower(entry.key as string), (value.query as JsonObject).node as JsonObject);
  }
  if (ctes.size > 0 && select.length === 0) no("an empty select list");
  checkFilterSubqueries(q.where_clause ?? null, views, ctes);
  const scope = resolveFrom(q.from_table ?? null, views, ctes, new Set());
  const groups = sidGroups(scope);

  if (!aggregate) {
    if (scope.parties.length === 0) no("a query that reads no view");
    if (groups.length !== 1) no("rows of views joined on columns other than their subject keys");
    excludeSid(select);
    // `SELECT p FROM people p` packs the whole row, hidden sid included, into one struct.
    for (const item of select) {
      if (item.class === "COLUMN_REF" && Array.isArray(item.column_names) && item.column_names.length === 1 && !resolveColumn(item, scope) && scope.parties.some((p) => lower(p.alias) === lower(String((item.column_names as Json[])[0])))) no("a whole-row reference");
    }
    const items = select.map((item, i) => itemMeta(item, infos[i], scope, false));
    const main = q;
    main.select_list = [...select, { ...groups[0].sid, alias: "__sid" }];
    const sources: Record<string, LedgerColumnMeta["source"]> = {};
    for (const p of scope.parties) for (const c of p.columns) if (partySource(p, c)) sources[c] ??= partySource(p, c);
    return { kind: "rows", main, datasets: groups[0].datasets, items, sources };
  }

  if (scope.parties.length === 0) no("an aggregate that reads no view");
  if (infos.some((i) => i.star)) no("* in an aggregate's select list");
  // The group keys as expressions (positional and alias references resolved), or the
  // select list itself for GROUP BY ALL and SELECT DISTINCT.
  let keys: JsonObject[];
  if (groupExprs.length > 0) {
    keys = groupExprs.map((g) => groupKey(g, select, scope));
  } else if (forceAll) {
    keys = select.filter((_, i) => infos[i].aggs.length === 0 && !infos[i].window).map((s) => ({ ...clone(s), alias: "" }));
  } else if (distinct && !hasAgg) {
    keys = select.map((s) => ({ ...clone(s), alias: "" }));
  } else {
    keys = [];
  }
  if (distinct && hasAgg && groupExprs.length === 0 && !forceAll) no("SELECT DISTINCT over an ungrouped aggregate");
  if (distinct && hasAgg) {
    // DISTINCT over grouped rows merges groups with equal outputs: not one ledger row per group.
    no("SELECT DISTINCT over grouped rows");
  }

  const contributions: JsonObject[] = [];
  const sourced = (ref: Json): boolean => {
    if (!isObject(ref) || ref.class !== "COLUMN_REF") return false;
    const r = resolveColumn(ref, scope);
    return !!(r && partySource(r.party, r.column));
  };
  // The developer's expression, not the raw data, decides who contributes to this aggregate.
  const conditional = (a: JsonObject): boolean => {
    const args = Array.isArray(a.children) ? a.children : [];
    return (a.filter !== null && a.filter !== undefined) || /^count_?if$/i.test(String(a.function_name)) || (args.length > 0 && !sourced(args[0]));
  };
  const items = select.map((item, i) => {
    const m = itemMeta(item, infos[i], scope, true);
    const info = infos[i];
    if (info.aggs.length === 1 && !info.window) {
      const a = info.aggs[0].node;
      const fn = contributionFunction(String(a.function_name), a.distinct === true);
      if (fn) {
        const c = clone(a);
        c.function_name = fn;
        c.alias = "";
        contributions.push(c);
        m.meta.additive = true;
        m.contribution = contributions.length - 1;
        if (conditional(a)) m.presence = [m.contribution];
      }
    }
    if (m.contribution === undefined) {
      // A ratio, a spread or an order statistic over a condition: a hidden contribution per
      // conditional aggregate inside it (its sum, or the count of its argument) tells who it rests on.
      for (const { node: a } of info.aggs) {
        if (!conditional(a)) continue;
        const c = clone(a);
        c.function_name = contributionFunction(String(a.function_name), false) ?? (String(a.function_name).toLowerCase() === "count_star" ? "count_star" : "count");
        c.distinct = false;
        c.alias = "";
        if (Array.isArray(c.children) && c.children.length > 1) c.children = c.children.slice(0, 1);
        c.order_bys = { type: "ORDER_MODIFIER", orders: [] };
        contributions.push(c);
        (m.presence ??= []).push(contributions.length - 1);
      }
    }
    return m;
  });

  const main = clone(q);
  main.select_list = [...select.map((s) => clone(s)), ...keys.map((k, i) => ({ ...clone(k), alias: `__g${i}` }))];

  const contrib = groups.map((g) => {
    const c = selectNode();
    c.cte_map = clone(q.cte_map ?? { map: [] });
    c.from_table = clone(q.from_table ?? null);
    c.where_clause = clone(q.where_clause ?? null);
    c.select_list = [
      ...keys.map((k, i) => ({ ...clone(k), alias: `__g${i}` })),
      { ...clone(g.sid), alias: "__sid" },
      ...contributions.map((x, i) => ({ ...clone(x), alias: `__c${i}` })),
    ];
    c.group_expressions = [...keys.map((k) => clone(k)), clone(g.sid)];
    c.group_sets = [[...c.group_expressions.map((_, i) => i)]];
    return c;
  });
  return { kind: "aggregate", main, groupKeys: keys.length, contrib, contributions: contributions.length, groups, items };
}

/** A GROUP BY entry as an expression: `GROUP BY 1` and `GROUP BY alias` point into the select list. */
function groupKey(g: JsonObject, select: JsonObject[], scope: Scope): JsonObject {
  if (g.class === "CONSTANT" && isObject(g.value) && isObject(g.value.type) && g.value.type.id === "INTEGER" && typeof g.value.value === "number") {
    const item = select[g.value.value - 1];
    if (!item) no(`GROUP BY ${g.value.value} points past the select list`);
    return { ...clone(item), alias: "" };
  }
  if (g.class === "COLUMN_REF" && Array.isArray(g.column_names) && g.column_names.length === 1) {
    const name = lower(String(g.column_names[0]));
    const isColumn = scope.parties.some((p) => p.columns.has(name));
    const item = select.find((s) => typeof s.alias === "string" && lower(s.alias) === name);
    if (item && !isColumn) return { ...clone(item), alias: "" };
  }
  if (exprInfo(g).aggs.length > 0) no("an aggregate in GROUP BY");
  return clone(g);
}

/** `*` in a rows query must not pull the hidden sid into the result. */
function excludeSid(select: JsonObject[]): void {
  for (const item of select) {
    if (item.class !== "STAR") {
      if (exprInfo(item).star) no("* inside an expression");
      continue;
    }
    if (item.columns === true) no("COLUMNS(…)");
    const list = Array.isArray(item.exclude_list) ? item.exclude_list : [];
    if (!list.some((x) => typeof x === "string" && lower(x) === "__sid")) item.exclude_list = [...list, "__sid"];
  }
}

function resolveColumn(ref: JsonObject, scope: Scope): { party: Party; column: string } | undefined {
  const names = Array.isArray(ref.column_names) ? ref.column_names.map((n) => lower(String(n))) : [];
  if (names.length === 1) {
    const p = scope.parties.find((x) => x.columns.has(names[0]));
    return p ? { party: p, column: names[0] } : undefined;
  }
  if (names.length === 2) {
    const p = scope.parties.find((x) => lower(x.alias) === names[0]);
    return p && p.columns.has(names[1]) ? { party: p, column: names[1] } : undefined;
  }
  return undefined;
}

function partySource(p: Party, column: string): LedgerColumnMeta["source"] {
  if (p.view) return { dataset: p.view.dataset, column, role: p.view.roles?.[column] ?? "unknown" };
  return p.sources?.get(column);
}

function itemMeta(item: JsonObject, info: ExprInfo, scope: Scope, aggregate: boolean): ItemMeta {
  if (item.class === "STAR") return { star: true, meta: { role: "plain" } };
  const sourceOf = (ref: Json): LedgerColumnMeta["source"] => {
    if (!isObject(ref) || ref.class !== "COLUMN_REF") return undefined;
    const r = resolveColumn(ref, scope);
    return r ? partySource(r.party, r.column) : undefined;
  };
  if (!aggregate) return { star: false, meta: { role: "plain", ...(sourceOf(item) ? { source: sourceOf(item) } : {}) } };
  if (info.aggs.length === 0 && !info.window) return { star: false, meta: { role: "group", ...(sourceOf(item) ? { source: sourceOf(item) } : {}) } };
  const classes = info.aggs.map((a) => a.cls);
  const meta: ItemMeta["meta"] = { role: "aggregate" };
  const agg = strongest(classes);
  if (agg) meta.agg = agg;
  if (classes.length > 1) meta.aggs = classes;
  if (info.window) meta.window = true;
  if (info.aggs.length === 1) {
    const children = Array.isArray(info.aggs[0].node.children) ? info.aggs[0].node.children : [];
    const src = children.length >= 1 ? sourceOf(children[0]) : undefined;
    if (src) meta.source = src;
  }
  return { star: false, meta };
}

/** Collects the FROM clause's parties and the column equalities that join them. */
function resolveFrom(from: Json, views: AccountingView[], ctes: Map<string, JsonObject>, used: Set<string>): Scope {
  if (!isObject(from)) no("a malformed FROM clause");
  const t = (from as JsonObject).type;
  const f = from as JsonObject;
  if (t === "EMPTY") return { parties: [], equalities: [] };
  if (f.sample !== null && f.sample !== undefined) no("TABLESAMPLE draws rows at random");
  if (t === "BASE_TABLE") {
    const name = lower(String(f.table_name ?? ""));
    const alias = typeof f.alias === "string" && f.alias !== "" ? f.alias : String(f.table_name);
    if (Array.isArray(f.column_name_alias) && f.column_name_alias.length > 0) no("column aliases on a table");
    const cte = ctes.get(name);
    if (cte) {
      if (used.has(name)) no(`CTE ${name} used twice`);
      used.add(name);
      return { parties: [derivedParty(cte, alias, views, ctes, used)], equalities: [] };
    }
    const view = views.find((v) => lower(v.name) === name);
    if (!view) no(`table ${name} is not a view`);
    return {
      parties: [{ alias, datasets: [view!.dataset], columns: new Set(view!.columns.map(lower)), sid: columnRef([alias, view!.sid]), subject: view!.subject, view }],
      equalities: [],
    };
  }
  if (t === "SUBQUERY") {
    if (!isObject(f.subquery) || !isObject(f.subquery.node)) no("a malformed subquery");
    if (typeof f.alias !== "string" || f.alias === "") f.alias = `__d${used.size}`;
    if (Array.isArray(f.column_name_alias) && f.column_name_alias.length > 0) no("column aliases on a subquery");
    used.add(`__subquery_${used.size}`);
    return { parties: [derivedParty((f.subquery as JsonObject).node as JsonObject, f.alias as string, views, ctes, used)], equalities: [] };
  }
  if (t === "JOIN") {
    if (f.ref_type !== "REGULAR") no(`a ${String(f.ref_type).toLowerCase()} join`);
    if (f.join_type !== "INNER" && f.join_type !== "LEFT" && f.join_type !== "RIGHT") no(`a ${String(f.join_type).toLowerCase()} join`);
    const left = resolveFrom(f.left ?? null, views, ctes, used);
    const right = resolveFrom(f.right ?? null, views, ctes, used);
    const scope: Scope = { parties: [...left.parties, ...right.parties], equalities: [...left.equalities, ...right.equalities] };
    const using = Array.isArray(f.using_columns) ? f.using_columns.map(String) : [];
    for (const c of using) {
      const l = left.parties.find((p) => p.columns.has(lower(c)));
      const r = right.parties.find((p) => p.columns.has(lower(c)));
      if (!l || !r) no(`USING (${c}) names no column of both sides`);
      scope.equalities.push([columnRef([l!.alias, c]), columnRef([r!.alias, c])]);
    }
    if (f.condition !== null && f.condition !== undefined) joinCondition(f.condition, scope);
    else if (using.length === 0) no("a join without a condition");
    return scope;
  }
  return no(`a ${String(t).toLowerCase().replace(/_/g, " ")} in FROM`);
}

/** ON must be a conjunction of column = column (or column = constant, a filter). */
function joinCondition(cond: Json, scope: Scope): void {
  if (!isObject(cond)) no("a malformed join condition");
  const c = cond as JsonObject;
  if (c.class === "CONJUNCTION" && c.type === "CONJUNCTION_AND" && Array.isArray(c.children)) {
    for (const child of c.children) joinCondition(child, scope);
    return;
  }
  if (c.class === "COMPARISON" && c.type === "COMPARE_EQUAL" && isObject(c.left) && isObject(c.right)) {
    if (c.left.class === "COLUMN_REF" && c.right.class === "COLUMN_REF") {
      scope.equalities.push([c.left, c.right]);
      return;
    }
    if ((c.left.class === "COLUMN_REF" && c.right.class === "CONSTANT") || (c.right.class === "COLUMN_REF" && c.left.class === "CONSTANT")) return;
  }
  no("a join condition other than column equalities");
}

/** A subquery or CTE in FROM: accounted only when it is itself a row selection; it then carries its sid as __sid. */
function derivedParty(node: JsonObject, alias: string, views: AccountingView[], ctes: Map<string, JsonObject>, used: Set<string>): Party {
  if (node.type !== "SELECT_NODE") no("a set operation in FROM");
  const select = (Array.isArray(node.select_list) ? node.select_list : []).filter(isObject);
  const infos = select.map(exprInfo);
  const mods = modifiersOf(node);
  const innerGroups = (Array.isArray(node.group_expressions) ? node.group_expressions : []).length;
  if (infos.some((i) => i.aggs.length > 0 || i.window) || innerGroups > 0 || mods.some((m) => m.type === "DISTINCT_MODIFIER") || node.aggregate_handling === "FORCE_AGGREGATES") {
    no("a subquery or CTE in FROM that aggregates");
  }
  if (hasSubquery(node.select_list ?? null)) no("a subquery in a derived table's select list");
  checkFilterSubqueries(node.where_clause ?? null, views, ctes);
  if (isObject(node.cte_map) && Array.isArray(node.cte_map.map) && node.cte_map.map.length > 0) no("a nested WITH");
  const inner = resolveFrom(node.from_table ?? null, views, ctes, used);
  const groups = sidGroups(inner);
  if (groups.length !== 1 || inner.parties.length === 0) no("a derived table over views not joined on their subject keys");
  excludeSid(select);
  node.select_list = [...select, { ...groups[0].sid, alias: "__sid" }];
  // What the derived table exposes: named items, and every inner column through `*`.
  const columns = new Set<string>();
  const star = select.some((s) => s.class === "STAR");
  for (const s of select) {
    if (typeof s.alias === "string" && s.alias !== "") columns.add(lower(s.alias));
    else if (s.class === "COLUMN_REF" && Array.isArray(s.column_names)) columns.add(lower(String(s.column_names[s.column_names.length - 1])));
  }
  if (star) for (const p of inner.parties) for (const c of p.columns) columns.add(c);
  const sources = new Map<string, LedgerColumnMeta["source"]>();
  if (star) for (const p of inner.parties) for (const c of p.columns) if (partySource(p, c)) sources.set(c, partySource(p, c));
  for (const s of select) {
    if (s.class !== "COLUMN_REF") continue;
    const r = resolveColumn(s, inner);
    const name = typeof s.alias === "string" && s.alias !== "" ? lower(s.alias) : r?.column;
    if (r && name && partySource(r.party, r.column)) sources.set(name, partySource(r.party, r.column));
  }
  // The subject key passes through only when each key column is selected unchanged.
  let subject: Party["subject"];
  const only = inner.parties[0];
  if (inner.parties.length >= 1 && only.subject) {
    const passes = only.subject.columns.every((k) => star || select.some((s) => s.class === "COLUMN_REF" && Array.isArray(s.column_names) && lower(String(s.column_names[s.column_names.length - 1])) === lower(k) && (s.alias === "" || lower(String(s.alias)) === lower(k))));
    if (passes) subject = only.subject;
  }
  return { alias, datasets: groups[0].datasets, columns, sid: columnRef([alias, "__sid"]), subject, sources };
}

/** Groups parties that are joined on all their subject-key columns (same subject kind): they share one sid. */
function sidGroups(scope: Scope): SidGroup[] {
  const parent = scope.parties.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const pairs = new Set<string>();
  for (const [a, b] of scope.equalities) {
    const ra = resolveColumn(a, scope);
    const rb = resolveColumn(b, scope);
    if (!ra || !rb) continue;
    const ia = scope.parties.indexOf(ra.party);
    const ib = scope.parties.indexOf(rb.party);
    pairs.add(`${ia}:${ra.column}=${ib}:${rb.column}`);
    pairs.add(`${ib}:${rb.column}=${ia}:${ra.column}`);
  }
  for (let i = 0; i < scope.parties.length; i++) {
    for (let j = i + 1; j < scope.parties.length; j++) {
      const p = scope.parties[i].subject;
      const q = scope.parties[j].subject;
      if (!p || !q || p.kind !== q.kind || p.columns.length !== q.columns.length || p.columns.length === 0) continue;
      if (p.columns.every((c, k) => pairs.has(`${i}:${lower(c)}=${j}:${lower(q.columns[k])}`))) parent[find(j)] = find(i);
    }
  }
  const byRoot = new Map<number, SidGroup>();
  scope.parties.forEach((p, i) => {
    const r = find(i);
    const g = byRoot.get(r);
    if (g) g.datasets.push(...p.datasets.filter((d) => !g.datasets.includes(d)));
    else byRoot.set(r, { datasets: [...p.datasets], sid: p.sid });
  });
  return [...byRoot.values()];
}

import type { ColumnRole } from "../types.js";
import { isObj, list, refuse, text, type Json, type Obj } from "./ast.js";
import { ALLOWED_USE, describe } from "./role-messages.js";

/** A granted view as the guard sees it: its columns and their roles. */
export interface GuardView {
  name: string;
  /**
   * `type` (DuckDB's name, as DESCRIBE prints it) is optional; when given for a text
   * identifier, the guard also refuses comparing it with a non-text constant, which
   * makes DuckDB cast the column and quote a failing identifier in the error.
   */
  columns: { name: string; role: ColumnRole | "join-only"; type?: string }[];
}

type Column = GuardView["columns"][number];

type Protected = { column: string; role: "identifier" | "join-only"; view: string };

/** One FROM item of a SELECT: a granted view (known columns) or something derived (CTE, subquery, VALUES). */
type Item = { name: string; view?: GuardView };
type Scope = Item[];

interface Where {
  scopes: Scope[];
  /** The clause (select list, WHERE, GROUP BY…), for the refusal message. */
  clause: string;
  /** The innermost construct around the reference (md5(), a cast…), if any. */
  inside?: string;
  /** In a WHERE or JOIN ON conjunction, where equality conditions on identifiers are allowed. */
  filter: boolean;
}

/**
 * Enforces column roles on a statement that already passed the shape check:
 * identifier and join-only columns may appear only as the argument of
 * count(DISTINCT col) and as a side of an equality in a JOIN ON / WHERE conjunction.
 * Name resolution is conservative: any column reference whose name is an identifier
 * or join-only column of a view the query reads is treated as that column, and a
 * column in an allowed position must resolve to the view itself, not to a CTE or
 * subquery that reuses the name.
 */
export function checkRoles(statement: Obj, views: GuardView[], sql: string, params?: readonly unknown[]): void {
  const byName = new Map(views.map((v) => [v.name.toLowerCase(), v]));
  const used = new Map<string, Set<string>>();
  collectTables(statement, byName, used);
  const guarded = new Map<string, Protected>();
  for (const name of used.keys()) {
    const view = byName.get(name)!;
    for (const c of view.columns) {
      if (c.role !== "identifier" && c.role !== "join-only") continue;
      const key = c.name.toLowerCase();
      if (!guarded.has(key)) guarded.set(key, { column: c.name, role: c.role, view: view.name });
    }
  }
  if (guarded.size === 0) return;
  new RoleWalker(sql, byName, guarded, used, params).statement(statement, []);
}

/** The granted views the statement reads (CTEs cannot shadow a view) → the aliases it gives them. */
function collectTables(node: Json, views: Map<string, GuardView>, out: Map<string, Set<string>>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectTables(n, views, out);
    return;
  }
  if (!isObj(node)) return;
  if (node.type === "BASE_TABLE" && typeof node.table_name === "string" && views.has(node.table_name.toLowerCase())) {
    const name = node.table_name.toLowerCase();
    const aliases = out.get(name) ?? new Set<string>();
    out.set(name, aliases.add(name));
    if (typeof node.alias === "string" && node.alias !== "") aliases.add(node.alias.toLowerCase());
  }
  for (const v of Object.values(node)) collectTables(v, views, out);
}

class RoleWalker {
  /** Effective names (alias or view name) of FROM items that are views with guarded columns. */
  private readonly guardedRelations = new Set<string>();

  constructor(
    private readonly sql: string,
    private readonly views: Map<string, GuardView>,
    private readonly guarded: Map<string, Protected>,
    used: Map<string, Set<string>>,
    private readonly params?: readonly unknown[],
  ) {
    for (const [name, aliases] of used) if (this.viewGuarded(views.get(name)!)) for (const a of aliases) this.guardedRelations.add(a);
  }

  private viewGuarded(view: GuardView): Protected | undefined {
    for (const c of view.columns) {
      const p = this.guarded.get(c.name.toLowerCase());
      if (p && (c.role === "identifier" || c.role === "join-only")) return { column: c.name, role: c.role, view: view.name };
    }
    return undefined;
  }

  private deny(p: Protected, what: string, message: string): never {
    refuse(what, this.sql, { column: p.column, role: p.role }, message);
  }

  private denyColumn(p: Protected, place: string, why = ""): never {
    const role = p.role === "identifier" ? "an identifier" : "join-only";
    this.deny(p, `${p.role} column ${p.column} in ${place}`, `SQL refused: column ${p.column} is ${role}: ${ALLOWED_USE}; found in ${place}${why}`);
  }

  /** A star, positional reference or whole-row reference that can reach a guarded column. */
  private denyExpansion(what: string, where: Where): never {
    const p = this.guardedInScope(where.scopes) ?? [...this.guarded.values()][0];
    const role = p.role === "identifier" ? "an identifier" : "join-only";
    this.deny(
      p,
      `${what} over a view with ${p.role} column ${p.column}`,
      `SQL refused: ${what} in ${placeOf(where)} can reach column ${p.column} of ${p.view}, which is ${role}: name the columns you need; ${ALLOWED_USE}`,
    );
  }

  private guardedInScope(scopes: Scope[]): Protected | undefined {
    for (const scope of scopes) for (const item of scope) if (item.view) {
      const p = this.viewGuarded(item.view);
      if (p) return p;
    }
    return undefined;
  }

  statement(node: Json, scopes: Scope[]): void {
    if (isObj(node)) this.queryNode(node.node, scopes);
  }

  private queryNode(node: Json, scopes: Scope[]): void {
    if (!isObj(node)) return;
    // A CTE body cannot see this node's FROM, only what encloses the node.
    const cteMap = node.cte_map;
    if (isObj(cteMap)) for (const entry of list(cteMap, "map")) {
      if (!isObj(entry) || !isObj(entry.value)) continue;
      this.statement(entry.value.query, scopes);
      for (const e of list(entry.value, "key_targets")) this.expr(e, { scopes, clause: "USING KEY", filter: false });
    }
    let inner = scopes;
    switch (node.type) {
      case "SELECT_NODE": {
        const scope: Scope = [];
        this.collectItems(node.from_table, scope);
        inner = [...scopes, scope];
        this.tableRef(node.from_table, inner);
        for (const e of list(node, "select_list")) this.expr(e, { scopes: inner, clause: "the select list", filter: false });
        this.optExpr(node.where_clause, { scopes: inner, clause: "WHERE", filter: true });
        for (const e of list(node, "group_expressions")) this.expr(e, { scopes: inner, clause: "GROUP BY", filter: false });
        this.optExpr(node.having, { scopes: inner, clause: "HAVING", filter: false });
        this.optExpr(node.qualify, { scopes: inner, clause: "QUALIFY", filter: false });
        break;
      }
      case "SET_OPERATION_NODE":
        this.queryNode(node.left, scopes);
        this.queryNode(node.right, scopes);
        for (const child of list(node, "children")) this.queryNode(child, scopes);
        break;
      case "RECURSIVE_CTE_NODE":
        this.queryNode(node.left, scopes);
        this.queryNode(node.right, scopes);
        for (const e of list(node, "key_targets")) this.expr(e, { scopes, clause: "USING KEY", filter: false });
        break;
    }
    for (const m of list(node, "modifiers")) this.modifier(m, inner);
  }

  private modifier(node: Json, scopes: Scope[]): void {
    if (!isObj(node)) return;
    if (node.type === "ORDER_MODIFIER") {
      const orders = list(node, "orders");
      // ORDER BY ALL (one bare star) orders by the select list, which is checked on its own.
      if (orders.length === 1 && isObj(orders[0]) && isBareStar(orders[0].expression)) return;
      for (const o of orders) if (isObj(o)) this.expr(o.expression, { scopes, clause: "ORDER BY", filter: false });
    } else if (node.type === "DISTINCT_MODIFIER") {
      for (const e of list(node, "distinct_on_targets")) this.expr(e, { scopes, clause: "DISTINCT ON", filter: false });
    } else {
      this.optExpr(node.limit, { scopes, clause: "LIMIT", filter: false });
      this.optExpr(node.offset, { scopes, clause: "OFFSET", filter: false });
    }
  }

  private collectItems(node: Json, scope: Scope): void {
    if (!isObj(node)) return;
    const alias = text(node, "alias").toLowerCase();
    switch (node.type) {
      case "BASE_TABLE": {
        const table = text(node, "table_name").toLowerCase();
        scope.push({ name: alias || table, view: this.views.get(table) });
        break;
      }
      case "JOIN":
        this.collectItems(node.left, scope);
        this.collectItems(node.right, scope);
        break;
      case "SUBQUERY":
      case "EXPRESSION_LIST":
        scope.push({ name: alias });
        break;
    }
  }

  private tableRef(node: Json, scopes: Scope[]): void {
    if (!isObj(node)) return;
    switch (node.type) {
      case "BASE_TABLE": {
        const view = this.views.get(text(node, "table_name").toLowerCase());
        const p = view && this.viewGuarded(view);
        // people AS p(a, b, …) renames the columns by position, past any name check.
        if (p && list(node, "column_name_alias").length > 0) {
          this.deny(p, `column aliases on view ${view.name}`, `SQL refused: renaming the columns of ${view.name} (AS alias(a, b, …)) can hide its ${p.role} column ${p.column}; rename in the select list instead`);
        }
        break;
      }
      case "JOIN":
        this.tableRef(node.left, scopes);
        this.tableRef(node.right, scopes);
        this.implicitEquality(node);
        this.optExpr(node.condition, { scopes, clause: "JOIN ON", filter: true });
        break;
      case "SUBQUERY":
        // Subqueries in FROM may be LATERAL: they see the whole FROM.
        this.statement(node.subquery, scopes);
        break;
      case "EXPRESSION_LIST":
        for (const row of list(node, "values")) if (Array.isArray(row)) for (const e of row) this.expr(e, { scopes, clause: "VALUES", filter: false });
        break;
    }
  }

  /**
   * USING (col) and NATURAL JOIN are equalities the AST does not spell out. On a
   * guarded column both sides must be views that have it as identifier or join-only
   * (a CTE or subquery side could be a generated range); ASOF USING compares its last
   * column with >=, which leaks by bisection.
   */
  private implicitEquality(join: Obj): void {
    const left: Scope = [];
    const right: Scope = [];
    this.collectItems(join.left, left);
    this.collectItems(join.right, right);
    const using = list(join, "using_columns").map((c) => String(c).toLowerCase());
    let names = using.filter((c) => this.guarded.has(c));
    if (join.ref_type === "NATURAL") {
      const sides = [...left, ...right];
      const derived = sides.some((item) => !item.view);
      const guardedView = sides.some((item) => item.view && this.viewGuarded(item.view));
      if (derived && guardedView) {
        const p = this.guardedInScope([sides])!;
        this.deny(p, `NATURAL JOIN next to ${p.role} column ${p.column}`, `SQL refused: a NATURAL JOIN between ${p.view} (whose ${p.column} is ${p.role === "identifier" ? "an identifier" : "join-only"}) and a CTE, subquery or VALUES may join on that column with values that are not the view's own: write JOIN … ON with the columns you mean`);
      }
      const columnsOf = (scope: Scope): Set<string> => new Set(scope.flatMap((item) => item.view!.columns.map((c) => c.name.toLowerCase())));
      const l = columnsOf(left);
      names = [...columnsOf(right)].filter((c) => l.has(c) && this.guarded.has(c));
    }
    for (const column of names) {
      const p = this.guarded.get(column)!;
      const ok = [left, right].every((scope) => {
        const holders = scope.filter((item) => !item.view || item.view.columns.some((c) => c.name.toLowerCase() === column));
        return holders.length > 0 && holders.every((item) => item.view && viewRole(item.view, column));
      });
      const where = join.ref_type === "NATURAL" ? "NATURAL JOIN" : "JOIN USING";
      if (!ok) this.denyColumn(p, where, ": both sides must be views that have it as an identifier or join-only column, not a CTE, subquery or another role");
      if (join.ref_type === "ASOF" && using[using.length - 1] === column) this.denyColumn(p, "ASOF JOIN USING", ": the last USING column of an ASOF join is compared with >=");
    }
  }

  private optExpr(node: Json | undefined, where: Where): void {
    if (node !== undefined && node !== null) this.expr(node, where);
  }

  private expr(node: Json | undefined, where: Where): void {
    if (!isObj(node)) return;
    const cls = node.class;
    const type = text(node, "type");
    const inner: Where = { scopes: where.scopes, clause: where.clause, inside: describe(node) ?? where.inside, filter: false };
    const e = (key: string, w: Where = inner): void => this.optExpr(node[key], w);
    const each = (key: string, w: Where = inner): void => {
      for (const child of list(node, key)) this.expr(child, w);
    };

    switch (cls) {
      case "COLUMN_REF":
        return this.columnRef(node, where);
      case "STAR":
        return this.star(node, where);
      case "POSITIONAL_REFERENCE":
        if (this.guardedInScope(where.scopes)) this.denyExpansion(`#${String(node.index)}`, where);
        return;
      case "CONJUNCTION":
        return each("children", type === "CONJUNCTION_AND" && where.filter ? where : inner);
      case "COMPARISON":
        if (where.filter && (type === "COMPARE_EQUAL" || type === "COMPARE_NOT_DISTINCT_FROM") && (this.guardedRef(node.left) || this.guardedRef(node.right))) {
          const resolved = new Map<Json | undefined, Column[]>();
          for (const side of [node.left, node.right]) {
            if (this.guardedRef(side)) resolved.set(side, this.requireViewColumn(side as Obj, where));
            else if (!isConstant(side)) {
              const other = this.guardedRef(side === node.left ? node.right : node.left)!;
              this.denyColumn(other, placeOf(where), ": the other side of = must be another identifier or join-only column, a constant or a parameter");
            }
          }
          for (const [side, columns] of resolved) {
            const other = side === node.left ? node.right : node.left;
            if (isConstant(other)) this.requireTextSafe(side as Obj, columns, [other], where);
            else if (columns.some((c) => isText(c.type)) && (resolved.get(other) ?? []).some((c) => c.type !== undefined && !isText(c.type))) {
              this.denyColumn(this.guardedRef(side)!, placeOf(where), ": it is text and the other column is not; DuckDB would cast it and quote a value that does not convert in the error");
            }
          }
          return;
        }
        e("left");
        e("right");
        return;
      case "OPERATOR": {
        const children = list(node, "children");
        if (where.filter && type === "COMPARE_IN" && this.guardedRef(children[0])) {
          const columns = this.requireViewColumn(children[0] as Obj, where);
          if (!children.slice(1).every(isConstant)) this.denyColumn(this.guardedRef(children[0])!, placeOf(where), ": IN (…) may list only constants and parameters");
          this.requireTextSafe(children[0] as Obj, columns, children.slice(1), where);
          return;
        }
        return each("children");
      }
      case "FUNCTION": {
        const children = list(node, "children");
        const orders = isObj(node.order_bys) ? list(node.order_bys, "orders") : [];
        if (text(node, "function_name").toLowerCase() === "count" && node.distinct === true && children.length === 1 && orders.length === 0 && this.guardedRef(children[0])) {
          this.requireViewColumn(children[0] as Obj, inner);
        } else each("children");
        e("filter", { ...inner, clause: `FILTER in ${where.clause}`, inside: undefined });
        if (isObj(node.order_bys)) for (const o of list(node.order_bys, "orders")) if (isObj(o)) this.expr(o.expression, inner);
        return;
      }
      case "WINDOW":
        each("children");
        each("partitions");
        for (const k of ["orders", "arg_orders"]) for (const o of list(node, k)) if (isObj(o)) this.expr(o.expression, inner);
        for (const k of ["start_expr", "end_expr", "offset_expr", "default_expr", "filter_expr"]) e(k);
        return;
      case "SUBQUERY":
        this.statement(node.subquery, where.scopes);
        e("child");
        return;
      case "CASE":
        for (const check of list(node, "case_checks")) if (isObj(check)) {
          this.expr(check.when_expr, inner);
          this.expr(check.then_expr, inner);
        }
        e("else_expr");
        return;
      case "BETWEEN":
        e("input");
        e("lower");
        e("upper");
        return;
      case "CAST":
      case "COLLATE":
        e("child");
        return;
      case "LAMBDA":
        e("lhs");
        e("expr");
        return;
      case "CONSTANT":
      case "PARAMETER":
        return;
      default:
        // A class the shape check learns later must be taught here too before it passes.
        refuse(`expression ${String(cls)} under column roles`, this.sql);
    }
  }

  /** The guarded column a reference names, if any (any part: `id.x` may be a field of an identifier). */
  private guardedRef(node: Json | undefined): Protected | undefined {
    if (!isObj(node) || node.class !== "COLUMN_REF") return undefined;
    for (const part of list(node, "column_names")) {
      const p = this.guarded.get(String(part).toLowerCase());
      if (p) return p;
    }
    return undefined;
  }

  private columnRef(node: Obj, where: Where): void {
    const p = this.guardedRef(node);
    if (p) this.denyColumn(p, placeOf(where));
    const parts = list(node, "column_names").map((x) => String(x).toLowerCase());
    // `people` or `p` alone is the whole row as a struct: a star by another name.
    if (this.guardedRelations.has(parts[parts.length - 1])) this.denyExpansion(`the row reference ${parts.join(".")}`, where);
  }

  private star(node: Obj, where: Where): void {
    const relation = text(node, "relation_name").toLowerCase();
    const what = node.columns === true ? "COLUMNS(…)" : relation !== "" ? `${relation}.*` : "*";
    if (relation !== "") {
      // t.* may name a FROM item of an enclosing query (LATERAL, correlated subquery).
      const item = resolve(relation, where.scopes);
      const safe = item !== undefined && (item.view === undefined || !this.viewGuarded(item.view));
      if (!safe && (item !== undefined || this.guardedInScope(where.scopes) || this.guardedRelations.has(relation))) this.denyExpansion(what, where);
    } else {
      // A bare * or COLUMNS(…) expands over its own SELECT's FROM only; with no FROM, assume the worst.
      const own = where.scopes[where.scopes.length - 1];
      if (this.guardedInScope(own === undefined || own.length === 0 ? where.scopes : [own])) this.denyExpansion(what, where);
    }
    for (const r of list(node, "replace_list")) if (isObj(r)) this.expr(r.value, { ...where, clause: `REPLACE in ${where.clause}`, inside: undefined, filter: false });
    this.optExpr(node.expr, { ...where, clause: `COLUMNS(…) in ${where.clause}`, inside: undefined, filter: false });
  }

  /**
   * A guarded name in an allowed position must be the view's own column: qualified by
   * the alias of a view that has it, or unqualified in a FROM of views only. A CTE
   * or subquery column of the same name could carry anything (a generated range).
   */
  private requireViewColumn(ref: Obj, where: Where): Column[] {
    const p = this.guardedRef(ref)!;
    const parts = list(ref, "column_names").map((x) => String(x).toLowerCase());
    const column = parts[parts.length - 1];
    const deny = (): never => this.denyColumn(p, placeOf(where), `: write it as <alias>.${p.column}, <alias> being a view that has the column, not a CTE or subquery`);
    if (parts.length > 2 || !this.guarded.has(column)) deny();
    const defs = (items: Item[]): Column[] => items.map((item) => item.view!.columns.find((c) => c.name.toLowerCase() === column)!);
    for (let i = where.scopes.length - 1; i >= 0; i--) {
      const scope = where.scopes[i];
      if (parts.length === 2) {
        const matches = scope.filter((item) => item.name === parts[0]);
        if (matches.length === 0) continue;
        if (matches.length === 1 && matches[0].view && viewRole(matches[0].view, column)) return defs(matches);
        deny();
      }
      // Unqualified: a derived item in this scope could be the one that binds the name.
      if (scope.some((item) => !item.view)) deny();
      const holders = scope.filter((item) => item.view!.columns.some((c) => c.name.toLowerCase() === column));
      if (holders.length === 0) continue;
      if (holders.every((h) => viewRole(h.view!, column))) return defs(holders);
      deny();
    }
    return deny();
  }

  /**
   * DuckDB compares a VARCHAR column with a number by casting the column; a value that
   * does not convert is quoted in the error ("Could not convert string '1101…'").
   * Only checked when the view told the column's type.
   */
  private requireTextSafe(ref: Obj, columns: Column[], others: (Json | undefined)[], where: Where): void {
    if (!columns.some((c) => isText(c.type))) return;
    for (const other of others) {
      const t = this.constantType(other);
      if (t === undefined || t === "VARCHAR" || t === "NULL") continue;
      this.denyColumn(this.guardedRef(ref)!, placeOf(where), `: it is text and ${t} on the other side would make DuckDB cast the column, quoting a value that does not convert in the error; compare with a string literal or a parameter`);
    }
  }

  /**
   * The type a constant side carries into the comparison: a literal's or cast's type,
   * a bound parameter's JS type when the caller passed the values (DuckDB types a
   * parameter from its bound value, not from the column); undefined when unknown.
   */
  private constantType(node: Json | undefined): string | undefined {
    if (!isObj(node)) return undefined;
    if (node.class === "CAST" && isObj(node.cast_type)) return text(node.cast_type, "id") || "?";
    if (node.class === "CONSTANT" && isObj(node.value) && isObj(node.value.type)) return text(node.value.type, "id") || "?";
    if (node.class === "PARAMETER" && this.params && /^[0-9]+$/.test(text(node, "identifier"))) {
      const v = this.params[Number(text(node, "identifier")) - 1];
      if (v === null || v === undefined) return "NULL";
      return typeof v === "string" ? "VARCHAR" : `a ${typeof v} parameter`;
    }
    return undefined;
  }
}

function placeOf(where: Where): string {
  return where.inside ? `${where.inside} in ${where.clause}` : where.clause;
}

function viewRole(view: GuardView, column: string): boolean {
  return view.columns.some((c) => c.name.toLowerCase() === column && (c.role === "identifier" || c.role === "join-only"));
}

/** The FROM item a qualifier names, innermost scope first. */
function resolve(name: string, scopes: Scope[]): Item | undefined {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const matches = scopes[i].filter((item) => item.name === name);
    if (matches.length === 1) return matches[0];
    if (matches.length > 1) return undefined;
  }
  return undefined;
}

/** ORDER BY ALL: DuckDB's binder treats one star without EXCLUDE/REPLACE/expression as the select list. */
function isBareStar(node: Json | undefined): boolean {
  return (
    isObj(node) &&
    node.class === "STAR" &&
    list(node, "exclude_list").length === 0 &&
    list(node, "qualified_exclude_list").length === 0 &&
    list(node, "replace_list").length === 0 &&
    list(node, "rename_list").length === 0 &&
    (node.expr === null || node.expr === undefined) &&
    node.unpacked !== true
  );
}

function isText(type: string | undefined): boolean {
  return type !== undefined && /^(VARCHAR|CHAR|BPCHAR|TEXT|STRING)\b/i.test(type.trim());
}

/** A literal or bound parameter, possibly cast (`DATE '…'`, `$1::VARCHAR`). */
function isConstant(node: Json | undefined): boolean {
  if (!isObj(node)) return false;
  if (node.class === "CONSTANT" || node.class === "PARAMETER") return true;
  return node.class === "CAST" && isConstant(node.child);
}

import { ALLOWED_FUNCTIONS, RESERVED_NAME_PREFIX, RESERVED_TABLE_PREFIXES, SQL_VALUE_NAMES } from "./allowed-functions.js";
import { isObj, list, refuse, text, type Json, type Obj } from "./ast.js";
import * as G from "./grammar.js";

/** What the shape check needs to know about the job. */
export interface ShapeContext {
  sql: string;
  /** Lower-cased names of the granted views. */
  views: ReadonlySet<string>;
  /** Lower-cased column names of the granted views, when known (lets a column named `user` through). */
  columns: ReadonlySet<string>;
}

/**
 * Checks one serialized SELECT statement against the allow-listed grammar
 * (grammar.ts): every object's kind, every key and enum value, every table
 * reference (a granted view or a CTE in scope), every function, every name.
 */
export function checkShape(statement: Json, ctx: ShapeContext): void {
  new ShapeWalker(ctx).statement(statement, new Set());
}

/** Letters, digits and '_' only: a CTE name that looks like a path could become a replacement scan. */
const CTE_NAME = /^[\p{L}_][\p{L}\p{N}_]{0,127}$/u;
/** Type names a cast may use (`::JSON`, `ENUM('a')`): plain words, no catalog or schema. */
const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_ ]{0,63}$/;

class ShapeWalker {
  constructor(private readonly ctx: ShapeContext) {}

  private refuse(what: string): never {
    refuse(what, this.ctx.sql);
  }

  /** Refuses keys outside `allowed`: an unknown key may carry an unchecked expression. */
  private keys(node: Obj, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(node)) if (!allowed.includes(key)) this.refuse(`unknown AST key ${key} in ${what}`);
  }

  private enumValue(node: Obj, key: string, allowed: ReadonlySet<string>, what: string): void {
    const v = node[key];
    if (v === undefined || v === null) return;
    if (typeof v !== "string" || !allowed.has(v)) this.refuse(`${what} ${String(v)}`);
  }

  private name(name: string, what: string): void {
    if (name.startsWith(RESERVED_NAME_PREFIX)) this.refuse(`reserved name ${name} (${what})`);
  }

  private names(values: Json[], what: string): void {
    for (const v of values) {
      if (typeof v !== "string") this.refuse(`a malformed ${what}`);
      this.name(v, what);
    }
  }

  statement(node: Json, scope: ReadonlySet<string>): void {
    if (!isObj(node)) this.refuse("a malformed statement");
    this.keys(node, ["node", "named_param_map"], "a statement");
    for (const entry of list(node, "named_param_map")) {
      if (!isObj(entry) || typeof entry.key !== "string" || typeof entry.value !== "number") this.refuse("a malformed parameter list");
      this.keys(entry, ["key", "value"], "a parameter list");
    }
    this.queryNode(node.node, scope);
  }

  queryNode(node: Json, outer: ReadonlySet<string>): void {
    if (!isObj(node)) this.refuse("a malformed query");
    const type = text(node, "type");
    const extra = G.QUERY_NODE_KEYS[type];
    if (!extra) this.refuse(`query form ${type || "?"}`);
    this.keys(node, [...G.QUERY_NODE_BASE_KEYS, ...extra], type);
    const scope = this.cteMap(node.cte_map, outer);

    switch (type) {
      case "SELECT_NODE":
        this.tableRef(node.from_table, scope);
        for (const e of list(node, "select_list")) this.expr(e, scope);
        this.optExpr(node.where_clause, scope);
        for (const e of list(node, "group_expressions")) this.expr(e, scope);
        for (const g of list(node, "group_sets")) this.indexList(g, "GROUPING SETS");
        this.enumValue(node, "aggregate_handling", G.AGGREGATE_HANDLING, "aggregate handling");
        this.optExpr(node.having, scope);
        this.optExpr(node.qualify, scope);
        this.sample(node.sample);
        break;
      case "SET_OPERATION_NODE":
        this.enumValue(node, "setop_type", G.SETOP_TYPES, "set operation");
        if (node.left !== undefined) this.queryNode(node.left, scope);
        if (node.right !== undefined) this.queryNode(node.right, scope);
        for (const child of list(node, "children")) this.queryNode(child, scope);
        break;
      case "RECURSIVE_CTE_NODE": {
        const name = text(node, "cte_name");
        this.cteName(name);
        const inner = new Set(scope).add(name.toLowerCase());
        this.names(list(node, "aliases"), "WITH column name");
        this.queryNode(node.left, inner);
        this.queryNode(node.right, inner);
        for (const e of list(node, "key_targets")) this.expr(e, inner);
        break;
      }
    }
    for (const m of list(node, "modifiers")) this.modifier(m, scope);
  }

  /**
   * A WITH list binds in order: each CTE body sees the earlier names and its own
   * (recursive), never a later one — a later name would fall through to the catalog
   * or a replacement scan. Returns the scope the statement's body sees.
   */
  private cteMap(cteMap: Json | undefined, outer: ReadonlySet<string>): ReadonlySet<string> {
    if (cteMap === undefined || cteMap === null) return outer;
    if (!isObj(cteMap)) this.refuse("a malformed WITH clause");
    this.keys(cteMap, ["map"], "a WITH clause");
    const inner = new Set(outer);
    for (const entry of list(cteMap, "map")) {
      if (!isObj(entry) || typeof entry.key !== "string" || !isObj(entry.value)) this.refuse("a malformed WITH clause");
      this.keys(entry, ["key", "value"], "a WITH clause");
      this.cteName(entry.key);
      inner.add(entry.key.toLowerCase());
      const body = entry.value;
      this.keys(body, G.CTE_KEYS, "a WITH clause");
      this.names(list(body, "aliases"), "WITH column name");
      this.enumValue(body, "materialized", G.CTE_MATERIALIZE, "CTE materialization");
      const own = new Set(inner);
      this.statement(body.query, own);
      for (const e of list(body, "key_targets")) this.expr(e, own);
    }
    return inner;
  }

  private cteName(name: string): void {
    const lower = name.toLowerCase();
    if (!CTE_NAME.test(name)) this.refuse(`WITH name '${name}'`);
    this.name(name, "WITH name");
    if (this.ctx.views.has(lower)) this.refuse(`WITH name '${name}' shadows a view`);
    if (RESERVED_TABLE_PREFIXES.some((p) => lower.startsWith(p))) this.refuse(`WITH name '${name}'`);
  }

  private modifier(node: Json, scope: ReadonlySet<string>): void {
    if (!isObj(node)) this.refuse("a malformed result modifier");
    const type = text(node, "type");
    const extra = G.MODIFIER_KEYS[type];
    if (!extra) this.refuse(`result modifier ${type || "?"}`);
    this.keys(node, ["type", ...extra], type);
    if (type === "ORDER_MODIFIER") this.orders(list(node, "orders"), scope);
    else if (type === "DISTINCT_MODIFIER") for (const e of list(node, "distinct_on_targets")) this.expr(e, scope);
    else {
      this.optExpr(node.limit, scope);
      this.optExpr(node.offset, scope);
    }
  }

  private orders(orders: Json[], scope: ReadonlySet<string>): void {
    for (const o of orders) {
      if (!isObj(o)) this.refuse("a malformed ORDER BY");
      this.keys(o, ["type", "null_order", "expression"], "ORDER BY");
      this.enumValue(o, "type", G.ORDER_TYPES, "order");
      this.enumValue(o, "null_order", G.NULL_ORDERS, "null order");
      this.expr(o.expression, scope);
    }
  }

  /** An ORDER_MODIFIER nested in a FUNCTION (aggregate ORDER BY). */
  private orderModifier(node: Json | undefined, scope: ReadonlySet<string>): void {
    if (node === undefined || node === null) return;
    if (!isObj(node) || node.type !== "ORDER_MODIFIER") this.refuse("a malformed aggregate ORDER BY");
    this.keys(node, ["type", "orders"], "aggregate ORDER BY");
    this.orders(list(node, "orders"), scope);
  }

  private indexList(node: Json, what: string): void {
    if (!Array.isArray(node) || node.some((v) => typeof v !== "number")) this.refuse(`a malformed ${what}`);
  }

  private sample(node: Json | undefined): void {
    if (node === undefined || node === null) return;
    if (!isObj(node)) this.refuse("a malformed SAMPLE");
    this.keys(node, G.SAMPLE_KEYS, "SAMPLE");
    this.value(node.sample_size);
    this.enumValue(node, "method", G.SAMPLE_METHODS, "sample method");
    if (node.seed !== undefined && node.seed !== null && typeof node.seed !== "number") this.refuse("a malformed SAMPLE seed");
  }

  tableRef(node: Json, scope: ReadonlySet<string>): void {
    if (!isObj(node)) this.refuse("a malformed table reference");
    const type = text(node, "type");
    if (type === "TABLE_FUNCTION") {
      const fn = node.function;
      this.refuse(`table function ${isObj(fn) && typeof fn.function_name === "string" ? fn.function_name : "?"}()`);
    }
    const extra = G.TABLE_REF_KEYS[type];
    if (!extra) this.refuse(`table reference ${type || "?"}`);
    this.keys(node, [...G.TABLE_REF_BASE_KEYS, ...extra], type);
    this.name(text(node, "alias"), "alias");
    this.sample(node.sample);
    this.names(list(node, "column_name_alias"), "column alias");

    switch (type) {
      case "BASE_TABLE": {
        const table = text(node, "table_name");
        const schema = text(node, "schema_name");
        const catalog = text(node, "catalog_name");
        if (schema !== "" || catalog !== "") this.refuse(`table ${[catalog, schema, table].filter(Boolean).join(".")}`);
        if (node.at_clause !== null && node.at_clause !== undefined) this.refuse(`AT clause on ${table}`);
        this.name(table, "table");
        const lower = table.toLowerCase();
        if (!this.ctx.views.has(lower) && !scope.has(lower)) this.refuse(`table ${table}`);
        break;
      }
      case "JOIN":
        this.tableRef(node.left, scope);
        this.tableRef(node.right, scope);
        this.optExpr(node.condition, scope);
        this.enumValue(node, "join_type", G.JOIN_TYPES, "join type");
        this.enumValue(node, "ref_type", G.JOIN_REF_TYPES, "join kind");
        this.names(list(node, "using_columns"), "USING column");
        if (list(node, "duplicate_eliminated_columns").length > 0) this.refuse("duplicate-eliminated join columns");
        break;
      case "SUBQUERY":
        this.statement(node.subquery, scope);
        break;
      case "EXPRESSION_LIST":
        this.names(list(node, "expected_names"), "VALUES column");
        for (const t of list(node, "expected_types")) this.logicalType(t);
        for (const row of list(node, "values")) {
          if (!Array.isArray(row)) this.refuse("a malformed VALUES list");
          for (const e of row) this.expr(e, scope);
        }
        break;
    }
  }

  private optExpr(node: Json | undefined, scope: ReadonlySet<string>): void {
    if (node !== undefined && node !== null) this.expr(node, scope);
  }

  expr(node: Json | undefined, scope: ReadonlySet<string>): void {
    if (!isObj(node)) this.refuse("a malformed expression");
    const cls = text(node, "class");
    const extra = G.EXPRESSION_KEYS[cls];
    if (!extra) this.refuse(`expression ${cls || "?"}`);
    this.keys(node, [...G.EXPRESSION_BASE_KEYS, ...extra], cls);
    const type = text(node, "type");
    if (!G.EXPRESSION_TYPES[cls].has(type)) this.refuse(`expression ${cls} ${type || "?"}`);
    this.name(text(node, "alias"), "alias");
    const e = (key: string): void => this.optExpr(node[key], scope);
    const each = (key: string): void => {
      for (const child of list(node, key)) this.expr(child, scope);
    };

    switch (cls) {
      case "BETWEEN":
        e("input");
        e("lower");
        e("upper");
        break;
      case "CASE":
        for (const check of list(node, "case_checks")) {
          if (!isObj(check)) this.refuse("a malformed CASE");
          this.keys(check, ["when_expr", "then_expr"], "CASE");
          this.expr(check.when_expr, scope);
          this.expr(check.then_expr, scope);
        }
        e("else_expr");
        break;
      case "CAST":
        e("child");
        this.logicalType(node.cast_type);
        break;
      case "COLLATE":
        e("child");
        if (!/^[A-Za-z0-9_.]{0,64}$/.test(text(node, "collation"))) this.refuse("collation");
        break;
      case "COLUMN_REF":
        this.columnRef(node);
        break;
      case "COMPARISON":
        e("left");
        e("right");
        break;
      case "CONJUNCTION":
      case "OPERATOR":
        each("children");
        break;
      case "CONSTANT":
        this.value(node.value);
        break;
      case "FUNCTION":
        this.functionName(node);
        if (node.export_state === true) this.refuse(`EXPORT_STATE on ${text(node, "function_name")}()`);
        each("children");
        e("filter");
        this.orderModifier(node.order_bys, scope);
        break;
      case "WINDOW":
        this.functionName(node);
        each("children");
        each("partitions");
        this.orders(list(node, "orders"), scope);
        this.orders(list(node, "arg_orders"), scope);
        this.enumValue(node, "start", G.WINDOW_BOUNDARIES, "window frame");
        this.enumValue(node, "end", G.WINDOW_BOUNDARIES, "window frame");
        this.enumValue(node, "exclude_clause", G.WINDOW_EXCLUDES, "window EXCLUDE");
        for (const k of ["start_expr", "end_expr", "offset_expr", "default_expr", "filter_expr"]) e(k);
        break;
      case "LAMBDA":
        e("lhs");
        e("expr");
        this.enumValue(node, "syntax_type", G.LAMBDA_SYNTAX, "lambda syntax");
        break;
      case "PARAMETER":
        if (!/^[A-Za-z0-9_]{1,32}$/.test(text(node, "identifier"))) this.refuse("parameter name");
        break;
      case "POSITIONAL_REFERENCE":
        if (typeof node.index !== "number") this.refuse("a malformed positional reference");
        break;
      case "STAR":
        this.star(node, scope);
        break;
      case "SUBQUERY":
        this.enumValue(node, "subquery_type", G.SUBQUERY_TYPES, "subquery kind");
        if (node.comparison_type !== "INVALID") this.enumValue(node, "comparison_type", G.EXPRESSION_TYPES.COMPARISON, "subquery comparison");
        this.statement(node.subquery, scope);
        e("child");
        break;
    }
  }

  private columnRef(node: Obj): void {
    const parts = list(node, "column_names");
    if (parts.length === 0) this.refuse("a malformed column reference");
    this.names(parts, "column");
    const only = parts.length === 1 ? String(parts[0]).toLowerCase() : undefined;
    if (only !== undefined && Object.hasOwn(SQL_VALUE_NAMES, only)) {
      // Bound to a function unless a column of that name is in scope; only the granted
      // views' columns are known here, so anything else is refused.
      if (!ALLOWED_FUNCTIONS.has(SQL_VALUE_NAMES[only]) && !this.ctx.columns.has(only)) this.refuse(`special name ${only} (the function ${SQL_VALUE_NAMES[only]}())`);
    }
  }

  private functionName(node: Obj): void {
    const name = text(node, "function_name").toLowerCase();
    const schema = text(node, "schema");
    const catalog = text(node, "catalog");
    // The parser itself writes main.list_value / main.struct_pack / main.row for [..], {..} and (a, b).
    if ((schema !== "" && schema !== "main") || catalog !== "") this.refuse(`function ${[catalog, schema, name].filter(Boolean).join(".")}`);
    if (!ALLOWED_FUNCTIONS.has(name)) this.refuse(`function ${name}()`);
  }

  private star(node: Obj, scope: ReadonlySet<string>): void {
    this.name(text(node, "relation_name"), "star relation");
    this.names(list(node, "exclude_list"), "EXCLUDE column");
    for (const q of list(node, "qualified_exclude_list")) this.qualifiedName(q, "EXCLUDE column");
    for (const r of list(node, "replace_list")) {
      if (!isObj(r) || typeof r.key !== "string") this.refuse("a malformed REPLACE");
      this.keys(r, ["key", "value"], "REPLACE");
      this.name(r.key, "REPLACE column");
      this.expr(r.value, scope);
    }
    for (const r of list(node, "rename_list")) {
      if (!isObj(r) || typeof r.value !== "string") this.refuse("a malformed RENAME");
      this.keys(r, ["key", "value"], "RENAME");
      this.qualifiedName(r.key, "RENAME column");
      this.name(r.value, "RENAME column");
    }
    this.optExpr(node.expr, scope);
  }

  private qualifiedName(node: Json, what: string): void {
    if (!isObj(node)) this.refuse(`a malformed ${what}`);
    this.keys(node, ["catalog", "schema", "table", "column"], what);
    for (const v of Object.values(node)) {
      if (typeof v !== "string") this.refuse(`a malformed ${what}`);
      this.name(v, what);
    }
  }

  /** A literal: a logical type and a payload that is plain data (nested values for LIST/STRUCT/…). */
  private value(node: Json | undefined): void {
    if (!isObj(node)) this.refuse("a malformed literal");
    this.keys(node, ["type", "is_null", "value"], "a literal");
    this.logicalType(node.type);
    const v = node.value;
    if (v === undefined || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) this.refuse("a malformed literal");
    if ("children" in v) {
      this.keys(v, ["children"], "a nested literal");
      for (const child of list(v, "children")) this.value(child);
      return;
    }
    const allowed = "months" in v ? ["months", "days", "micros"] : ["upper", "lower"];
    this.keys(v, allowed, "a literal");
    if (Object.values(v).some((x) => typeof x !== "number")) this.refuse("a malformed literal");
  }

  private logicalType(node: Json | undefined): void {
    if (!isObj(node)) this.refuse("a malformed type");
    this.keys(node, ["id", "type_info"], "a type");
    const id = text(node, "id");
    if (!G.TYPE_IDS.has(id)) this.refuse(`type ${id || "?"}`);
    const info = node.type_info;
    if (info === undefined || info === null) return;
    if (!isObj(info)) this.refuse("a malformed type");
    const kind = text(info, "type");
    const extra = G.TYPE_INFO_KEYS[kind];
    if (!extra) this.refuse(`type info ${kind || "?"}`);
    this.keys(info, [...G.TYPE_INFO_BASE_KEYS, ...extra], kind);
    if (info.extension_info !== undefined && info.extension_info !== null) this.refuse("extension type info");
    for (const m of list(info, "modifiers")) this.value(m);
    if (info.child_type !== undefined) this.logicalType(info.child_type);
    for (const c of list(info, "child_types")) {
      if (!isObj(c) || typeof c.first !== "string") this.refuse("a malformed STRUCT type");
      this.keys(c, ["first", "second"], "a STRUCT type");
      // unnest(x::STRUCT(__subjects INT)) would name a result column.
      this.name(c.first, "STRUCT field");
      this.logicalType(c.second);
    }
    if (kind === "UNBOUND_TYPE_INFO") {
      const name = text(info, "name");
      if (!TYPE_NAME.test(name) || text(info, "catalog") !== "" || text(info, "schema") !== "") this.refuse(`type ${name || "?"}`);
      for (const m of list(info, "user_type_modifiers")) this.value(m);
    }
  }
}

/**
 * The part of DuckDB's serialized SQL AST (json_serialize_sql, DuckDB 1.5) a job may use:
 * every object kind, every key of it and every enum value the guard accepts. Anything
 * not listed here is refused, so a new DuckDB release that adds a node, a key or a
 * join kind stays refused until someone has looked at it. Sources: DuckDB's
 * src/include/duckdb/storage/serialization/*.json and the AST of DuckDB's own test/sql
 * SELECT statements (test/sandbox/corpus).
 */

const set = (...items: string[]): ReadonlySet<string> => new Set(items);

/** Keys every expression object carries, whatever its class. */
export const EXPRESSION_BASE_KEYS = ["class", "type", "alias", "query_location"];

/** Expression classes → the keys each may carry beyond the base keys. */
export const EXPRESSION_KEYS: Readonly<Record<string, readonly string[]>> = {
  BETWEEN: ["input", "lower", "upper"],
  CASE: ["case_checks", "else_expr"],
  CAST: ["child", "cast_type", "try_cast"],
  COLLATE: ["child", "collation"],
  COLUMN_REF: ["column_names"],
  COMPARISON: ["left", "right"],
  CONJUNCTION: ["children"],
  CONSTANT: ["value"],
  FUNCTION: ["function_name", "schema", "children", "filter", "order_bys", "distinct", "is_operator", "export_state", "catalog"],
  LAMBDA: ["lhs", "expr", "syntax_type"],
  OPERATOR: ["children"],
  PARAMETER: ["identifier"],
  POSITIONAL_REFERENCE: ["index"],
  STAR: ["relation_name", "exclude_list", "replace_list", "columns", "expr", "unpacked", "qualified_exclude_list", "rename_list"],
  SUBQUERY: ["subquery_type", "subquery", "child", "comparison_type"],
  WINDOW: [
    "function_name", "schema", "catalog", "children", "partitions", "orders", "start", "end", "start_expr", "end_expr",
    "offset_expr", "default_expr", "ignore_nulls", "filter_expr", "exclude_clause", "distinct", "arg_orders",
  ],
};

/** Expression classes → the `type` values accepted for each. */
export const EXPRESSION_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  BETWEEN: set("COMPARE_BETWEEN", "COMPARE_NOT_BETWEEN"),
  CASE: set("CASE_EXPR"),
  CAST: set("OPERATOR_CAST"),
  COLLATE: set("COLLATE"),
  COLUMN_REF: set("COLUMN_REF"),
  COMPARISON: set(
    "COMPARE_EQUAL", "COMPARE_NOTEQUAL", "COMPARE_LESSTHAN", "COMPARE_GREATERTHAN", "COMPARE_LESSTHANOREQUALTO",
    "COMPARE_GREATERTHANOREQUALTO", "COMPARE_DISTINCT_FROM", "COMPARE_NOT_DISTINCT_FROM",
  ),
  CONJUNCTION: set("CONJUNCTION_AND", "CONJUNCTION_OR"),
  CONSTANT: set("VALUE_CONSTANT"),
  FUNCTION: set("FUNCTION"),
  LAMBDA: set("LAMBDA"),
  OPERATOR: set(
    "OPERATOR_NOT", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL", "COMPARE_IN", "COMPARE_NOT_IN", "OPERATOR_COALESCE",
    "ARRAY_EXTRACT", "ARRAY_SLICE", "STRUCT_EXTRACT", "ARRAY_CONSTRUCTOR", "OPERATOR_TRY", "GROUPING_FUNCTION",
    "OPERATOR_UNPACK",
  ),
  PARAMETER: set("VALUE_PARAMETER"),
  POSITIONAL_REFERENCE: set("POSITIONAL_REFERENCE"),
  STAR: set("STAR"),
  SUBQUERY: set("SUBQUERY"),
  WINDOW: set(
    "WINDOW_AGGREGATE", "WINDOW_ROW_NUMBER", "WINDOW_RANK", "WINDOW_RANK_DENSE", "WINDOW_PERCENT_RANK",
    "WINDOW_CUME_DIST", "WINDOW_NTILE", "WINDOW_LAG", "WINDOW_LEAD", "WINDOW_FIRST_VALUE", "WINDOW_LAST_VALUE",
    "WINDOW_NTH_VALUE", "WINDOW_FILL",
  ),
};

export const LAMBDA_SYNTAX = set("DEFAULT", "ARROW", "LAMBDA_KEYWORD", "SINGLE_ARROW", "PYTHON_STYLE");
export const SUBQUERY_TYPES = set("SCALAR", "EXISTS", "NOT_EXISTS", "ANY");
export const WINDOW_BOUNDARIES = set(
  "INVALID", "UNBOUNDED_PRECEDING", "UNBOUNDED_FOLLOWING", "CURRENT_ROW_RANGE", "CURRENT_ROW_ROWS", "EXPR_PRECEDING_ROWS",
  "EXPR_FOLLOWING_ROWS", "EXPR_PRECEDING_RANGE", "EXPR_FOLLOWING_RANGE", "CURRENT_ROW_GROUPS", "EXPR_PRECEDING_GROUPS",
  "EXPR_FOLLOWING_GROUPS",
);
export const WINDOW_EXCLUDES = set("NO_OTHER", "CURRENT_ROW", "GROUP", "TIES");

/** Query nodes → the keys each may carry beyond `type`, `modifiers`, `cte_map`. */
export const QUERY_NODE_KEYS: Readonly<Record<string, readonly string[]>> = {
  SELECT_NODE: ["select_list", "from_table", "where_clause", "group_expressions", "group_sets", "aggregate_handling", "having", "sample", "qualify"],
  SET_OPERATION_NODE: ["setop_type", "left", "right", "setop_all", "children"],
  RECURSIVE_CTE_NODE: ["cte_name", "union_all", "left", "right", "aliases", "key_targets"],
};
export const QUERY_NODE_BASE_KEYS = ["type", "modifiers", "cte_map"];
export const AGGREGATE_HANDLING = set("STANDARD_HANDLING", "NO_AGGREGATES_ALLOWED", "FORCE_AGGREGATES");
export const SETOP_TYPES = set("UNION", "EXCEPT", "INTERSECT", "UNION_BY_NAME");
export const CTE_MATERIALIZE = set("CTE_MATERIALIZE_DEFAULT", "CTE_MATERIALIZE_ALWAYS", "CTE_MATERIALIZE_NEVER");

/** Result modifiers → their keys beyond `type`. */
export const MODIFIER_KEYS: Readonly<Record<string, readonly string[]>> = {
  LIMIT_MODIFIER: ["limit", "offset"],
  LIMIT_PERCENT_MODIFIER: ["limit", "offset"],
  DISTINCT_MODIFIER: ["distinct_on_targets"],
  ORDER_MODIFIER: ["orders"],
};
export const ORDER_TYPES = set("ORDER_DEFAULT", "ASCENDING", "DESCENDING");
export const NULL_ORDERS = set("ORDER_DEFAULT", "NULLS FIRST", "NULLS LAST");

/**
 * Table references → their keys beyond `type`, `alias`, `sample`, `query_location`.
 * TABLE_FUNCTION, PIVOT, SHOW_REF and COLUMN_DATA are absent on purpose: table
 * functions read files and settings, SHOW/DESCRIBE/SUMMARIZE read the catalog, and
 * PIVOT needs a first query to find its columns, which the guard cannot see.
 */
export const TABLE_REF_KEYS: Readonly<Record<string, readonly string[]>> = {
  BASE_TABLE: ["schema_name", "table_name", "column_name_alias", "catalog_name", "at_clause"],
  JOIN: ["left", "right", "condition", "join_type", "ref_type", "using_columns", "delim_flipped", "duplicate_eliminated_columns", "is_implicit"],
  SUBQUERY: ["subquery", "column_name_alias"],
  EXPRESSION_LIST: ["expected_names", "expected_types", "values"],
  EMPTY: [],
};
export const TABLE_REF_BASE_KEYS = ["type", "alias", "sample", "query_location"];
export const JOIN_TYPES = set("INNER", "LEFT", "RIGHT", "FULL", "OUTER", "SEMI", "ANTI", "SINGLE", "MARK");
export const JOIN_REF_TYPES = set("REGULAR", "NATURAL", "CROSS", "POSITIONAL", "ASOF", "DEPENDENT");
export const SAMPLE_KEYS = ["sample_size", "is_percentage", "method", "seed", "repeatable"];
export const SAMPLE_METHODS = set("System", "Bernoulli", "Reservoir", "INVALID");

/**
 * Logical type ids a literal or a cast may use. Types are inert data; this list
 * exists so that a new type id (and whatever its binder does) is looked at first.
 */
export const TYPE_IDS = set(
  "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
  "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "VARCHAR", "CHAR", "BLOB", "BIT", "BIGNUM", "VARINT", "UUID", "DATE", "TIME",
  "TIME_NS", "TIME WITH TIME ZONE", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE",
  "INTERVAL", "NULL", "LIST", "ARRAY", "STRUCT", "MAP", "UNION", "VARIANT", "UNBOUND",
);

/** type_info kinds → their keys beyond `type`, `alias`, `modifiers`, `extension_info`. */
export const TYPE_INFO_KEYS: Readonly<Record<string, readonly string[]>> = {
  DECIMAL_TYPE_INFO: ["width", "scale"],
  STRING_TYPE_INFO: ["collation"],
  LIST_TYPE_INFO: ["child_type"],
  ARRAY_TYPE_INFO: ["child_type", "size"],
  STRUCT_TYPE_INFO: ["child_types"],
  GENERIC_TYPE_INFO: [],
  INVALID_TYPE_INFO: [],
  UNBOUND_TYPE_INFO: ["name", "catalog", "schema", "user_type_modifiers"],
};
export const TYPE_INFO_BASE_KEYS = ["type", "alias", "modifiers", "extension_info"];

/** Keys of a cte_map entry's value (`WITH name(aliases) AS [NOT] MATERIALIZED (query)`). */
export const CTE_KEYS = ["aliases", "query", "materialized", "key_targets"];

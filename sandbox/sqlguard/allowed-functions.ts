/**
 * Functions a job's SQL may call. An allow-list, not a deny-list: DuckDB grows new
 * functions every release (file readers, settings, logging), and a new one must stay
 * refused until someone has looked at it. Everything here is a pure computation over
 * its arguments.
 */
const OPERATORS = [
  "+", "-", "*", "/", "//", "%", "**", "^", "@", "&", "|", "<<", ">>", "~", "!", "||",
  "~~", "!~~", "~~*", "!~~*", "~~~", "!~~~", "^@", "->>", "->",
];

const SCALAR = [
  // numbers
  "abs", "ceil", "ceiling", "floor", "round", "round_even", "trunc", "sign", "sqrt", "cbrt", "pow", "power",
  "exp", "ln", "log", "log2", "log10", "greatest", "least", "mod", "isnan", "isinf", "isfinite",
  "pi", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "factorial", "gcd", "lcm",
  "even", "bit_count", "xor", "roundbankers", "nextafter",
  // strings
  "upper", "lower", "ucase", "lcase", "length", "len", "strlen", "char_length", "character_length",
  "substr", "substring", "left", "right", "trim", "ltrim", "rtrim", "lpad", "rpad", "concat", "concat_ws",
  "replace", "reverse", "repeat", "strpos", "instr", "position", "contains", "starts_with", "ends_with",
  "prefix", "suffix", "split_part", "string_split", "str_split", "like_escape", "ilike_escape",
  "regexp_matches", "regexp_replace", "regexp_extract", "regexp_full_match", "format", "printf",
  "ascii", "chr", "unicode", "translate", "initcap", "md5", "sha256", "hash", "levenshtein",
  "jaccard", "jaro_similarity", "jaro_winkler_similarity", "damerau_levenshtein", "hamming", "nfc_normalize",
  "strip_accents", "to_base", "from_base", "regexp_extract_all", "string_split_regex", "regexp_split_to_array",
  "format_bytes",
  // dates and times
  "date_part", "datepart", "date_trunc", "datetrunc", "date_diff", "datediff", "date_sub", "datesub",
  "date_add", "year", "month", "day", "hour", "minute", "second", "millisecond", "microsecond", "week",
  "weekofyear", "quarter", "dayofweek", "isodow", "dayofyear", "dayofmonth", "yearweek", "isoyear", "era",
  "decade", "century", "epoch", "epoch_ms", "make_date", "make_time", "make_timestamp", "strftime",
  "strptime", "try_strptime", "last_day", "monthname", "dayname", "age", "to_days", "to_months",
  "to_years", "to_hours", "to_minutes", "to_seconds", "to_timestamp", "time_bucket", "extract",
  // conditionals and types
  "coalesce", "ifnull", "nullif", "if", "typeof", "try",
  // lists and structs built from the row's own values
  "list_value", "list_pack", "list_extract", "list_element", "array_extract", "list_contains",
  "array_contains", "list_has", "list_position", "list_sort", "array_sort", "list_distinct",
  "list_unique", "array_length", "list_slice", "array_slice", "list_concat", "array_concat",
  "list_transform", "array_transform", "list_filter", "array_filter", "list_reduce", "list_sum",
  "list_avg", "list_min", "list_max", "list_count", "struct_pack", "struct_extract", "row", "unnest",
  "flatten", "range", "generate_series", "cardinality", "list_apply", "array_apply", "list_zip", "array_value",
  "list_resize", "list_reverse", "list_where", "list_intersect", "list_has_all", "list_has_any", "map", "map_keys",
  "map_values", "map_entries", "map_extract", "map_concat", "element_at",
  // aggregates
  "count", "count_star", "sum", "avg", "mean", "min", "max", "median", "mode", "quantile",
  "quantile_cont", "quantile_disc", "stddev", "stddev_pop", "stddev_samp", "var_pop", "var_samp",
  "variance", "corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_r2",
  "regr_count", "regr_avgx", "regr_avgy", "string_agg", "group_concat", "listagg", "list", "array_agg",
  "first", "last", "any_value", "arbitrary", "bool_and", "bool_or", "approx_count_distinct",
  "approx_quantile", "arg_min", "arg_max", "argmin", "argmax", "min_by", "max_by", "product",
  "histogram", "entropy", "kurtosis", "skewness", "sumkahan", "fsum", "bit_and", "bit_or", "bit_xor",
  "count_if", "countif", "sum_no_overflow", "favg", "kahan_sum", "mad",
  // window
  "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
  "first_value", "last_value", "nth_value",
];

/** Lower-cased names of every function the guard lets through. */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([...OPERATORS, ...SCALAR]);

/**
 * Table names a CTE may not take even though CTEs bind first in DuckDB: a
 * scoping mistake in the guard would otherwise turn them into catalog reads.
 */
export const RESERVED_TABLE_PREFIXES = ["duckdb_", "pragma_", "sqlite_", "pg_", "information_schema"];

/**
 * Bare names DuckDB binds to a function when no column of that name is in scope
 * (`SELECT current_user` is a COLUMN_REF in the AST, not a FUNCTION). Each maps to
 * the function it becomes; the name passes only if that function is allow-listed
 * above or a granted view has a column of that name. Source: DuckDB
 * src/planner/column_qualifier.cpp (GetSQLValueFunctionName).
 */
export const SQL_VALUE_NAMES: Readonly<Record<string, string>> = {
  current_catalog: "current_catalog",
  current_date: "current_date",
  current_schema: "current_schema",
  current_role: "current_role",
  current_time: "get_current_time",
  current_timestamp: "get_current_timestamp",
  current_user: "current_user",
  localtime: "current_localtime",
  localtimestamp: "current_localtimestamp",
  session_user: "session_user",
  user: "user",
};

/** Names starting with this are the domain's own (`__sid`, ledger columns): no query may use them. */
export const RESERVED_NAME_PREFIX = "__";

/**
 * SQL an attacker would try from a job. `{LIB}` is the job's own library directory,
 * `{OTHER}` another scenario's Parquet file, `{OUT}` a directory outside every library.
 * `lockdownAllows` marks statements the DuckDB lockdown alone lets run; each note says
 * why that is harmless (or which other layer covers it).
 */
export interface SqlAttack {
  name: string;
  sql: string;
  lockdownAllows?: string;
}

export const SQL_ATTACKS: SqlAttack[] = [
  { name: "read_csv of /etc/passwd", sql: "SELECT * FROM read_csv('/etc/passwd')" },
  { name: "read_csv_auto of /etc/passwd", sql: "SELECT * FROM read_csv_auto('/etc/passwd', header=false)" },
  { name: "FROM-first read_text", sql: "FROM read_text('/etc/hostname')" },
  { name: "replacement scan of a path", sql: "SELECT * FROM '/etc/passwd'" },
  { name: "read_parquet of another library", sql: "SELECT * FROM read_parquet('{OTHER}')" },
  { name: "replacement scan of another library", sql: "SELECT * FROM '{OTHER}'" },
  { name: "parquet_metadata of another library", sql: "SELECT * FROM parquet_metadata('{OTHER}')" },
  { name: "glob of /", sql: "SELECT * FROM glob('/*')" },
  { name: "view name from another library", sql: "SELECT * FROM secrets" },
  { name: "COPY TO outside", sql: "COPY (SELECT * FROM people) TO '{OUT}/leak.csv'" },
  { name: "EXPORT DATABASE", sql: "EXPORT DATABASE '{OUT}/export'" },
  { name: "ATTACH a new file", sql: "ATTACH '{OUT}/x.db' AS x" },
  { name: "INSTALL httpfs", sql: "INSTALL httpfs" },
  { name: "LOAD httpfs", sql: "LOAD httpfs" },
  { name: "SET enable_external_access", sql: "SET enable_external_access=true" },
  { name: "RESET allowed_directories", sql: "RESET allowed_directories" },
  { name: "SET lock_configuration off", sql: "SET lock_configuration=false" },
  { name: "PRAGMA threads", sql: "PRAGMA threads=8" },
  { name: "PRAGMA enable_profiling", sql: "PRAGMA enable_profiling", lockdownAllows: "profiling prints to the worker's stdout, which the pool discards" },
  { name: "profiling output to a file", sql: "PRAGMA profiling_output='{OUT}/profile.json'" },
  { name: "CREATE TABLE", sql: "CREATE TABLE t AS SELECT * FROM people", lockdownAllows: "an in-memory table of granted data inside the job's own instance" },
  { name: "duckdb_tables()", sql: "SELECT * FROM duckdb_tables()", lockdownAllows: "lists only this job's views" },
  { name: "duckdb_settings()", sql: "SELECT * FROM duckdb_settings()", lockdownAllows: "shows the job's own settings, no data" },
  { name: "duckdb_views without parentheses", sql: "SELECT * FROM duckdb_views", lockdownAllows: "lists only this job's views" },
  { name: "information_schema", sql: "SELECT * FROM information_schema.tables", lockdownAllows: "lists only this job's views" },
  { name: "pg_catalog", sql: "SELECT * FROM pg_catalog.pg_class", lockdownAllows: "lists only this job's catalog" },
  { name: "current_setting", sql: "SELECT current_setting('allowed_directories')", lockdownAllows: "shows the job's own library path" },
  { name: "getenv", sql: "SELECT getenv('HOME')" },
  { name: "query() table function", sql: "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')" },
  { name: "query_table()", sql: "SELECT * FROM query_table('people')", lockdownAllows: "reads a granted view" },
  { name: "two statements", sql: "SELECT 1; SELECT * FROM read_csv('/etc/passwd')" },
  { name: "second statement after a comment", sql: "SELECT * FROM people -- harmless\n; ATTACH '{OUT}/c.db' AS c" },
  { name: "statement inside a block comment then real", sql: "SELECT 1 /* ; */ ; COPY people TO '{OUT}/c.csv'" },
  { name: "CTE shadowing a view", sql: "WITH people AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM people" },
  { name: "CTE named like a catalog view", sql: "WITH duckdb_settings AS (SELECT 1 AS x) SELECT * FROM duckdb_settings", lockdownAllows: "the CTE itself is harmless" },
  { name: "CTE referenced before it is defined (file-like name)", sql: `WITH a AS (SELECT * FROM "/etc/passwd"), "/etc/passwd" AS (SELECT 1 AS x) SELECT * FROM a` },
  { name: "earlier CTE reading a later plain-named CTE", sql: "WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a" },
  { name: "CTE referenced out of scope", sql: "SELECT * FROM (WITH x AS (SELECT 1 AS a) SELECT * FROM x) AS y, x" },
  { name: "table function in scalar subquery", sql: "SELECT (SELECT count(*) FROM read_text('/etc/hostname')) AS n" },
  { name: "table function in UNION", sql: "SELECT name FROM people UNION ALL SELECT content FROM read_text('/etc/hostname')" },
  { name: "table function in JOIN", sql: "SELECT * FROM people JOIN read_csv('/etc/passwd') ON true" },
  { name: "table function inside a lambda", sql: "SELECT list_transform([1], x -> (SELECT count(*) FROM glob('/*'))) AS l" },
  { name: "schema-qualified table function", sql: "SELECT * FROM main.duckdb_settings()", lockdownAllows: "shows the job's own settings, no data" },
  { name: "DESCRIBE", sql: "DESCRIBE people", lockdownAllows: "describes a granted view" },
  { name: "SUMMARIZE a file", sql: "SUMMARIZE SELECT * FROM read_csv('/etc/passwd')" },
  { name: "PIVOT", sql: "PIVOT people ON name USING sum(salary)", lockdownAllows: "computes over granted data" },
  { name: "PREPARE", sql: "PREPARE p AS SELECT * FROM read_csv('/etc/passwd')" },
  { name: "version()", sql: "SELECT version()", lockdownAllows: "engine version only" },
  { name: "CALL enable_logging", sql: "CALL enable_logging(level='trace', storage='file', storage_path='{OUT}/logs')", lockdownAllows: "DuckDB accepts it after locking (DESIGN §11); the worker exits without closing DuckDB; the guard refuses it" },
  { name: "enable_logging as table function", sql: "SELECT * FROM enable_logging()", lockdownAllows: "as above" },
];

/** Substitutes the placeholders of an attack. */
export function fill(sql: string, places: { LIB: string; OTHER: string; OUT: string }): string {
  return sql.replaceAll("{LIB}", places.LIB).replaceAll("{OTHER}", places.OTHER).replaceAll("{OUT}", places.OUT);
}

/** Classifies a DuckDB column type into the families the sampling rules care about. */

export type TypeFamily = "integer" | "decimal" | "temporal" | "boolean" | "text";

/** The family of a DuckDB type name as DESCRIBE prints it. */
export function typeFamily(duckType: string): TypeFamily {
  const t = duckType.toUpperCase();
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(t)) return "integer";
  if (/^(FLOAT|REAL|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/.test(t)) return "decimal";
  if (/^(DATE|TIMESTAMP.*)$/.test(t)) return "temporal";
  if (t === "BOOLEAN") return "boolean";
  return "text";
}

import type { DuckDBConnection } from "@duckdb/node-api";
import { invalid } from "../errors.js";
import { compileExpression } from "./compile.js";
import { materializeHostMapping, tempName } from "./host-map.js";
import { DesensitizePolicy, type Method } from "./methods.js";
import { assertSecret, keyedPseudonym } from "./pseudonym.js";
import { quoteIdent, quoteTable } from "./sql-quote.js";

/** What applyPolicy did. */
export interface ApplyResult {
  rows: number;
  applied: { column: string; method: Method["method"] }[];
}

/** Column names and DuckDB types of a table, in order. */
export async function describeTable(conn: DuckDBConnection, table: string): Promise<{ name: string; type: string }[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${quoteTable(table)}`);
  return reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * Materialises `targetTable` = `sourceTable` with `policy` applied, in one CREATE TABLE AS.
 * Keyed pseudonyms are computed once per distinct value in Node (HMAC-SM3 with `secret`) into a
 * temp mapping table that is joined back; every other method is a vectorised SQL expression.
 * Columns the policy does not name pass through unchanged.
 */
export async function applyPolicy(
  conn: DuckDBConnection,
  sourceTable: string,
  targetTable: string,
  policyInput: unknown,
  opts: { secret?: Uint8Array } = {},
): Promise<ApplyResult> {
  const parsed = DesensitizePolicy.safeParse(policyInput);
  if (!parsed.success) {
    throw invalid("BAD_POLICY", `desensitization policy is invalid: ${parsed.error.message}`, {
      issues: parsed.error.issues,
    });
  }
  const policy = parsed.data;
  const columns = await describeTable(conn, sourceTable);
  const known = new Set(columns.map((c) => c.name));
  for (const name of Object.keys(policy.columns)) {
    if (!known.has(name)) {
      throw invalid("POLICY_UNKNOWN_COLUMN", `policy names column '${name}', which ${sourceTable} does not have`, {
        column: name,
        table: sourceTable,
        columns: [...known],
      });
    }
  }

  const select: string[] = [];
  const joins: string[] = [];
  const mappings: string[] = [];
  const applied: ApplyResult["applied"] = [];
  try {
    for (const { name, type } of columns) {
      const method = policy.columns[name] ?? { method: "keep" as const };
      if (method.method === "drop") {
        applied.push({ column: name, method: "drop" });
        continue;
      }
      if (method.method === "pseudonym") {
        assertSecret(opts.secret);
        const secret = opts.secret;
        const map = tempName("pseudo");
        mappings.push(map);
        await materializeHostMapping(conn, `SELECT ${quoteIdent(name)} FROM ${quoteTable(sourceTable)}`, map, (v) =>
          keyedPseudonym(secret, method.context, v, method.length),
        );
        const alias = `m${mappings.length}`;
        joins.push(`LEFT JOIN temp.main.${quoteIdent(map)} ${alias} ON ${alias}.v = CAST(s.${quoteIdent(name)} AS VARCHAR)`);
        select.push(`${alias}.p AS ${quoteIdent(name)}`);
      } else {
        select.push(`${compileExpression(`s.${quoteIdent(name)}`, method, { type })} AS ${quoteIdent(name)}`);
      }
      if (policy.columns[name]) applied.push({ column: name, method: method.method });
    }
    if (select.length === 0) {
      throw invalid("POLICY_DROPS_ALL", "the policy drops every column; keep at least one", { table: sourceTable });
    }
    await conn.run(
      `CREATE TABLE ${quoteTable(targetTable)} AS SELECT ${select.join(", ")} FROM ${quoteTable(sourceTable)} s ${joins.join(" ")}`,
    );
  } finally {
    for (const m of mappings) await conn.run(`DROP TABLE IF EXISTS temp.main.${quoteIdent(m)}`);
  }
  const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${quoteTable(targetTable)}`)).getColumnsJS()[0][0]);
  return { rows, applied };
}

import { exec, one, type SqlConnection } from "../domain/db.js";
import { protectTable } from "../domain/row-codec.js";

/**
 * Control-store tables of the lifecycle (operator authorization, incidents, purge
 * receipts). Created on first use so domains made before them keep working; every
 * statement is idempotent, so running it inside or outside a transaction is safe.
 */
export const LIFECYCLE_SCHEMA = `
CREATE TABLE IF NOT EXISTS operator_authorization (
  id VARCHAR PRIMARY KEY, datasets VARCHAR NOT NULL, start_date DATE NOT NULL, end_date DATE NOT NULL,
  reference VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS incidents (
  id VARCHAR PRIMARY KEY, scope VARCHAR NOT NULL, target VARCHAR NOT NULL, reason VARCHAR NOT NULL, state VARCHAR NOT NULL,
  opened_at TIMESTAMP NOT NULL, opened_by VARCHAR NOT NULL, effects VARCHAR NOT NULL,
  closed_at TIMESTAMP, closed_by VARCHAR, report VARCHAR, deadline DATE);
CREATE TABLE IF NOT EXISTS purge_receipts (
  id VARCHAR PRIMARY KEY, cause VARCHAR NOT NULL, agreement VARCHAR, scenario VARCHAR, org VARCHAR NOT NULL,
  receipt VARCHAR NOT NULL, receipt_sm3 VARCHAR NOT NULL, purged_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL);
`;

const TABLES = ["operator_authorization", "incidents", "purge_receipts"];

// The standing check reads all three (an incident suspends, an authorization permits): their rows are MAC'd.
protectTable("operator_authorization", ["id"]);
protectTable("incidents", ["id"]);
protectTable("purge_receipts", ["id"]);

/**
 * Makes sure the lifecycle tables exist on this connection's database. Not cached: a
 * creation inside a transaction that later rolls back must not be remembered. A
 * read-only open of a domain no writer has created them in yet gets empty temporary
 * ones (the reports and the standing check then see "nothing recorded", which is true).
 */
export async function ensureLifecycleTables(conn: SqlConnection): Promise<void> {
  // information_schema: the same question on DuckDB and on a PostgreSQL control store.
  const have = await one<{ n: number }>(conn, `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = current_schema() AND table_name IN (${TABLES.map((t) => `'${t}'`).join(", ")})`);
  if (have?.n === TABLES.length) return;
  try {
    await exec(conn, LIFECYCLE_SCHEMA);
  } catch (err) {
    if (!/read-only mode/i.test(String((err as Error).message))) throw err;
    await exec(conn, LIFECYCLE_SCHEMA.replaceAll("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE IF NOT EXISTS"));
  }
}

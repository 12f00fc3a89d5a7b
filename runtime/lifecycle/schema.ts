import type { SqlConnection } from "../domain/sql-connection.js";
import { exec } from "../domain/db.js";

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

/**
 * Makes sure the lifecycle tables exist on this connection's database. Not cached: a
 * creation inside a transaction that later rolls back must not be remembered.
 */
export async function ensureLifecycleTables(conn: SqlConnection): Promise<void> {
  await exec(conn, LIFECYCLE_SCHEMA);
}

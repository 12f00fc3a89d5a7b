import { protectTable } from "../domain/row-codec.js";
/**
 * Control-store tables of the obligations (issue 15): product-use agreements, data
 * subjects' authorizations, the product register, admission, whitelists, metering, the
 * holiday calendar and social-data sources. Version 3 of the control schema.
 */
export const OBLIGATION_TABLES = `
CREATE TABLE IF NOT EXISTS use_agreements (
  id VARCHAR PRIMARY KEY, product VARCHAR NOT NULL, buyer_org VARCHAR NOT NULL, use_scenario VARCHAR NOT NULL,
  delivery VARCHAR NOT NULL, price_fen BIGINT NOT NULL, public_interest BOOLEAN NOT NULL, conditions VARCHAR NOT NULL,
  start_date DATE NOT NULL, end_date DATE NOT NULL, state VARCHAR NOT NULL, reason VARCHAR,
  created_by VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS consents (
  id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, subject_digest VARCHAR NOT NULL, scope VARCHAR NOT NULL,
  granted_on DATE NOT NULL, expires DATE NOT NULL, evidence VARCHAR NOT NULL, state VARCHAR NOT NULL,
  revoked_at TIMESTAMP, recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS legal_bases (
  scenario VARCHAR PRIMARY KEY, basis VARCHAR NOT NULL, note VARCHAR NOT NULL, recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS product_register (
  product VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL, description VARCHAR NOT NULL,
  pricing VARCHAR NOT NULL, price_fen BIGINT NOT NULL, cost_basis VARCHAR NOT NULL, reg_no VARCHAR NOT NULL,
  state VARCHAR NOT NULL, reason VARCHAR, registered_by VARCHAR NOT NULL, registered_at TIMESTAMP NOT NULL, delisted_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS admissions (
  id VARCHAR PRIMARY KEY, org VARCHAR NOT NULL, qualifications VARCHAR NOT NULL, state VARCHAR NOT NULL,
  applied_at TIMESTAMP NOT NULL, publicity_until DATE NOT NULL, decided_by VARCHAR, decided_at TIMESTAMP, reason VARCHAR);
CREATE TABLE IF NOT EXISTS evaluations (
  id VARCHAR PRIMARY KEY, org VARCHAR NOT NULL, period VARCHAR NOT NULL, score INTEGER NOT NULL, text VARCHAR NOT NULL,
  recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS personnel (
  account VARCHAR PRIMARY KEY, id_verified BOOLEAN NOT NULL, confidentiality_ref VARCHAR NOT NULL, signed_on DATE NOT NULL,
  recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS whitelist (
  kind VARCHAR NOT NULL, target VARCHAR NOT NULL, note VARCHAR NOT NULL, added_by VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL,
  PRIMARY KEY (kind, target));
CREATE TABLE IF NOT EXISTS usage_records (
  id VARCHAR PRIMARY KEY, product VARCHAR NOT NULL, org VARCHAR NOT NULL, account VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  fee_fen BIGINT NOT NULL, used_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS calendar_days (
  day DATE PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL, set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS social_sources (
  dataset VARCHAR PRIMARY KEY, org VARCHAR NOT NULL, lawful_source VARCHAR NOT NULL, approved_by VARCHAR NOT NULL, approved_at TIMESTAMP NOT NULL);
`;

// Every obligation decides access (use agreements, consents, admission, whitelists) or money
// (prices, usage): their rows are MAC'd like the rest of the control store. Tables that grow
// with use are checked by fingerprint at open and in full by audit verify.
protectTable("use_agreements", ["id"]);
protectTable("consents", ["id"], { lazy: true });
protectTable("legal_bases", ["scenario"]);
protectTable("product_register", ["product"]);
protectTable("admissions", ["id"]);
protectTable("evaluations", ["id"]);
protectTable("personnel", ["account"]);
protectTable("whitelist", ["kind", "target"]);
protectTable("usage_records", ["id"], { lazy: true });
protectTable("calendar_days", ["day"]);
protectTable("social_sources", ["dataset"]);

/**
 * The control store's tables. Lists are JSON text: they are read whole and never
 * queried element-wise, and JSON keeps binding simple. A new domain gets the whole
 * schema at once; an older one is brought up to date by CONTROL_MIGRATIONS when it opens.
 */
import { OBLIGATION_TABLES } from "../obligations/schema.js";
import { protectTable } from "./row-codec.js";

// Quality feedback and its deadlines are evidence against providers (HB 25, GZ 21): authenticated like the rest.
protectTable("feedback", ["id"]);

export const CONTROL_SCHEMA_VERSION = 3;

/** Version 2: subject keys (dataset_subjects) and admins' column roles (column_roles). */
const SUBJECT_TABLES = `
CREATE TABLE dataset_subjects (
  dataset VARCHAR PRIMARY KEY, columns VARCHAR NOT NULL, kind VARCHAR NOT NULL, proposed VARCHAR NOT NULL,
  confirmed BOOLEAN NOT NULL, updated_by VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL);
CREATE TABLE column_roles (
  dataset VARCHAR NOT NULL, column_name VARCHAR NOT NULL, role VARCHAR NOT NULL, updated_by VARCHAR NOT NULL,
  updated_at TIMESTAMP NOT NULL, PRIMARY KEY (dataset, column_name));
`;

/**
 * Steps from each older schema version to the next, applied in order inside one
 * transaction: `to` is the version the step produces. Append only; never edit a step.
 */
export const CONTROL_MIGRATIONS: { to: number; sql: string }[] = [{ to: 2, sql: SUBJECT_TABLES }, { to: 3, sql: OBLIGATION_TABLES }];

export const CONTROL_SCHEMA = `
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE TABLE orgs (
  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  state VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL);
CREATE TABLE accounts (
  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, org VARCHAR NOT NULL, roles VARCHAR NOT NULL,
  token_salt VARCHAR NOT NULL, token_digest VARCHAR NOT NULL, state VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL);
CREATE TABLE datasets (
  id VARCHAR NOT NULL, version INTEGER NOT NULL, vault_table VARCHAR NOT NULL, name VARCHAR NOT NULL,
  provider VARCHAR NOT NULL, grade INTEGER NOT NULL, row_count BIGINT NOT NULL, columns VARCHAR NOT NULL,
  format VARCHAR NOT NULL, source_file VARCHAR NOT NULL, source_sm3 VARCHAR NOT NULL, source_bytes BIGINT NOT NULL,
  state VARCHAR NOT NULL, ingested_by VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL,
  PRIMARY KEY (id, version));
CREATE TABLE dataset_meta (
  id VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, category VARCHAR NOT NULL, sharing VARCHAR NOT NULL,
  opening VARCHAR NOT NULL, negative_list BOOLEAN NOT NULL, update_cycle VARCHAR NOT NULL, updated_at TIMESTAMP NOT NULL);
CREATE TABLE column_tags (
  dataset VARCHAR NOT NULL, column_name VARCHAR NOT NULL, tags VARCHAR NOT NULL, proposed VARCHAR NOT NULL,
  confirmed BOOLEAN NOT NULL, PRIMARY KEY (dataset, column_name));
CREATE TABLE agreements (
  id VARCHAR PRIMARY KEY, org VARCHAR NOT NULL, datasets VARCHAR NOT NULL, start_date DATE NOT NULL, end_date DATE NOT NULL,
  state VARCHAR NOT NULL, reason VARCHAR, created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL);
CREATE TABLE scenarios (
  id VARCHAR PRIMARY KEY, org VARCHAR NOT NULL, agreement VARCHAR NOT NULL, purpose VARCHAR NOT NULL, grants VARCHAR NOT NULL,
  state VARCHAR NOT NULL, approvals VARCHAR NOT NULL, reason VARCHAR, submitted_by VARCHAR NOT NULL,
  submitted_at TIMESTAMP NOT NULL, decided_at TIMESTAMP, expires DATE NOT NULL, library VARCHAR, policy VARCHAR);
CREATE TABLE jobs (
  id VARCHAR PRIMARY KEY, scenario VARCHAR NOT NULL, org VARCHAR NOT NULL, submitted_by VARCHAR NOT NULL, kind VARCHAR NOT NULL,
  mode VARCHAR NOT NULL, code_sm3 VARCHAR NOT NULL, params VARCHAR NOT NULL, library_digests VARCHAR NOT NULL, limits VARCHAR NOT NULL,
  state VARCHAR NOT NULL, reason VARCHAR, error VARCHAR, outputs VARCHAR, created_at TIMESTAMP NOT NULL,
  started_at TIMESTAMP, finished_at TIMESTAMP);
CREATE TABLE egress (
  id VARCHAR PRIMARY KEY, job VARCHAR NOT NULL, scenario VARCHAR NOT NULL, org VARCHAR NOT NULL, form VARCHAR NOT NULL,
  state VARCHAR NOT NULL, findings VARCHAR NOT NULL, desensitization VARCHAR NOT NULL, reviews VARCHAR NOT NULL,
  requested_by VARCHAR NOT NULL, requested_at TIMESTAMP NOT NULL, decided_at TIMESTAMP, package VARCHAR);
CREATE TABLE products (
  id VARCHAR PRIMARY KEY, egress VARCHAR NOT NULL, scenario VARCHAR NOT NULL, org VARCHAR NOT NULL, form VARCHAR NOT NULL,
  package VARCHAR NOT NULL, package_sm3 VARCHAR NOT NULL, state VARCHAR NOT NULL, released_at TIMESTAMP NOT NULL);
CREATE TABLE api_products (
  id VARCHAR PRIMARY KEY, job VARCHAR NOT NULL, scenario VARCHAR NOT NULL, org VARCHAR NOT NULL, name VARCHAR NOT NULL,
  code_sm3 VARCHAR NOT NULL, spec VARCHAR NOT NULL, state VARCHAR NOT NULL, reviews VARCHAR NOT NULL,
  requested_by VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);
CREATE TABLE feedback (
  id VARCHAR PRIMARY KEY, dataset VARCHAR NOT NULL, provider VARCHAR NOT NULL, org VARCHAR NOT NULL, text VARCHAR NOT NULL,
  state VARCHAR NOT NULL, answer VARCHAR, submitted_by VARCHAR NOT NULL, submitted_at TIMESTAMP NOT NULL, due DATE NOT NULL,
  answered_at TIMESTAMP);
${SUBJECT_TABLES}${OBLIGATION_TABLES}`;

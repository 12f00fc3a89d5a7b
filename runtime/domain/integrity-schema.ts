/**
 * Tables of the write protocol and the row MACs (see README.md in this folder). Created
 * with IF NOT EXISTS at every writer open, so older domains gain them on first use.
 */
export const INTEGRITY_SCHEMA = `
CREATE TABLE IF NOT EXISTS row_macs (tbl VARCHAR NOT NULL, pk VARCHAR NOT NULL, fp VARCHAR NOT NULL, mac VARCHAR NOT NULL, PRIMARY KEY (tbl, pk));
CREATE TABLE IF NOT EXISTS intents (id VARCHAR PRIMARY KEY, moves VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS job_owners (job VARCHAR PRIMARY KEY, pid INTEGER NOT NULL, start VARCHAR NOT NULL, host VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS library_manifests (scenario VARCHAR NOT NULL, kind VARCHAR NOT NULL, manifest VARCHAR NOT NULL, PRIMARY KEY (scenario, kind));
`;

import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { LibraryView } from "../types.js";

/** Quotes a view or column name; any text but control characters (Chinese names are common). */
function quoteIdent(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 255 || /[\u0000-\u001f]/.test(name)) throw new Error(`unusable name: ${JSON.stringify(name)}`);
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The lockdown sequence after the views exist; order matters (DESIGN §11). */
export function lockdownStatements(libraryDir: string, memoryMiB: number): string[] {
  const dir = libraryDir.endsWith("/") ? libraryDir : `${libraryDir}/`;
  return [
    // Without this the temp directory stays readable and writable by any SQL.
    "SET temp_directory=''",
    `SET allowed_directories=[${quoteString(dir)}]`,
    "SET enable_external_access=false",
    "SET disabled_filesystems='HTTPFileSystem,S3FileSystem,HuggingFaceFileSystem'",
    "SET allow_community_extensions=false",
    "SET autoload_known_extensions=false",
    "SET autoinstall_known_extensions=false",
    "SET allow_persistent_secrets=false",
    `SET memory_limit='${Math.max(16, Math.floor(memoryMiB))}MB'`,
    "SET threads=1",
    "SET lock_configuration=true",
  ];
}

/**
 * Creates the job's own in-memory DuckDB, still empty and unlocked. The warm worker
 * does this before any job arrives (instance creation costs tens of ms); the
 * process serves one job only, so nothing else ever sees this instance.
 */
export async function createJobInstance(): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoload_known_extensions: "false",
    autoinstall_known_extensions: "false",
  });
  const conn = await instance.connect();
  // The first statement on a connection pays one-off setup; pay it before the job's clock starts.
  await conn.run("SELECT 1");
  return { instance, conn };
}

/**
 * Gives the job's DuckDB one view per granted dataset (created while files may still
 * be named), then locks it down, so afterwards SQL can read the library directory
 * and nothing else, and cannot change any setting.
 */
export async function lockJobDatabase(conn: DuckDBConnection, libraryDir: string, views: LibraryView[], memoryMiB: number): Promise<void> {
  const statements = views.map((view) => {
    // Only the granted columns: the file's hidden `__sid` (and any `__` name) never reaches a model's view.
    const cols = view.columns.length > 0 ? view.columns.map(quoteIdent).join(", ") : "COLUMNS(lambda c: NOT starts_with(c, '__'))";
    return `CREATE VIEW ${quoteIdent(view.name)} AS SELECT ${cols} FROM read_parquet(${quoteString(view.file)})`;
  });
  // One round trip: DuckDB runs the statements in order and stops at the first
  // failure, and a failure here fails the job before any user code runs.
  await conn.run([...statements, ...lockdownStatements(libraryDir, memoryMiB)].join(";\n"));
}

/** createJobInstance + lockJobDatabase in one step (tests and one-off use). */
export async function openJobDatabase(libraryDir: string, views: LibraryView[], memoryMiB: number): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const db = await createJobInstance();
  await lockJobDatabase(db.conn, libraryDir, views, memoryMiB);
  return db;
}

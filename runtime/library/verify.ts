import { existsSync } from "node:fs";
import { join } from "node:path";
import { ShuyuError } from "../../policies/errors.js";
import { one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { sm3OfFile, type LibraryManifest } from "./materialise.js";

/** Records the manifest of a library just written (in the same transaction as its scenario row; MAC'd). */
export async function recordLibraryManifest(domain: Domain, scenario: string, kind: LibraryManifest["kind"], manifest: LibraryManifest): Promise<void> {
  await domain.control.run("INSERT OR REPLACE INTO library_manifests VALUES (?, ?, ?)", [scenario, kind, JSON.stringify(manifest)]);
}

/** The manifest the control store recorded for a library (never the copy on disk, which anyone with the folder could rewrite). */
export async function recordedLibraryManifest(domain: Domain, scenario: string, kind: LibraryManifest["kind"]): Promise<LibraryManifest | undefined> {
  const row = await one<{ scenario: string; kind: string; manifest: string }>(domain.control, "SELECT * FROM library_manifests WHERE scenario = ? AND kind = ?", [scenario, kind]);
  if (row) return JSON.parse((await domain.checkRow("library_manifests", row)).manifest) as LibraryManifest;
  if (kind === "raw") {
    // domains from before library_manifests: the scenario row (also MAC'd) holds the raw manifest
    const sc = await one<Record<string, unknown>>(domain.control, "SELECT * FROM scenarios WHERE id = ?", [scenario]);
    if (sc?.library) return JSON.parse(String((await domain.checkRow("scenarios", sc)).library)) as LibraryManifest;
  }
  return undefined;
}

/** Files of a library whose SM3 differs from the recorded manifest (or that are missing). */
export async function libraryMismatches(dir: string, manifest: LibraryManifest): Promise<{ file: string; expected: string; actual: string | null }[]> {
  const bad: { file: string; expected: string; actual: string | null }[] = [];
  for (const d of manifest.datasets) {
    const path = join(dir, d.file);
    const actual = existsSync(path) ? await sm3OfFile(path) : null;
    if (actual !== d.sm3) bad.push({ file: d.file, expected: d.sm3, actual });
  }
  return bad;
}

/** The typed error for a library whose files no longer match their digests. */
export function libraryTampered(scenario: string, kind: string, bad: { file: string }[]): ShuyuError {
  return new ShuyuError("invalid", "LIBRARY_TAMPERED", `the ${kind} library of scenario '${scenario}' no longer matches its SM3 manifest (${bad.map((b) => b.file).join(", ")}); the job was not run`, {
    details: { scenario, kind, files: bad.map((b) => b.file) },
  });
}

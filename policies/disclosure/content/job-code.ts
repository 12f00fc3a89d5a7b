/**
 * The job's code kept beside its staged outputs, so the gate can read the constants a report may
 * quote (the control store keeps only code_sm3). Read back only when its SM3 equals code_sm3.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const FILE = "job-code.txt";

/** Where a job's kept code lives in its staging directory (writers inside mutate() go through `pendingPath`). */
export function jobCodeFile(stagingDir: string): string {
  return join(stagingDir, FILE);
}

/** Writes the code into the job's staging directory (owner-side, never shown to the developer). */
export function keepJobCode(stagingDir: string, code: string): void {
  mkdirSync(stagingDir, { recursive: true, mode: 0o700 });
  writeFileSync(jobCodeFile(stagingDir), code, { mode: 0o600 });
}

/** The kept code if present and its SM3 is `codeSm3`; otherwise undefined (no constants credited). */
export function readJobCode(stagingDir: string, codeSm3: string): string | undefined {
  const f = jobCodeFile(stagingDir);
  if (!existsSync(f)) return undefined;
  const code = readFileSync(f, "utf8");
  return createHash("sm3").update(code).digest("hex") === codeSm3 ? code : undefined;
}

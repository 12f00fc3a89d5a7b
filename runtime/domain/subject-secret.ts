import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ShuyuError } from "../../policies/errors.js";
import { createFileOnce } from "./durable-file.js";

/** Where the domain's subject-id secret lives. */
export function subjectKeyPath(keysDir: string): string {
  return join(keysDir, "subject.key");
}

/** Creates the subject-id secret (256 random bits, hex, 0600) unless it exists. */
export function ensureSubjectSecret(keysDir: string): void {
  const path = subjectKeyPath(keysDir);
  if (existsSync(path)) return;
  createFileOnce(path, randomBytes(32).toString("hex"));
}

/**
 * The domain's subject-id secret, created on first use for domains made before it existed.
 * Whoever holds it can recompute every `__sid` from a key value, so it stays in keys/ and
 * is never logged or put into SQL text.
 */
export function subjectSecret(keysDir: string): string {
  ensureSubjectSecret(keysDir);
  const secret = readFileSync(subjectKeyPath(keysDir), "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(secret)) {
    throw new ShuyuError("internal", "SUBJECT_KEY_CORRUPT", `${subjectKeyPath(keysDir)} is not a 256-bit hex secret; restore it from backup (changing it changes every subject id)`);
  }
  return secret;
}

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ShuyuError } from "../../policies/errors.js";
import type { Domain } from "../domain/domain.js";

/**
 * Internal errors can carry raw values (a DuckDB message quoting a column name, a path).
 * Their details are written owner-side only — one 0600 file per error under
 * `staging/internal-errors/` — and everything else (CLI, HTTP body, server log) gets the id.
 */
export function internalErrorsDir(domain: Pick<Domain, "paths">): string {
  return join(domain.paths.staging, "internal-errors");
}

/** Stores the error's message, stack and context owner-side and returns its id (`err-…`). */
export function recordInternalError(domain: Pick<Domain, "paths">, err: unknown, context: Record<string, unknown> = {}): string {
  const id = `err-${new Date().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  try {
    const dir = internalErrorsDir(domain);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const e = err instanceof Error ? err : new Error(String(err));
    const cause = e.cause instanceof Error ? { message: e.cause.message, stack: e.cause.stack } : undefined;
    writeFileSync(join(dir, `${id}.json`), JSON.stringify({ id, at: new Date().toISOString(), context, name: e.name, code: (e as { code?: unknown }).code ?? null, message: e.message, stack: e.stack, cause }, null, 2), { mode: 0o600 });
  } catch {
    // The id is still returned: losing the details must not turn into showing them.
  }
  return id;
}

/** True for errors whose text must not be shown: anything not a ShuyuError, and internal ShuyuErrors. */
export function isInternal(err: unknown): boolean {
  return !(err instanceof ShuyuError) || err.kind === "internal";
}

/** Replaces an internal error by one that names only its id (details recorded owner-side); others pass through. */
export function withErrorId(domain: Pick<Domain, "paths">, err: unknown, context: Record<string, unknown> = {}): unknown {
  if (!isInternal(err)) return err;
  if (err instanceof ShuyuError && typeof err.details.errorId === "string") return err;
  const id = recordInternalError(domain, err, context);
  const code = err instanceof ShuyuError ? err.code : "INTERNAL";
  return new ShuyuError("internal", code, `internal error ${id}; the operator finds its details in the domain's staging/internal-errors`, { details: { errorId: id } });
}

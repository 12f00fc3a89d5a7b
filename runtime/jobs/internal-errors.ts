import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diskFull, isDiskFull, ShuyuError } from "../../policies/errors.js";
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

/**
 * Internal-kind errors whose message shuyu composed itself from no raw value: shown as they
 * are, because the person at the terminal can act on them (free space and retry).
 */
const TYPED_INTERNAL = new Set(["DISK_FULL"]);

/** True for errors whose text must not be shown: anything not a ShuyuError, and internal ShuyuErrors other than the typed ones. */
export function isInternal(err: unknown): boolean {
  if (!(err instanceof ShuyuError)) return true;
  return err.kind === "internal" && !TYPED_INTERNAL.has(err.code);
}

/**
 * A full disk as the typed DISK_FULL. The path is shown only when it lies in the domain's
 * folder (a store, the chain, staging): any other text in a low-level message may quote a
 * value, so it stays in the owner-side record with the rest.
 */
function typedDiskFull(domain: Pick<Domain, "paths">, err: unknown, context: Record<string, unknown>): ShuyuError {
  const id = recordInternalError(domain, err, context);
  const path = err instanceof ShuyuError && typeof err.details.path === "string" ? err.details.path : (err as { path?: unknown })?.path;
  // eslint-disable-next-line no-control-regex -- a path with control characters is not shown
  const inDomain = typeof path === "string" && (path === domain.paths.dir || path.startsWith(`${domain.paths.dir}/`)) && !/[\u0000-\u001f\u007f-\u009f]/.test(path);
  const e = diskFull(undefined, inDomain ? path : domain.paths.dir);
  return new ShuyuError("internal", "DISK_FULL", e.message, { details: { ...e.details, errorId: id } });
}

/** Replaces an internal error by one that names only its id (details recorded owner-side); a full disk becomes DISK_FULL; others pass through. */
export function withErrorId(domain: Pick<Domain, "paths">, err: unknown, context: Record<string, unknown> = {}): unknown {
  if (isDiskFull(err) || (err instanceof ShuyuError && err.code === "DISK_FULL")) return typedDiskFull(domain, err, context);
  if (!isInternal(err)) return err;
  if (err instanceof ShuyuError && typeof err.details.errorId === "string") return err;
  const id = recordInternalError(domain, err, context);
  const code = err instanceof ShuyuError ? err.code : "INTERNAL";
  return new ShuyuError("internal", code, `internal error ${id}; the operator finds its details in the domain's staging/internal-errors`, { details: { errorId: id } });
}

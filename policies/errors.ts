/**
 * The one error type every layer throws. `code` is stable (tests, scripts and the
 * HTTP API match on it); `kind` decides the CLI exit code (DESIGN §6).
 */
export type ErrorKind = "usage" | "denied" | "invalid" | "blocked" | "internal" | "busy";

const EXIT_BY_KIND: Record<ErrorKind, number> = {
  usage: 1,
  denied: 2,
  invalid: 3,
  blocked: 4,
  internal: 5,
  // The domain is held by another process: retry later; not a fault of the input or of shuyu.
  busy: 6,
};

/** HTTP status for each kind, used by the server. */
const HTTP_BY_KIND: Record<ErrorKind, number> = {
  usage: 400,
  denied: 403,
  invalid: 400,
  blocked: 409,
  internal: 500,
  busy: 503,
};

export interface ShuyuErrorOptions {
  /** Structured facts the user needs to fix the input (file, line, column, permission …). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** A typed, user-facing error with a stable code. */
export class ShuyuError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: Record<string, unknown>;

  constructor(kind: ErrorKind, code: string, message: string, options: ShuyuErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ShuyuError";
    this.kind = kind;
    this.code = code;
    this.details = options.details ?? {};
  }

  /** The process exit code for this error (DESIGN §6). */
  get exitCode(): number {
    return EXIT_BY_KIND[this.kind];
  }

  /** The HTTP status for this error. */
  get httpStatus(): number {
    if (this.code === "UNAUTHENTICATED") return 401;
    if (this.code === "NOT_FOUND") return 404;
    if (this.code === "RATE_LIMITED") return 429;
    return HTTP_BY_KIND[this.kind];
  }

  /** JSON form printed with --json and returned by the API. */
  toJSON(): { error: { code: string; kind: ErrorKind; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, kind: this.kind, message: this.message, details: this.details } };
  }
}

/** Shorthand for invalid-input errors (exit 3). */
export function invalid(code: string, message: string, details?: Record<string, unknown>): ShuyuError {
  return new ShuyuError("invalid", code, message, { details });
}

/** Shorthand for authorization denials (exit 2). */
export function denied(code: string, message: string, details?: Record<string, unknown>): ShuyuError {
  return new ShuyuError("denied", code, message, { details });
}

/** Shorthand for unknown-id errors (exit 3). */
export function notFound(what: string, id: string): ShuyuError {
  return new ShuyuError("invalid", "NOT_FOUND", `${what} '${id}' does not exist`, { details: { what, id } });
}

/** True when `err` is the file system (or DuckDB) reporting that the disk is full. */
export function isDiskFull(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const e = err as { code?: unknown; message?: unknown };
  if (e.code === "ENOSPC" || e.code === "EDQUOT") return true;
  return typeof e.message === "string" && /No space left on device|disk quota exceeded|ENOSPC/i.test(e.message);
}

/** The typed "disk full" error, naming the path being written when known. */
export function diskFull(err: unknown, path?: string): ShuyuError {
  const p = path ?? ((err as { path?: string })?.path) ?? /(?:file|path) "?([^"\s:]+)/.exec(String((err as Error)?.message ?? ""))?.[1];
  return new ShuyuError("internal", "DISK_FULL", `disk full${p ? ` writing ${p}` : ""}: free space on that file system and retry (nothing was changed)`, { cause: err, details: p ? { path: p } : {} });
}

/** Wraps anything thrown into a ShuyuError, keeping ShuyuErrors as they are. */
export function asShuyuError(err: unknown): ShuyuError {
  if (err instanceof ShuyuError) return err;
  if (isDiskFull(err)) return diskFull(err);
  const message = err instanceof Error ? err.message : String(err);
  return new ShuyuError("internal", "INTERNAL", message, { cause: err });
}

import { asShuyuError, ShuyuError } from "../../policies/errors.js";

/** Status codes for codes that have no kind-wide mapping in ShuyuError.httpStatus. */
const STATUS_BY_CODE: Record<string, number> = {
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  QUOTA_EXCEEDED: 429,
  SERVER_CLOSING: 503,
};

/** Fastify's own request errors, renamed to stable shuyu codes with a message that says how to fix the request. */
const FASTIFY_ERRORS: Record<string, { code: string; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "BODY_TOO_LARGE", message: "the request body is larger than the server accepts; send a smaller body" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "UNSUPPORTED_MEDIA_TYPE", message: "send JSON with 'Content-Type: application/json' (or a form from the console)" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "EMPTY_BODY", message: "the body is empty although Content-Type says JSON; send a JSON object or no Content-Type" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: "BAD_CONTENT_LENGTH", message: "Content-Length does not match the body" },
  FST_ERR_BAD_URL: { code: "BAD_URL", message: "the URL is not validly percent-encoded" },
  FST_ERR_MAX_PARAM_LENGTH: { code: "PATH_PARAMETER_TOO_LONG", message: "a path parameter is longer than 100 characters; ids are at most 63" },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "MALFORMED_JSON", message: "the body is not valid JSON" },
};

/** Turns anything thrown while serving a request into a ShuyuError and the HTTP status to answer with. */
export function httpError(err: unknown): { status: number; error: ShuyuError } {
  if (err instanceof ShuyuError) return { status: STATUS_BY_CODE[err.code] ?? err.httpStatus, error: err };
  const e = err as { code?: string; statusCode?: number; message?: string; name?: string };
  // @fastify/csrf-protection's refusals (no secret cookie, wrong or missing token)
  if (e.code === "FST_CSRF_MISSING_SECRET" || e.code === "FST_CSRF_INVALID_TOKEN") {
    return { status: 403, error: new ShuyuError("denied", "CSRF", "the form's CSRF token is missing or wrong; reload the page and try again") };
  }
  const known = e.code ? FASTIFY_ERRORS[e.code] : undefined;
  if (known) {
    const error = new ShuyuError("invalid", known.code, known.message);
    return { status: STATUS_BY_CODE[known.code] ?? 400, error };
  }
  if (e.name === "SyntaxError" && e.statusCode === 400) {
    return { status: 400, error: new ShuyuError("invalid", "MALFORMED_JSON", "the body is not valid JSON") };
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, error: new ShuyuError("invalid", "BAD_REQUEST", "the request could not be read; check its headers and body", { details: { status: e.statusCode } }) };
  }
  // Internal messages can carry paths or data; the client gets a generic line, the log gets the rest.
  const internal = asShuyuError(err);
  return { status: 500, error: new ShuyuError("internal", internal.code === "INTERNAL" ? "INTERNAL" : internal.code, "internal error; the operator can find it in the server log", { cause: err }) };
}

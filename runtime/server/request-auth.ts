import type { FastifyRequest } from "fastify";
import type { Principal } from "../../policies/authz/principal.js";
import { ShuyuError } from "../../policies/errors.js";
import { authenticate } from "../auth/authenticate.js";
import type { Domain } from "../domain/domain.js";

/** The console's session cookie: the account token itself, HttpOnly and SameSite=Strict. */
export const SESSION_COOKIE = "shuyu_session";

/** The token of `Authorization: Bearer TOKEN`, or undefined. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer +([\x21-\x7e]{1,512})$/i.exec(h);
  if (!m) throw new ShuyuError("denied", "UNAUTHENTICATED", "the Authorization header must be 'Bearer TOKEN'");
  return m[1];
}

/** Parses the Cookie header (no dependency: the console sets only two cookies). */
export function cookies(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed cookie is ignored, as browsers do
    }
  }
  return out;
}

/** Authenticates an API request by its bearer token (401 without one). */
export async function apiPrincipal(domain: Domain, req: FastifyRequest): Promise<Principal> {
  const token = bearerToken(req);
  if (!token) throw new ShuyuError("denied", "UNAUTHENTICATED", "no token: send 'Authorization: Bearer TOKEN' with an active account's token");
  return authenticate(domain, token);
}

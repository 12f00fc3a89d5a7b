import { createHash } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { Principal } from "../../policies/authz/principal.js";
import { ShuyuError } from "../../policies/errors.js";
import { authenticate } from "../auth/authenticate.js";
import type { Domain } from "../domain/domain.js";

/** The console's session cookie: a random session id (never the token), HttpOnly, SameSite=Strict, 8 h. */
export const SESSION_COOKIE = "shuyu_session";

/** The token of `Authorization: Bearer TOKEN`, or undefined. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer +([\x21-\x7e]{1,512})$/i.exec(h);
  if (!m) throw new ShuyuError("denied", "UNAUTHENTICATED", "the Authorization header must be 'Bearer TOKEN'");
  return m[1];
}

/** The request's cookies as @fastify/cookie parsed them (empty before the plugin runs). */
export function cookies(req: FastifyRequest): Record<string, string> {
  return Object.fromEntries(Object.entries(req.cookies ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/**
 * Remembers successful authentications for a short time so hot paths (API-product calls)
 * do not query the control store per request. Every state-changing request clears it,
 * and this server is the only writer of its domain (DuckDB admits one writing process),
 * so a revocation or suspension takes effect on the very next request.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; at: number }>();

  constructor(private readonly ttlMs = 5_000) {}

  /** The cached principal for a token, or a fresh authentication. */
  async get(domain: Domain, token: string): Promise<Principal> {
    const key = createHash("sm3").update(token).digest("hex");
    const hit = this.entries.get(key);
    if (hit && performance.now() - hit.at < this.ttlMs) return hit.principal;
    const principal = await authenticate(domain, token);
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { principal, at: performance.now() });
    return principal;
  }

  /** Forgets everything (after any request that may have changed accounts or organisations). */
  clear(): void {
    this.entries.clear();
  }
}

/** Authenticates an API request by its bearer token (401 without one). */
export async function apiPrincipal(domain: Domain, req: FastifyRequest, cache?: PrincipalCache): Promise<Principal> {
  const token = bearerToken(req);
  if (!token) throw new ShuyuError("denied", "UNAUTHENTICATED", "no token: send 'Authorization: Bearer TOKEN' with an active account's token");
  return cache ? cache.get(domain, token) : authenticate(domain, token);
}

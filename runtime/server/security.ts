import { randomBytes } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { ShuyuError } from "../../policies/errors.js";
import type { RateRule } from "./rate-limit.js";
import { bearerToken, SESSION_COOKIE } from "./request-auth.js";

/** The CSRF secret's cookie (HttpOnly; the token itself travels in each form). */
export const CSRF_COOKIE = "shuyu_csrf";

/** What the security layer needs from the server: who a token or a console session belongs to. */
export interface SecurityOptions {
  /** Per-account limit (default 50/s, burst 100). */
  rate: RateRule;
  /** Per-address limit for requests that carry no valid credential, and for console logins (default 5/s, burst 20). */
  authFailRate: RateRule;
  /** The account id of a token, or undefined when it does not authenticate (cached by the caller). */
  accountOf: (token: string) => Promise<string | undefined>;
  /** The token behind a console session id, or undefined. */
  sessionToken: (sessionId: string | undefined) => string | undefined;
}

const windowMs = (r: RateRule) => Math.max(1, Math.round((r.burst / r.perSecond) * 1000));

/**
 * The rate-limit key: an authenticated caller is limited per account (wherever it calls
 * from), a caller without a valid credential per address, console logins per address on
 * their own. So one address's failures never lock out the accounts behind that address.
 */
async function rateKey(req: FastifyRequest, o: SecurityOptions): Promise<string> {
  let token: string | undefined;
  try {
    token = bearerToken(req) ?? o.sessionToken(req.cookies?.[SESSION_COOKIE]);
  } catch {
    token = undefined; // a malformed Authorization header counts as no credential
  }
  const account = token ? await o.accountOf(token).catch(() => undefined) : undefined;
  if (account) return `acct:${account}`;
  if (req.method === "POST" && req.routeOptions.url === "/login") return `login:${req.ip}`;
  if (req.routeOptions.config?.doc?.auth === "none") return `public:${req.ip}`;
  return `anon:${req.ip}`;
}

/**
 * Registers the well-kept Fastify security plugins: security headers (@fastify/helmet),
 * cookies (@fastify/cookie), CSRF tokens for console forms (@fastify/csrf-protection,
 * bound to the console session) and rate limits (@fastify/rate-limit).
 */
export async function registerSecurity(app: FastifyInstance, o: SecurityOptions): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // The console is served over plain HTTP on loopback too: no upgrade-insecure-requests, no HSTS promise.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    // "no-referrer" would make the browser send `Origin: null` on the console's own form posts,
    // which the same-origin check refuses; same-origin keeps the Origin and still tells other sites nothing.
    referrerPolicy: { policy: "same-origin" },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: "/", sameSite: "strict", httpOnly: true },
    csrfOpts: { hmacKey: randomBytes(32) },
    // A token is valid only with the session it was issued for.
    getUserInfo: (req) => req.cookies?.[SESSION_COOKIE] ?? "",
    getToken: (req) => String((req.body as { csrf?: unknown } | undefined)?.csrf ?? ""),
  });
  const account = o.rate;
  const anon = o.authFailRate;
  const ruleOf = (key: string) => (key.startsWith("acct:") || key.startsWith("public:") ? account : anon);
  await app.register(fastifyRateLimit, {
    global: true,
    keyGenerator: (req) => rateKey(req, o),
    max: async (_req, key) => ruleOf(key).burst,
    timeWindow: async (_req, key) => windowMs(ruleOf(key)),
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(
        new ShuyuError("denied", "RATE_LIMITED", `too many requests: at most ${ctx.max} in this window; retry in ${ctx.ttl} ms`, { details: { max: ctx.max, retryMs: ctx.ttl } }),
        { statusCode: 429 },
      ),
  });
}

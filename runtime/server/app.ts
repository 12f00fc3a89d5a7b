import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { html, layout } from "./console/html.js";
import { words } from "../i18n/index.js";
import { asShuyuError, ShuyuError } from "../../policies/errors.js";
import { checkJsonInput } from "../../policies/limits.js";
import { jsonReplacer } from "../cli/run-command.js";
import { isInternal, withErrorId } from "../jobs/internal-errors.js";
import type { Domain } from "../domain/domain.js";
import type { Seal } from "../domain/seal.js";
import type { Session } from "../services/session.js";
import { API_ROUTES, type ApiRoute } from "./api-routes.js";
import { ApiProductRuntime, CallInput } from "./api-products/product-runtime.js";
import { ApiReviewInput, listApiProducts, publishApiProduct, PublishApiInput, reviewApiProduct } from "./api-products/service.js";
import { registerConsole } from "./console/routes.js";
import { registerPublicDisclosure } from "./public-disclosure.js";
import { httpError } from "./http-errors.js";
import { auditDenied } from "../lifecycle/denials.js";
import { attachAccessLog } from "./access-log-hook.js";
import { authorize } from "../../policies/authz/engine.js";
import { logOptions } from "./log-options.js";
import fastifySwagger from "@fastify/swagger";
import { documentOnlySchemas, routeSchema, swaggerOptions, type RouteDoc } from "./openapi.js";
import type { RateRule } from "./rate-limit.js";
import { apiPrincipal, cookies, PrincipalCache } from "./request-auth.js";
import { registerSecurity } from "./security.js";
import { ConsoleSessions } from "./console/sessions.js";

/** Everything the server needs; one Domain stays open for the server's lifetime. */
export interface ServerOptions {
  domain: Domain;
  seal: Seal;
  /** pino level, or false for no log. */
  logLevel?: string | false;
  /** Where log lines go (default stdout). */
  logStream?: { write(line: string): void };
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Per-account limit for /api requests (default 50/s, burst 100). */
  rate?: RateRule;
  /** Per-client-address limit for requests that fail authentication (default 5/s, burst 20). */
  authFailRate?: RateRule;
}

declare module "fastify" {
  interface FastifyContextConfig {
    doc?: Omit<RouteDoc, "method" | "url">;
  }
}

/**
 * Sends a ShuyuError in its toJSON() shape with the right status. An internal error's text
 * can quote raw values: its details go to the domain's owner-side error store, and the body
 * and the server log carry only its id and code.
 */
export function sendError(reply: FastifyReply, err: unknown, domain?: Pick<Domain, "paths">): FastifyReply {
  const { status, error: original } = httpError(err);
  let error = original;
  // Typed errors (DOMAIN_BUSY, DISK_FULL) keep their message; every other internal one is replaced by its id.
  if (isInternal(error) || error.code === "DISK_FULL") {
    error = domain
      ? asShuyuError(withErrorId(domain, err))
      : new ShuyuError("internal", error.code, "internal error unrecorded; the operator finds its details in the server's own log", { details: { errorId: "unrecorded" } });
    reply.log.error({ errorId: error.details.errorId, code: error.code }, "request failed");
  }
  return reply.code(status).type("application/json; charset=utf-8").send(JSON.stringify(error.toJSON()));
}

/** Sends a service result as JSON (BigInt and typed arrays made plain). */
function sendJson(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").send(JSON.stringify(value ?? null, jsonReplacer));
}

/** The API speaks JSON only; forms belong to the console (whose posts carry a CSRF token). */
function jsonOnly(req: FastifyRequest): void {
  const type = req.headers["content-type"];
  if (req.body !== undefined && !/^application\/json\b/i.test(type ?? "")) {
    throw new ShuyuError("invalid", "UNSUPPORTED_MEDIA_TYPE", "the API takes JSON bodies: send 'Content-Type: application/json'");
  }
}

/** Builds the HTTP server: the API over the services, the API products, the console and the OpenAPI document. */
export async function buildServer(opts: ServerOptions): Promise<{ app: FastifyInstance; products: ApiProductRuntime; routes: RouteDoc[] }> {
  const { domain } = opts;
  const app = Fastify({
    logger: opts.logLevel === false ? false : logOptions(opts.logLevel ?? "info", opts.logStream),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    // Router errors (bad percent-encoding, over-long path parameters) get the same error shape as everything else.
    frameworkErrors: (err, _req, reply) => {
      sendError(reply, err, opts.domain);
    },
    requestTimeout: 15 * 60_000,
  });
  // Requests still running when close() starts end their keep-alive connection with their
  // response, so close() waits for their work (a job's bookkeeping) but not for idle sockets.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", async (_req, reply) => {
    if (closing) reply.header("connection", "close");
  });
  const routes: RouteDoc[] = [];
  documentOnlySchemas(app);
  // Each route's doc becomes its Fastify schema before @fastify/swagger (registered next) reads it.
  app.addHook("onRoute", (r) => {
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== "HEAD");
    if (r.url === "/openapi.json" || r.url.startsWith("/documentation")) return;
    const doc = { url: r.url, summary: r.config?.doc?.summary ?? r.url, auth: r.config?.doc?.auth ?? ("none" as const), ...(r.config?.doc ?? {}) };
    for (const method of methods) routes.push({ method, ...doc });
    r.schema = { ...routeSchema(doc), ...(r.schema ?? {}) };
  });
  await app.register(fastifySwagger, swaggerOptions({ title: "shuyu 数域 domain API", version: "0.1.0" }));
  app.removeContentTypeParser("text/plain");
  // JSON bodies: size (bodyLimit), nesting and width checked before parsing, so a deeply nested body cannot crash the server for everyone.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === "") return done(new ShuyuError("invalid", "EMPTY_BODY", "the body is empty although Content-Type says JSON; send a JSON object or no Content-Type"), undefined);
    try {
      checkJsonInput(text, "the request body", { maxDepth: 64 });
    } catch (err) {
      return done(err as Error, undefined);
    }
    try {
      done(null, JSON.parse(text, (k, v: unknown) => {
        if (k === "__proto__" || (k === "constructor" && v !== null && typeof v === "object" && "prototype" in v)) throw new Error("forbidden prototype property");
        return v;
      }));
    } catch {
      done(new ShuyuError("invalid", "MALFORMED_JSON", "the body is not valid JSON"), undefined);
    }
  });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // A person in the console gets a page; a program calling the API gets JSON.
  const wantsPage = (req: FastifyRequest) => !req.url.startsWith("/api/") && req.url !== "/openapi.json" && (req.headers.accept ?? "").includes("text/html");
  const page = (req: FastifyRequest, reply: FastifyReply, status: number, title: (t: ReturnType<typeof words>) => string, body: (t: ReturnType<typeof words>) => ReturnType<typeof html>) => {
    const lang = cookies(req).shuyu_lang === "en" ? "en" : "zh";
    const t = words(lang);
    return reply.code(status).type("text/html; charset=utf-8").send(layout({ lang, title: title(t), nav: html`<nav aria-label="main"><a href="/">${t("home")}</a></nav>`, body: body(t), switchLabel: t("switchLang") }));
  };
  app.setErrorHandler((err, req, reply) => {
    const { status, error } = httpError(err);
    // A refused console form (CSRF, rate limit) answers with a page that says what happened.
    if (status < 500 && wantsPage(req)) return page(req, reply, status, (t) => t("error"), (t) => html`<p class="block" role="alert"><strong>${error.code}</strong>: ${error.message}</p><p><a href="/">${t("back")}</a></p>`);
    return sendError(reply, err, domain);
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split("?")[0];
    if (wantsPage(req)) return page(req, reply, 404, (t) => t("notFound"), (t) => html`<p>${t("notFoundHelp")}</p><p><code>${path}</code></p>`);
    return sendError(reply, new ShuyuError("invalid", "ROUTE_NOT_FOUND", `no route ${req.method} ${path}; the routes are listed at /openapi.json`));
  });

  const principals = new PrincipalCache();
  const consoleSessions = new ConsoleSessions();
  await registerSecurity(app, {
    rate: opts.rate ?? { perSecond: 50, burst: 100 },
    authFailRate: opts.authFailRate ?? { perSecond: 5, burst: 20 },
    accountOf: async (token) => (await principals.get(domain, token)).accountId,
    sessionToken: (id) => consoleSessions.token(id),
  });
  // Any request that can change state clears the cache: revocations apply at once.
  const mutating = (req: FastifyRequest) => req.method !== "GET" && req.method !== "HEAD" && !req.routeOptions.url?.endsWith("/call");
  app.addHook("onRequest", async (req) => {
    if (mutating(req)) principals.clear();
  });
  app.addHook("onResponse", async (req) => {
    if (mutating(req)) principals.clear();
  });
  const products = new ApiProductRuntime(domain, opts.seal);
  const accessLog = attachAccessLog(app, domain);

  /** Authenticates (the rate limits ran before, in @fastify/rate-limit's hook) and hands back the session. */
  const session = async (req: FastifyRequest): Promise<Session> => {
    const principal = await apiPrincipal(domain, req, principals);
    accessLog.account(req, principal.accountId);
    return { domain, principal };
  };

  const add = (r: ApiRoute) =>
    app.route({
      method: r.method,
      url: r.url,
      config: { doc: { summary: r.summary, auth: "bearer", body: r.body, query: r.query, permission: r.permission, produces: "json", status: r.status } },
      handler: async (req, reply) => {
        const s = await session(req);
        jsonOnly(req);
        // The route's permission is checked before its input, so a refused caller learns nothing from validation errors.
        const out = await Promise.resolve()
          .then(() => authorize(s.principal, r.permission))
          .then(() => r.handler(s, { params: req.params as Record<string, string>, body: req.body, query: req.query as Record<string, unknown> }))
          .catch(async (err: unknown) => {
            await auditDenied(domain, s.principal, err, `api:${r.method} ${r.url}`);
            throw err;
          });
        return sendJson(reply, r.status ?? 200, out);
      },
    });
  for (const r of API_ROUTES) add(r);
  add({ method: "GET", url: "/api/api-products", summary: "Data-interface products", permission: "product.read", handler: (s) => listApiProducts(s) });
  add({ method: "POST", url: "/api/api-products", summary: "Publish an SQL job as a data interface (reviewed before listing)", permission: "product.publish", body: PublishApiInput, status: 201, handler: (s, i) => publishApiProduct(s, i.body) });
  add({ method: "POST", url: "/api/api-products/:id/review", summary: "List or reject a published data interface", permission: "egress.review", body: ApiReviewInput, handler: (s, i) => reviewApiProduct(s, i.params.id, i.body) });
  app.route({
    method: "POST",
    url: "/api/api-products/:id/call",
    // the product's own per-caller rate and quota apply instead of the account's
    config: { rateLimit: false, doc: { summary: "Call a data interface (e.g. 核验): a signed answer with its Merkle inclusion proof", auth: "bearer", body: CallInput, permission: "product.read", produces: "json" } },
    handler: async (req, reply) => {
      const s = await session(req);
      jsonOnly(req);
      return sendJson(reply, 200, await products.call(s.principal, (req.params as { id: string }).id, req.body));
    },
  });
  app.route({
    method: "GET",
    url: "/api/seal",
    config: { doc: { summary: "The domain seal certificate (PEM) and its SM3 fingerprint, for verifiers", auth: "none", produces: "json" } },
    handler: async (_req, reply) => sendJson(reply, 200, { domain: domain.info.id, fingerprint: opts.seal.fingerprint, certificatePem: opts.seal.certificatePem }),
  });
  app.route({
    method: "GET",
    url: "/openapi.json",
    config: { doc: { summary: "This document", auth: "none", produces: "json" } },
    handler: async (_req, reply) => sendJson(reply, 200, app.swagger()),
  });
  registerPublicDisclosure(app, domain, (reply, value) => sendJson(reply, 200, value));
  registerConsole(app, { domain, sessions: consoleSessions, sendError: (reply, err) => sendError(reply, err, domain) });
  await app.ready();
  return { app, products, routes };
}

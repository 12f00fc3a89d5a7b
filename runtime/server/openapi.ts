import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifySchema } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import { z } from "zod";

/** What the OpenAPI document says about one route (collected as routes are registered). */
export interface RouteDoc {
  method: string;
  url: string;
  summary: string;
  auth: "bearer" | "cookie" | "none";
  body?: z.ZodType;
  query?: z.ZodType;
  permission?: string;
  produces?: "json" | "html" | "text";
  /** The success status (default 200). */
  status?: number;
}

/** The error body every route answers with on failure (ShuyuError.toJSON()). */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe("stable UPPER_SNAKE code"),
      kind: z.enum(["usage", "denied", "invalid", "blocked", "internal"]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: "Error", description: "A ShuyuError" });

/** A success body: the service's result as JSON (BigInt as number). */
const Result = z.unknown().describe("the service's result");

/** The route's schema for @fastify/swagger: zod schemas (turned into JSON Schema by fastify-type-provider-zod), path parameters, security. */
export function routeSchema(doc: Omit<RouteDoc, "method">): FastifySchema {
  const names = [...doc.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const area = doc.url.startsWith("/api/") ? doc.url.split("/")[2] : doc.url.startsWith("/console") || doc.produces === "html" ? "console" : "meta";
  const errors = { [doc.status ?? 200]: Result, 400: ErrorBody, 404: ErrorBody, ...(doc.auth === "bearer" ? { 401: ErrorBody, 403: ErrorBody, 429: ErrorBody } : {}) };
  return {
    summary: doc.summary,
    tags: [area],
    ...(doc.permission ? { description: `Needs permission \`${doc.permission}\` (policy engine).` } : {}),
    ...(names.length ? { params: z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) } : {}),
    ...(doc.query ? { querystring: doc.query } : {}),
    ...(doc.body ? { body: doc.body } : {}),
    ...(doc.auth === "bearer" ? { security: [{ bearer: [] }] } : doc.auth === "cookie" ? { security: [{ console: [] }] } : {}),
    ...(doc.produces === "json" ? { response: errors } : {}),
  } as FastifySchema;
}

/** @fastify/swagger's options: OpenAPI 3.1, our two security schemes, zod → JSON Schema by the type provider's transform. */
export function swaggerOptions(info: { title: string; version: string }) {
  return {
    openapi: {
      openapi: "3.1.0",
      info,
      components: {
        securitySchemes: {
          bearer: { type: "http" as const, scheme: "bearer", description: "an account token (shuyu account add)" },
          console: { type: "apiKey" as const, in: "cookie" as const, name: "shuyu_session", description: "the web console's HttpOnly session cookie (a random session id)" },
        },
      },
    },
    transform: jsonSchemaTransform,
    // schemas with a registry id (ErrorBody) become components and are referenced by $ref
    transformObject: jsonSchemaTransformObject,
  };
}

/**
 * Makes a Fastify instance document zod route schemas without validating with them: every
 * route validates its input inside its handler with the service's own zod schema, after the
 * permission check, so a refused caller learns nothing from validation errors.
 */
export function documentOnlySchemas(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** The OpenAPI document of a list of routes without a server (tests and the SDK generator): the same plugin and transform as `shuyu serve`. */
export async function openApiDocument(routes: RouteDoc[], info: { title: string; version: string }): Promise<Record<string, unknown>> {
  const app = Fastify({ logger: false });
  documentOnlySchemas(app);
  await app.register(fastifySwagger, swaggerOptions(info));
  for (const r of routes) app.route({ method: r.method as "GET", url: r.url, schema: routeSchema(r), handler: async () => null });
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  return doc;
}

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
}

const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "kind", "message", "details"],
      properties: {
        code: { type: "string", description: "stable UPPER_SNAKE code" },
        kind: { type: "string", enum: ["usage", "denied", "invalid", "blocked", "internal"] },
        message: { type: "string" },
        details: { type: "object" },
      },
    },
  },
};

function jsonSchema(schema: z.ZodType): unknown {
  const s = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

/** Builds the OpenAPI 3.1 document from the registered routes; request schemas come from the services' zod schemas. */
export function openApiDocument(routes: RouteDoc[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const params = [...r.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (r.query) {
      const q = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: "query", required: (q.required ?? []).includes(name), schema } as never);
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      ...(r.permission ? { description: `Needs permission \`${r.permission}\` (policy engine).` } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.auth === "bearer" ? { security: [{ bearer: [] }] } : r.auth === "cookie" ? { security: [{ console: [] }] } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        "200": {
          description: "OK",
          content: r.produces === "html" ? { "text/html": {} } : r.produces === "text" ? { "text/plain": {} } : { "application/json": {} },
        },
        ...(r.auth === "bearer" ? { "401": { $ref: "#/components/responses/Error" }, "403": { $ref: "#/components/responses/Error" }, "429": { $ref: "#/components/responses/Error" } } : {}),
        "400": { $ref: "#/components/responses/Error" },
        "404": { $ref: "#/components/responses/Error" },
      },
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "an account token (shuyu account add)" },
        console: { type: "apiKey", in: "cookie", name: "shuyu_session", description: "the web console's HttpOnly session cookie" },
      },
      schemas: { Error: ERROR_SCHEMA },
      responses: { Error: { description: "A ShuyuError", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } } },
    },
  };
}

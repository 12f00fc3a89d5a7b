import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema.js";

export type { paths } from "./schema.js";

/** A typed client of one shuyu server: every route, its path parameters, query and body typed from /openapi.json. */
export type ShuyuClient = Client<paths>;

/**
 * A client for `shuyu serve` at `server` (e.g. http://127.0.0.1:8080), sending the account
 * token as a bearer token. Generated types, openapi-fetch's small runtime: nothing hand-written per route.
 */
export function shuyuClient(o: { server: string; token?: string; fetch?: typeof globalThis.fetch }): ShuyuClient {
  return createClient<paths>({
    baseUrl: o.server.replace(/\/+$/, ""),
    headers: o.token ? { authorization: `Bearer ${o.token}` } : {},
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
}

import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Domain } from "../domain/domain.js";
import { AccessLog, accessLogDir } from "../lifecycle/access-log.js";

/** Writes every response to the domain's access log; `account` tags a request once authenticated. */
export function attachAccessLog(app: FastifyInstance, domain: Domain): { account: (req: FastifyRequest, id: string) => void } {
  const log = new AccessLog(accessLogDir(domain.paths.dir));
  const accounts = new WeakMap<FastifyRequest, string>();
  app.addHook("onResponse", async (req, reply) => {
    log.write({ method: req.method, route: req.routeOptions.url ?? "(none)", path: req.url, status: reply.statusCode, account: accounts.get(req) ?? null, ip: req.ip, ms: reply.elapsedTime });
  });
  app.addHook("onClose", async () => log.close());
  return { account: (req, id) => accounts.set(req, id) };
}

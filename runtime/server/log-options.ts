import type { FastifyServerOptions } from "fastify";

/**
 * pino settings: requests are logged by method, path and status only. Query strings,
 * headers (tokens, cookies) and bodies (data values) never reach the log.
 */
export function logOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions["logger"] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: ["req.headers", "headers.authorization", "headers.cookie", "body", "token"], remove: true },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ id: req.id, method: req.method, path: req.url.split("?")[0] }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  };
}

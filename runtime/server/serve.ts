import type { FastifyInstance } from "fastify";
import { Domain } from "../domain/domain.js";
import { loadSeal } from "../domain/seal.js";
import { updateLockInfo } from "../domain/lock-info.js";
import { closeSharedPool, sharedPool } from "../jobs/shared-pool.js";
import { buildServer, type ServerOptions } from "./app.js";
import type { ApiProductRuntime } from "./api-products/product-runtime.js";

/** A running server and how to stop it. */
export interface RunningServer {
  app: FastifyInstance;
  url: string;
  products: ApiProductRuntime;
  /** Stops accepting requests, lets running requests (and their jobs' bookkeeping) finish, seals pending API calls, closes the pool and the domain. */
  close: () => Promise<void>;
}

/** Opens the domain once and serves it until close(). */
export async function startServer(o: { dir: string | undefined; port?: number; host?: string } & Partial<Omit<ServerOptions, "domain" | "seal">>): Promise<RunningServer> {
  const domain = await Domain.open(o.dir, { command: "serve" });
  try {
    const seal = loadSeal(domain.paths.keys);
    const { app, products } = await buildServer({ ...o, domain, seal });
    const url = await app.listen({ port: o.port ?? 8080, host: o.host ?? "127.0.0.1" });
    // Boot the warm workers now (no job state: each runs one job and is replaced), so the
    // first job's start is the isolate's, not a process boot's.
    sharedPool();
    // Commands that find the domain busy quote this: who holds it, since when, and where it answers.
    updateLockInfo(domain.paths.dir, { url });
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await app.close();
        await products.close();
        await closeSharedPool();
        domain.close();
      })());
    return { app, url, products, close };
  } catch (err) {
    domain.close();
    throw err;
  }
}

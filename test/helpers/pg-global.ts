import type { TestProject } from "vitest/node";
import { startLocalPostgres, type LocalPostgres } from "../../runtime/scale/local-postgres.js";

/** Global setup of the `postgresql` project: one throwaway server for the run, one database per domain. */
let server: LocalPostgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startLocalPostgres();
  project.provide("pgAdminUrl", server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

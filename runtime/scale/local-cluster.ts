import { randomBytes } from "node:crypto";
import type { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BlobStore, type S3Settings } from "./blob-store.js";
import { createWorkerRole, installQueue } from "./job-queue.js";
import { createDatabase, dropDatabase, startLocalPostgres, type LocalPostgres } from "./local-postgres.js";
import { spawnWorkerHost, type SpawnedHost } from "./spawn-host.js";

/** A scale-out deployment on this machine: PostgreSQL, an S3-compatible server and worker-host processes, all on loopback. */
export interface LocalCluster {
  /** The owner's URL of the domain's own control database (give it to `init --control`). */
  controlUrl: string;
  /** The worker role's URL (the worker functions only: claim, complete, requeue, cancelled). */
  workerUrl: string;
  s3: S3Settings;
  hosts: SpawnedHost[];
  /** The path of the object stored under `key` in s3rver's folder (tests attack the bucket through it). */
  objectPath(key: string): string;
  /** Calls `fn` with the key of every object stored from now on, as s3rver stores it (before it answers the PUT). */
  onObjectCreated(fn: (key: string) => void): void;
  /** Stops the hosts and servers, drops the database, and restores the environment. */
  stop(): Promise<void>;
}

const S3_ENV = ["SHUYU_S3_ENDPOINT", "SHUYU_S3_BUCKET", "SHUYU_S3_ACCESS_KEY", "SHUYU_S3_SECRET_KEY"] as const;

/**
 * Starts the scale-out pieces for the demo and tests: a throwaway PostgreSQL (or a database
 * on `adminUrl`'s server), the queue and a worker role in it, s3rver (npm, loopback) and
 * `hosts` `shuyu worker` processes. Sets SHUYU_S3_* in this process, so the owner here
 * publishes libraries to the bucket and queues raw runs (runtime/scale/remote-run.ts).
 */
export async function startLocalCluster(opts: { root: string; hosts: number; adminUrl?: string; echo?: boolean }): Promise<LocalCluster> {
  const undo: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const f of undo.reverse()) await f().catch(() => undefined);
    undo.length = 0;
  };
  try {
    mkdirSync(opts.root, { recursive: true });
    let admin = opts.adminUrl;
    if (!admin) {
      const server: LocalPostgres = await startLocalPostgres();
      undo.push(() => server.stop());
      admin = server.url;
    }
    const name = `shuyu_${randomBytes(5).toString("hex")}`;
    const controlUrl = await createDatabase(admin, name);
    const adminUrl = admin;
    undo.push(() => dropDatabase(adminUrl, name));
    await installQueue(controlUrl);
    const workerUrl = await createWorkerRole(controlUrl, randomBytes(16).toString("hex"), `w_${name}`);
    // s3rver is a development dependency: loaded only here.
    const { default: S3rver } = await import("s3rver");
    const s3srv = new S3rver({ address: "127.0.0.1", port: 0, directory: join(opts.root, "s3"), silent: true });
    const { port } = await s3srv.run();
    undo.push(() => s3srv.close());
    const s3: S3Settings = { endpoint: `http://127.0.0.1:${port}`, bucket: "libraries", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
    const store = new BlobStore(s3);
    await store.ensureBucket();
    store.close();
    const saved = S3_ENV.map((k) => [k, process.env[k]] as const);
    undo.push(async () => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    Object.assign(process.env, { SHUYU_S3_ENDPOINT: s3.endpoint, SHUYU_S3_BUCKET: s3.bucket, SHUYU_S3_ACCESS_KEY: s3.accessKeyId, SHUYU_S3_SECRET_KEY: s3.secretAccessKey });
    const hosts: SpawnedHost[] = [];
    undo.push(async () => void (await Promise.all(hosts.map((h) => h.stop()))));
    for (let i = 0; i < opts.hosts; i++) hosts.push(await spawnWorkerHost({ controlUrl: workerUrl, cacheDir: join(opts.root, `host-${i + 1}`), s3, echo: opts.echo }));
    const s3Dir = join(opts.root, "s3");
    const objectPath = (key: string) => join(s3Dir, s3.bucket, `${key}._S3rver_object`);
    const onObjectCreated = (fn: (key: string) => void) =>
      // s3rver is a Koa app, an EventEmitter; @types/s3rver does not say so.
      void (s3srv as unknown as EventEmitter).on("event", (e: { Records: { eventName: string; s3: { object: { key: string } } }[] }) => {
        for (const r of e.Records) if (r.eventName.startsWith("ObjectCreated")) fn(r.s3.object.key);
      });
    return { controlUrl, workerUrl, s3, hosts, objectPath, onObjectCreated, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

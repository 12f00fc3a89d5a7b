import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { S3Settings } from "./blob-store.js";

/** The package root (where dist/ is), found from this module whether it runs from source or dist. */
function packageRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "dist"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the shuyu package root");
    dir = up;
  }
  return dir;
}

/** A `shuyu worker` process on this machine (tests, the bench and the scale-out demo). */
export interface SpawnedHost {
  proc: ChildProcess;
  id: string;
  stop(): Promise<void>;
}

/**
 * Starts `shuyu worker` as its own process and resolves once it reports ready. `wrap` is a
 * command that execs the rest (`ip netns exec NS`: the host in its own network namespace).
 */
export function spawnWorkerHost(opts: { controlUrl: string; cacheDir: string; s3: S3Settings; concurrency?: number; echo?: boolean; wrap?: string[] }): Promise<SpawnedHost> {
  const bin = join(packageRoot(), "dist", "runtime", "cli", "bin.js");
  const s3 = opts.s3;
  const [cmd, ...pre] = [...(opts.wrap ?? []), process.execPath];
  const proc = spawn(cmd, [...pre, bin, "worker", "--control", opts.controlUrl, "--cache", opts.cacheDir, "--concurrency", String(opts.concurrency ?? 1)], {
    env: {
      ...process.env,
      SHUYU_S3_ENDPOINT: s3.endpoint,
      SHUYU_S3_BUCKET: s3.bucket,
      SHUYU_S3_ACCESS_KEY: s3.accessKeyId,
      SHUYU_S3_SECRET_KEY: s3.secretAccessKey,
      SHUYU_WORKERS: String(opts.concurrency ?? 1),
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
  return new Promise((resolve, reject) => {
    let err = "";
    proc.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (opts.echo) process.stderr.write(d);
      const m = /shuyu worker (\S+) ready/.exec(err);
      if (m) resolve({ proc, id: m[1], stop });
    });
    proc.once("exit", (code) => reject(new Error(`worker host exited ${code}: ${err.slice(-2000)}`)));
  });
}

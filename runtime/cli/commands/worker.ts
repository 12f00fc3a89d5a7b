import type { Command } from "commander";
import { s3FromEnv } from "../../scale/blob-store.js";
import { startWorkerHost } from "../../scale/worker-host.js";
import { action } from "../run-command.js";

/** `worker --control URL --cache DIR`: a scale-out sandbox host (docs/scale-out.md). */
export function registerWorkerCommands(program: Command): void {
  program
    .command("worker")
    .description("run sandbox jobs for a scale-out domain: claim from its queue, fetch libraries by SM3 into DIR, verify, run, hand back")
    .requiredOption("--control <url>", "the worker role's PostgreSQL URL (it may call the worker functions only: shuyu scale setup prints it)")
    .requiredOption("--cache <dir>", "local cache of verified library files")
    .option("--concurrency <n>", "jobs at once", "2")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ control: string; cache: string; concurrency: string }>();
        const host = await startWorkerHost({ controlUrl: o.control, cacheDir: o.cache, s3: s3FromEnv(), concurrency: Number(o.concurrency) });
        process.stderr.write(`shuyu worker ${host.hostId} ready\n`);
        await new Promise<void>((resolve) => {
          for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => resolve());
        });
        await host.stop();
        return { human: `worker ${host.hostId} stopped`, json: { id: host.hostId, state: "stopped" } };
      }),
    );
}

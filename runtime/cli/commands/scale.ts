import type { Command } from "commander";
import { setupScaleOut } from "../../scale/setup.js";
import { action } from "../run-command.js";

/** `scale setup --control URL`: the queue and the worker role of a scale-out domain (docs/scale-out.md, step 3). */
export function registerScaleCommands(program: Command): void {
  const scale = program.command("scale").description("scale-out mode: PostgreSQL control store, job queue, worker hosts (docs/scale-out.md)");
  scale
    .command("setup")
    .description("install the job queue in the control database and create the least-privilege worker role; prints the URL to give worker hosts")
    .requiredOption("--control <url>", "the control database's owner URL (postgresql://…; the role needs CREATEROLE)")
    .option("--role <name>", "the worker role (roles are cluster-wide: one per domain on a shared server)", "shuyu_worker")
    .option("--worker-host <name>", "the database host name as worker hosts reach it, if not the one in --control")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ control: string; role: string; workerHost?: string }>();
        const r = await setupScaleOut(o.control, { role: o.role, workerHost: o.workerHost });
        return {
          human: [
            `queue installed in database ${r.database}; worker role ${r.role} created with a new password (running this again re-keys it)`,
            `worker URL (shown once; shuyu keeps it nowhere, not in the audit chain):`,
            `  ${r.workerUrl}`,
            `on each worker host: SHUYU_S3_ENDPOINT=… SHUYU_S3_BUCKET=… SHUYU_S3_ACCESS_KEY=… SHUYU_S3_SECRET_KEY=… shuyu worker --control '<worker URL>' --cache DIR`,
          ].join("\n"),
          json: r,
        };
      }),
    );
}

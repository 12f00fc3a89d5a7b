import type { Command } from "commander";
import { startServer } from "../../server/serve.js";
import { action, globalOptions, usage } from "../run-command.js";

/** `serve [--port N] [--host H]`: the HTTP API, API products and web console until SIGINT/SIGTERM. */
export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("serve the domain over HTTP: /api/..., /openapi.json and the web console at /")
    .option("--port <n>", "TCP port", "8080")
    .option("--host <h>", "address to listen on", "127.0.0.1")
    .option("--log-level <level>", "pino level (info, warn, error, silent)", "info")
    .action(
      action(async (cmd) => {
      const o = cmd.opts<{ port: string; host: string; logLevel: string }>();
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be 0..65535 (got ${o.port})`);
      const server = await startServer({ dir: globalOptions(cmd).domain ?? process.env.SHUYU_DOMAIN, port, host: o.host, logLevel: o.logLevel });
      process.stderr.write(`shuyu serving on ${server.url} (console at ${server.url}/, API document at ${server.url}/openapi.json)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write("shuyu: shutting down: finishing running requests and jobs\n");
          void server.close().then(resolve, resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      return { human: "shuyu: stopped", json: { stopped: true } };
      }),
    );
}

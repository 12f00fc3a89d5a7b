import type { Command } from "commander";
import { generateDemoData } from "../../demo/generate.js";
import { runDemo } from "../../demo/walkthrough.js";
import { progressBar } from "../progress.js";
import { action, globalOptions } from "../run-command.js";

/** `demo generate` (realistic fake data, streamed) and `demo run` (the main job end to end). */
export function registerDemoCommands(program: Command): void {
  const demo = program.command("demo").description("realistic generated data and the end-to-end walkthrough");
  demo
    .command("generate")
    .description("write people, enterprises and linking events with valid identifiers")
    .requiredOption("--rows <n>", "people to generate")
    .requiredOption("--out <dir>", "output directory")
    .option("--seed <n>", "seed (same seed, same data)")
    .option("--format <fmt>", "csv|parquet", "csv")
    .option("--enterprises <n>", "enterprises (default one per 50 people)")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ rows: string; out: string; seed?: string; format: string; enterprises?: string }>();
        const bar = progressBar("generate", process.stderr.isTTY === true && !globalOptions(cmd).json, "rows");
        try {
          const files = await generateDemoData({ ...o, rows: o.rows.replace(/[_,]/g, "") }, (d, t) => bar.update(d, t));
          bar.stop();
          return { human: files.map((f) => `${f.table}: ${f.rows.toLocaleString("en-US")} rows, ${(f.bytes / 1e6).toFixed(1)} MB → ${f.path}`).join("\n"), json: files };
        } finally {
          bar.stop();
        }
      }),
    );
  demo
    .command("run")
    .description("the main job in a temporary domain, one timed line per step")
    .option("--rows <n>", "people to generate", "1000000")
    .option("--keep", "keep the temporary domain")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ rows: string; keep?: boolean }>();
        const json = globalOptions(cmd).json === true;
        const bar = progressBar("generate", process.stderr.isTTY === true && !json, "rows");
        try {
          const r = await runDemo({ rows: Number(o.rows.replace(/[_,]/g, "")), keep: o.keep, print: json ? () => undefined : undefined, onProgress: (d, t) => (d >= t ? bar.stop() : bar.update(d, t)) });
          // Tokens are worth printing only when the domain survives the run.
          const { tokens, ...shown } = r;
          return { human: o.keep ? `domain kept in ${r.dir}/domain; admin token ${tokens.admin}` : "", json: o.keep ? r : shown };
        } finally {
          bar.stop();
        }
      }),
    );
}

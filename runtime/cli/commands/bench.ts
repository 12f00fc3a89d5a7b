import type { Command } from "commander";
import { renderBench, runBench } from "../../bench/index.js";
import { progressBar } from "../progress.js";
import { action, globalOptions } from "../run-command.js";

/** `bench [--quick]` — capacity figures with same-run yardsticks (R9); `--json` for machines. */
export function registerBenchCommands(program: Command): void {
  program
    .command("bench")
    .description("measure capacity on a scratch domain, each figure next to a yardstick from the same run (R9)")
    .option("--quick", "finish within about 2 minutes (scaling curve at 100 k and 1 M rows)")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ quick?: boolean }>();
        const bar = progressBar("bench", process.stderr.isTTY === true && !globalOptions(cmd).json, "rows");
        try {
          const r = await runBench({ quick: o.quick === true, onProgress: (d, t) => bar.update(d, t) });
          bar.stop();
          return { human: renderBench(r), json: r };
        } finally {
          bar.stop();
        }
      }),
    );
}

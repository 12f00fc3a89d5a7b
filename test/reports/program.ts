import { buildProgram } from "../../runtime/cli/program.js";
import { registerBenchCommands } from "../../runtime/cli/commands/bench.js";
import { registerDemoCommands } from "../../runtime/cli/commands/demo.js";
import { registerFeedbackCommands } from "../../runtime/cli/commands/feedback.js";
import { registerReportCommands } from "../../runtime/cli/commands/report.js";

/**
 * Runs the real command tree in this process, with issue 7's commands registered when
 * program.ts does not list them yet, and returns the exit code and stdout.
 */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  const program = buildProgram();
  const have = new Set(program.commands.map((c) => c.name()));
  if (!have.has("report")) registerReportCommands(program);
  if (!have.has("feedback")) registerFeedbackCommands(program);
  if (!have.has("bench")) registerBenchCommands(program);
  if (!have.has("demo")) registerDemoCommands(program);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const before = process.exitCode;
  process.stdout.write = ((c: string | Uint8Array) => {
    chunks.push(typeof c === "string" ? c : Buffer.from(c).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
  try {
    process.exitCode = 0;
    await program.parseAsync(["node", "shuyu", ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: chunks.join("") };
  } finally {
    process.stdout.write = write;
    process.exitCode = before;
  }
}

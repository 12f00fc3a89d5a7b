#!/usr/bin/env node
import { CommanderError } from "commander";
import { closeSharedPool } from "../jobs/shared-pool.js";
import { buildProgram } from "./program.js";
import { reportError, usage } from "./run-command.js";

// isolated-vm 7 is built for Node 24's ABI: refuse an older node before anything loads it.
if (Number(process.versions.node.split(".")[0]) < 24) {
  process.stderr.write(`shuyu: NODE_TOO_OLD: shuyu runs on Node.js 24 (this is ${process.version}); use bin/shuyu or npm scripts, which run the pinned node\n`);
  process.exit(5);
}
const argv = process.argv;
const program = buildProgram();
try {
  // A bare `shuyu` shows what it can do rather than nothing.
  if (argv.length <= 2) program.outputHelp();
  else await program.parseAsync(argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version are successful exits; everything else commander rejects is a usage error
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") process.exitCode = 0;
    else process.exitCode = reportError(usage(err.message.replace(/^error: /, "")), argv.includes("--json"));
  } else {
    process.exitCode = reportError(err, argv.includes("--json"));
  }
}
await closeSharedPool();

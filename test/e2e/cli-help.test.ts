/** The CLI describes itself: bare `shuyu` prints help, every command and option has a description, required options are marked. */
import { describe, expect, it } from "vitest";
import type { Command } from "commander";
import { buildProgram } from "../../runtime/cli/program.js";
import { cli } from "../helpers/fixture.js";

function walk(c: Command, path: string[] = []): { path: string; cmd: Command }[] {
  return [{ path: path.join(" "), cmd: c }, ...c.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

describe("CLI help", () => {
  it("bare shuyu prints the help with examples and exits 0", async () => {
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: shuyu/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(r.stdout).toMatch(/status\s+what waits for you/);
  }, 60_000);

  it("describes the new commands and their options; required options say so", () => {
    const all = walk(buildProgram());
    for (const name of ["job submit", "job dev", "job status", "job logs", "job list", "egress show", "egress review", "whoami", "status"]) {
      const c = all.find((x) => x.path === name)?.cmd;
      expect(c, name).toBeDefined();
      expect(c!.description(), name).not.toBe("");
      for (const o of c!.options) expect(o.description, `${name} ${o.long}`).not.toBe("");
    }
    const scenario = all.find((x) => x.path === "job submit")!.cmd.options.find((o) => o.long === "--scenario")!;
    expect(scenario.mandatory).toBe(true);
    expect(scenario.description).toMatch(/required/);
  });
});

/** `shuyu completion bash` and `-o csv`: a completion script bash can source, generated from the command tree. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bashCompletion } from "../../runtime/cli/commands/completion.js";
import { toCsv } from "../../runtime/cli/run-command.js";
import { buildProgram } from "../../runtime/cli/program.js";

const complete = (words: string[]) => {
  const script = `${bashCompletion(buildProgram())}\nCOMP_WORDS=(${words.map((w) => `"${w}"`).join(" ")}); COMP_CWORD=${words.length - 1}; _shuyu; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 10_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim().split("\n");
};

describe("shell completion", () => {
  it("completes sub-commands, their options, and past positional arguments", () => {
    expect(complete(["shuyu", "eg"])).toEqual(["egress"]);
    expect(complete(["shuyu", "job", ""])).toEqual(expect.arrayContaining(["submit", "dev", "status", "logs", "list"]));
    expect(complete(["shuyu", "job", "submit", "--sc"])).toEqual(["--scenario"]);
    expect(complete(["shuyu", "egress", "show", "egr-1", "--da"])).toEqual(["--data"]);
    expect(complete(["shuyu", "nonsense", "--js"])).toEqual(["--json"]);
  });
});

describe("-o csv", () => {
  it("quotes commas, quotes and newlines and writes nested values as JSON", () => {
    expect(toCsv([{ id: "a", what: 'x, "y"', n: 1 }, { id: "b", n: null, extra: { k: 1 } }])).toBe('id,what,n,extra\na,"x, ""y""",1,\nb,,,"{""k"":1}"\n');
  });
});

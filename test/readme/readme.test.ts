/**
 * The README runs as written: every ```sh block (not `sh skip`) of README.md, concatenated in
 * order, runs in one bash with -euo pipefail from the clone's root, with no SHUYU_* variables
 * inherited and a private TMPDIR. A command that fails, a renamed option or a changed output
 * field the blocks read with --field fails this test.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runnableBlocks, shellBlocks } from "./blocks.js";

const root = resolve(import.meta.dirname, "../..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const scratch = mkdtempSync(join(tmpdir(), "shuyu-readme-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("README", () => {
  it("marks every shell block as run or skipped, and runs the walkthrough's", () => {
    const blocks = shellBlocks(readme);
    expect(blocks.every((b) => b.info === "sh" || b.info === "sh skip")).toBe(true);
    const run = runnableBlocks(readme).map((b) => b.text).join("\n");
    for (const step of ["shuyu init", "dataset ingest", "dataset tag people --subject", "account add --id wang", "scenario approve", "job dev", "job submit", "egress request", "egress review", "package verify", "audit verify"]) {
      expect(run).toContain(step);
    }
  });

  it("runs verbatim on a fresh domain with generated data", () => {
    const script = runnableBlocks(readme).map((b) => `# README.md line ${b.line}\n${b.text}`).join("\n");
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: scratch, TMPDIR: scratch, LANG: "C.UTF-8" };
    const r = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: root, env, encoding: "utf8", timeout: 280_000 });
    const tail = `${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
    expect(r.status, tail).toBe(0);
    expect(r.stdout).toMatch(/dev job job-\S+ on sample data: succeeded/);
    expect(r.stdout).toContain("table income_by_gender (2 rows)");
    expect(r.stdout).toMatch(/package dom\/outbox\/prd-\S+\.tar: VALID/);
    expect(r.stdout).toMatch(/audit chain ok: \d+ entries verified/);
  }, 300_000);
});

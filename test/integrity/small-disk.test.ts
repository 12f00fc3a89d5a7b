import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, tempDir, writeCsv } from "../helpers/fixture.js";

/** Mounts a small tmpfs (needs root: CI runs as root). Returns why not, when it cannot. */
function mountSmall(dir: string, size: string): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root: cannot mount a small file system";
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir], { stdio: "ignore" });
    return undefined;
  } catch (err) {
    return `mount -t tmpfs failed (${(err as Error).message.split("\n")[0]})`;
  }
}

/** Fills the file system holding `dir` up to `leave` free bytes; returns the filler's path. */
function fill(dir: string, leave: number): string {
  const filler = join(dir, "filler");
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  if (leave > 0) {
    const data = readFileSync(filler);
    rmSync(filler);
    const fd2 = openSync(filler, "w");
    writeSync(fd2, data, 0, Math.max(0, data.length - leave));
    closeSync(fd2);
  }
  return filler;
}

const t = tempDir("shuyu-disk-");
const mnt = join(t.dir, "small");
mkdirSync(mnt);
const why = mountSmall(mnt, "48m");
if (why && process.env.CI) throw new Error(`the small-disk run must not be skipped in CI: ${why}`);

describe.skipIf(why !== undefined)(`a full disk: every command fails cleanly, says "disk full", and the chain survives${why ? ` (skipped: ${why})` : ""}`, () => {
  const dom = join(mnt, "domain");
  let admin = "";
  const run = (...args: string[]) => cli(["--domain", dom, "--token", admin, "--json", ...args], { SHUYU_LOCK_WAIT_MS: "2000" });

  beforeAll(async () => {
    const init = await cli(["--json", "init", dom, "--operator", "小盘运营"]);
    admin = JSON.parse(init.stdout).token;
    expect((await run("org", "add", "--id", "prov", "--name", "提供方", "--kind", "provider")).code).toBe(0);
    writeCsv(join(t.dir, "d.csv"), ["id", "name", "amount"], Array.from({ length: 20_000 }, (_, i) => [i, `n${i}`, i % 97]));
  }, 120_000);
  afterAll(() => {
    try {
      execFileSync("umount", [mnt]);
    } catch {
      // already gone
    }
    t.cleanup();
  });

  const outcomes: string[] = [];
  for (const leave of [0, 4096, 64 * 1024, 512 * 1024]) {
    it(`with ${leave} bytes free: org add and ingest either complete or fail with DISK_FULL, nothing half-done`, async () => {
      const chainBefore = readFileSync(join(dom, "audit", "chain.jsonl"));
      const filler = fill(mnt, leave);
      const org = await run("org", "add", "--id", `o${leave}`, "--name", "满盘", "--kind", "developer");
      const ingest = await run("dataset", "ingest", "--id", `d${leave}`, "--file", join(t.dir, "d.csv"), "--provider", "prov", "--grade", "2");
      rmSync(filler);
      for (const r of [org, ingest]) {
        outcomes.push(r.code === 0 ? "ok" : JSON.parse(r.stdout).error.code);
        if (r.code !== 0) {
          const err = JSON.parse(r.stdout).error;
          // never a parse error in the user's file, never an unexplained internal error
          expect(err.code, r.stdout).toBe("DISK_FULL");
          expect(err.message).toMatch(/disk full/);
        }
      }
      const verify = await run("audit", "verify");
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
      expect(JSON.parse(verify.stdout).ok).toBe(true);
      const orgs = JSON.parse((await run("org", "list")).stdout) as { id: string }[];
      expect(orgs.some((o) => o.id === `o${leave}`)).toBe(org.code === 0);
      const catalog = JSON.parse((await run("catalog", "list")).stdout) as { id: string; rowCount: number }[];
      const entry = catalog.find((c) => c.id === `d${leave}`);
      expect(entry !== undefined).toBe(ingest.code === 0);
      if (entry) expect(entry.rowCount).toBe(20_000);
      // The chain only grew (a torn tail, if any, was cut before the next append).
      expect(readFileSync(join(dom, "audit", "chain.jsonl")).subarray(0, chainBefore.length).equals(chainBefore)).toBe(true);
      expect(existsSync(join(mnt, "filler"))).toBe(false);
    }, 120_000);
  }
  it("hit the full disk in at least one of the runs above", () => {
    expect(outcomes).toContain("DISK_FULL");
  });
});

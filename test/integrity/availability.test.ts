import { spawn } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Domain } from "../../runtime/domain/domain.js";
import { startServer } from "../../runtime/server/serve.js";
import { BIN, tempDir } from "../helpers/fixture.js";
import { alive, childrenOf } from "../helpers/processes.js";
import { approvedScenario, flowDomain, type FlowDomain } from "./fixture.js";

describe("availability: a running job holds no lock, read-only commands share the stores, DOMAIN_BUSY says who", () => {
  const t = tempDir("shuyu-avail-");
  let d: FlowDomain;
  beforeAll(async () => {
    d = await flowDomain(t.dir);
    await approvedScenario(d);
    // a model that keeps its worker busy for a few seconds
    writeFileSync(join(t.dir, "slow.js"), `export default async (ctx) => {
      const r = await ctx.query("SELECT count(*)::INTEGER AS n FROM people");
      const until = Date.now() + 6000; let x = 0; while (Date.now() < until) x++;
      return { tables: { t: { n: [r.columns.n[0]] } } };
    };`);
  }, 300_000);
  afterAll(() => t.cleanup());

  const submitSlow = () => {
    const child = spawn(process.execPath, [BIN, "--domain", d.dir, "--token", d.tok.dev, "--json", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "slow.js"), "--wall-ms", "60000", "--cpu-ms", "60000"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const done = new Promise<{ code: number | null; out: string }>((r) => child.on("exit", (code) => r({ code, out })));
    return { child, done };
  };
  const runningJob = async () => {
    for (let i = 0; i < 200; i++) {
      const r = await d.run("dev", "job", "list");
      if (r.code === 0) {
        const j = (JSON.parse(r.stdout) as { id: string; state: string }[]).find((x) => x.state === "running");
        if (j) return j.id;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error("the job never showed as running");
  };

  it("while a CLI job runs, read-only and writing commands work; the job still stages", async () => {
    const { done } = submitSlow();
    const id = await runningJob();
    for (const args of [["catalog", "list"], ["job", "status", id], ["audit", "verify"]]) {
      const r = await d.run("admin", ...args);
      expect(r.code, `${args.join(" ")}: ${r.stdout}`).toBe(0);
    }
    expect((await d.run("admin", "org", "add", "--id", "later", "--name", "运行中加入", "--kind", "developer")).code).toBe(0);
    const end = await done;
    expect(end.code).toBe(0);
    expect(JSON.parse(end.out)).toMatchObject({ id, state: "succeeded" });
  });

  it("job cancel from another process kills the job's worker, ends the run as cancelled (audited); nothing is staged", async () => {
    // A model that would run for two minutes: only a killed worker ends it sooner.
    writeFileSync(join(t.dir, "forever.js"), `export default async (ctx) => {
      await ctx.query("SELECT count(*)::INTEGER AS n FROM people");
      for (;;) {}
    };`);
    const child = spawn(process.execPath, [BIN, "--domain", d.dir, "--token", d.tok.dev, "--json", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "forever.js"), "--wall-ms", "120000", "--cpu-ms", "120000"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    const id = await runningJob();
    const workers = childrenOf(child.pid!);
    expect(workers.length, "the submitting CLI runs the job in a worker process").toBeGreaterThan(0);
    const c = await d.ok("dev", "job", "cancel", id, "--reason", "不再需要");
    expect(c.state).toBe("cancelled");
    // The worker is gone (killed, not left to spin until its wall limit) and the CLI ends.
    for (let i = 0; i < 300 && workers.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(workers.filter(alive), "worker processes still running after cancel").toEqual([]);
    expect(await exited).toBe(3);
    expect(JSON.parse(out)).toMatchObject({ id, state: "cancelled", outputs: [] });
    const op = await d.ok("admin", "job", "status", id);
    expect(op).toMatchObject({ state: "cancelled", reason: "CANCELLED", outputs: [] });
    const log = (await d.ok("admin", "audit", "log", "--object", `job:${id}`)) as { action: string; details: { reason?: string } }[];
    expect(log.map((e) => e.action)).toContain("job.cancel");
    // Nothing after the cancel: the killed run staged nothing and recorded no other end.
    expect(log.map((e) => e.action).filter((a) => /^job\.(succeeded|failed|killed)$/.test(a))).toEqual([]);
    expect(existsSync(join(d.dir, "staging", id)) ? readdirSync(join(d.dir, "staging", id)).filter((n) => n !== "job-code.txt") : []).toEqual([]);
    // Someone else's organisation cannot cancel (nor can a read-only auditor: job.cancel is not theirs).
    const other = await d.run("prov", "job", "cancel", id);
    expect(other.code).toBe(2);
  }, 120_000);

  it("while serve holds the domain, read-only commands are answered through it; writers get DOMAIN_BUSY naming it", async () => {
    const srv = await startServer({ dir: d.dir, port: 0, logLevel: false });
    try {
      const list = await d.run("admin", "catalog", "list");
      expect(list.code, list.stdout + list.stderr).toBe(0);
      expect((JSON.parse(list.stdout) as { id: string }[]).map((e) => e.id)).toContain("people");
      const verify = await d.run("admin", "audit", "verify");
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
      const w = await d.run("admin", "org", "add", "--id", "srvbusy", "--name", "忙", "--kind", "developer");
      expect(w.code).toBe(6);
      expect(JSON.parse(w.stdout).error.message).toContain(srv.url);
    } finally {
      await srv.close();
    }
  }, 60_000);

  it("DOMAIN_BUSY has its own exit code (6) and names the holder and since when", async () => {
    const holder = await Domain.open(d.dir, { command: "test holder" });
    try {
      const r = await d.run("admin", "org", "add", "--id", "busy", "--name", "忙", "--kind", "developer");
      expect(r.code).toBe(6);
      const err = JSON.parse(r.stdout).error;
      expect(err.code).toBe("DOMAIN_BUSY");
      expect(err.message).toMatch(new RegExp(`'shuyu test holder' \\(pid ${process.pid}\\) since \\d{4}-`));
    } finally {
      holder.close();
    }
  }, 60_000);
});

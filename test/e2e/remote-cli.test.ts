/**
 * The CLI as a client of a running `shuyu serve` (real server process, real CLI processes):
 * `login --server` saves a 0600 profile, several profiles side by side, and every daily command of
 * the developer and the reviewer goes through the server's API while it holds the domain, down to
 * the developer downloading their released package and verifying it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cli, tempDir, writeCsv } from "../helpers/fixture.js";

describe("CLI against a running server", () => {
  const t = tempDir();
  const dom = join(t.dir, "domain");
  const config = join(t.dir, "config");
  const tok: Record<string, string> = {};
  let server: ChildProcess;
  let url = "";
  // No SHUYU_DOMAIN, a private config folder: the CLI knows only what login saved.
  const env = { XDG_CONFIG_HOME: config, SHUYU_DOMAIN: "", SHUYU_TOKEN: "", SHUYU_SERVER: "", SHUYU_PROFILE: "" };
  const local = (who: string, ...args: string[]) => cli(["--domain", dom, "--token", tok[who], ...args], env);
  const remote = (...args: string[]) => cli(args, env);
  const ok = async (...args: string[]) => {
    const r = await remote("--json", ...args);
    if (r.code !== 0) throw new Error(`${args.join(" ")} → exit ${r.code}: ${r.stdout} ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    tok.admin = (await cli(["init", dom, "--operator", "测试运营", "--field", "token"], env)).stdout.trim();
    const add = async (...a: string[]) => {
      const r = await local("admin", ...a);
      if (r.code !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    await add("org", "add", "--id", "p1", "--name", "提供方", "--kind", "provider");
    await add("org", "add", "--id", "d1", "--name", "开发方", "--kind", "developer");
    tok.prov = await add("account", "add", "--id", "pp", "--name", "王五", "--org", "p1", "--role", "provider", "--field", "token");
    tok.dev = await add("account", "add", "--id", "dd", "--name", "张三", "--org", "d1", "--role", "developer", "--field", "token");
    tok.rev = await add("account", "add", "--id", "rr", "--name", "赵六", "--org", "operator", "--role", "reviewer", "--field", "token");
    writeCsv(join(t.dir, "r.csv"), ["rid", "grp", "v"], Array.from({ length: 600 }, (_, i) => [`R${i}`, i % 3 ? "a" : "b", i % 50]));
    await add("dataset", "ingest", "--id", "recs", "--file", join(t.dir, "r.csv"), "--provider", "p1", "--grade", "2", "--subject", "rid");
    await add("agreement", "add", "--org", "d1", "--datasets", "recs", "--start", "2026-01-01", "--end", "2028-12-31");
    writeFileSync(join(t.dir, "count.ts"), `import type { Model } from "shuyu/model";\nconst m: Model = async (ctx) => {\n  const r = await ctx.query("SELECT grp, count(*) AS n FROM recs GROUP BY grp ORDER BY grp");\n  ctx.log("groups " + r.rowCount);\n  return { tables: { g: r.columns } };\n};\nexport default m;\n`);
    server = spawn(process.execPath, [BIN, "--domain", dom, "serve", "--port", "0", "--log-level", "silent"], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    url = await new Promise<string>((resolve, reject) => {
      let err = "";
      server.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /serving on (http:\/\/[^\s]+)/.exec(err);
        if (m) resolve(m[1]);
      });
      server.once("exit", (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
  }, 240_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
    t.cleanup();
  });

  it("login checks the token on the server and saves a 0600 profile in a 0700 folder; a wrong token saves nothing", async () => {
    const bad = await remote("login", "--server", url, "--token", "dd.wrong");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/UNAUTHENTICATED/);
    const r = await ok("login", "--server", url, "--token", tok.dev, "--profile", "dev");
    expect(r).toMatchObject({ profile: "dev", account: "dd", roles: ["developer"] });
    expect(statSync(r.file).mode & 0o777).toBe(0o600);
    expect(statSync(join(config, "shuyu")).mode & 0o777).toBe(0o700);
    // a token read from standard input, as `echo $TOKEN | shuyu login …` does
    const piped = await new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [BIN, "login", "--server", url, "--profile", "rev"], { env: { ...process.env, ...env }, stdio: ["pipe", "ignore", "ignore"] });
      p.stdin!.end(tok.rev + "\n");
      p.once("exit", (c) => resolve(c ?? 99));
    });
    expect(piped).toBe(0);
    const list = await ok("profile", "list");
    expect(list.map((p: { name: string; current: string }) => [p.name, p.current])).toEqual([["dev", ""], ["rev", "*"]]);
    expect((await remote("profile", "list")).stdout).not.toContain(tok.rev);
    expect(JSON.parse(readFileSync(r.file, "utf8")).profiles.dev.token).toBe(tok.dev);
  }, 60_000);

  it("a developer's day through the server while it holds the domain: submit, dev run, raw job, egress request", async () => {
    await ok("profile", "use", "dev");
    expect(await ok("whoami")).toMatchObject({ accountId: "dd", domain: url });
    expect((await ok("catalog", "list")).map((d: { id: string }) => d.id)).toEqual(["recs"]);
    await ok("scenario", "submit", "--id", "s1", "--purpose", "按组统计记录数量用于远程测试", "--grant", "recs:grp,v");
    // the approvals, by the operator and the provider, also through the server (one command each, --server and --token)
    for (const who of ["admin", "prov"]) expect((await remote("--server", url, "--token", tok[who], "scenario", "approve", "s1")).code).toBe(0);
    expect((await ok("scenario", "show", "s1")).state).toBe("approved");
    // a TypeScript model read here and sent as source: type-checked and run on the sample by the server
    const dev = await ok("job", "dev", "--scenario", "s1", "--model", join(t.dir, "count.ts"));
    expect(dev.state).toBe("succeeded");
    expect((await ok("job", "logs", dev.id)).logs).toEqual(["groups 2"]);
    // the gate's dry run, run by the server on the sample run (the developer need not be on the domain's host)
    const checked = await ok("job", "dev", "--scenario", "s1", "--model", join(t.dir, "count.ts"), "--check");
    expect(checked.sample.check.form).toBe("dataset");
    expect(checked.sample.check.findings.find((f: { rule: string }) => f.rule === "computed-table").severity).toBe("pass");
    writeFileSync(join(t.dir, "js.js"), `export default async (ctx) => { const r = await ctx.query("SELECT grp FROM recs"); const by = {};
      r.columns.grp.forEach((g) => { by[g] = (by[g] ?? 0) + 1; }); return { tables: { g: { grp: Object.keys(by), n: Object.values(by) } } }; };`);
    const human = await remote("job", "dev", "--scenario", "s1", "--model", join(t.dir, "js.js"), "--check");
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/gate dry run on the sample \(form dataset\): [1-9]\d* block/);
    expect(human.stdout).toMatch(/computed-table/);
    const badForm = await remote("job", "dev", "--scenario", "s1", "--model", join(t.dir, "js.js"), "--check", "zip");
    expect([badForm.code, badForm.stderr]).toEqual([1, expect.stringMatching(/BAD_FORM/)]);
    const job = await ok("job", "submit", "--scenario", "s1", "--sql", "SELECT grp, count(*) AS n FROM recs GROUP BY grp ORDER BY grp");
    expect(job.state).toBe("succeeded");
    expect((await ok("job", "status", job.id)).state).toBe("succeeded");
    expect((await ok("job", "list", "--state", "succeeded")).map((j: { id: string }) => j.id)).toContain(job.id);
    const eg = await ok("egress", "request", "--job", job.id, "--form", "dataset");
    expect(eg.state).toBe("checked");
    writeFileSync(join(t.dir, "egress-id"), eg.id);
    // a failed job exits 3 through the server as it does locally
    const boom = await remote("job", "submit", "--scenario", "s1", "--sql", "SELECT nope FROM recs");
    expect(boom.code).not.toBe(0);
  }, 180_000);

  it("the reviewer decides from the dossier through the server; the developer downloads and verifies the package", async () => {
    const egressId = readFileSync(join(t.dir, "egress-id"), "utf8");
    const status = await ok("--profile", "rev", "status");
    expect(status.map((s: { id: string }) => s.id)).toContain(egressId);
    const dossier = await remote("--profile", "rev", "egress", "show", egressId, "--data");
    expect(dossier.code).toBe(0);
    expect(dossier.stdout).toContain("按组统计记录数量用于远程测试");
    expect(dossier.stdout).toMatch(/GROUP BY grp/);
    const decided = await ok("--profile", "rev", "egress", "review", egressId, "--approve", "--reason", "两组计数，每组数百人");
    expect(decided.state).toBe("released");
    const products = await ok("--profile", "dev", "product", "list");
    expect(products).toHaveLength(1);
    const out = join(t.dir, "delivered.tar");
    const got = await ok("--profile", "dev", "package", "download", products[0].id, "--out", out);
    expect(got).toMatchObject({ id: products[0].id, file: out });
    expect(statSync(out).size).toBe(got.bytes);
    const verified = await remote("--json", "package", "verify", out);
    expect(verified.code, verified.stderr).toBe(0);
    // another organisation's reviewer account may not download the developer's package
    expect((await remote("--profile", "rev", "package", "download", products[0].id, "--out", join(t.dir, "x.tar"))).code).toBe(2);
  }, 180_000);

  it("the operator's commands too: quotas, scenario limits, suspending and resuming a scenario, the operator's authorization", async () => {
    const admin = (...a: string[]) => ok("--server", url, "--token", tok.admin, ...a);
    await admin("quota", "set", "--account", "dd", "--raw-jobs-per-day", "7");
    expect((await admin("quota", "show")).quotas).toContainEqual(expect.objectContaining({ id: "dd", rawJobsPerDay: 7 }));
    await admin("limits", "set", "--scenario", "s1", "--max-wall-ms", "30000");
    expect((await admin("limits", "show", "--scenario", "s1")).maxima.wallMs).toBe(30000);
    expect((await admin("scenario", "suspend", "s1", "--reason", "远程暂停测试")).state).toBe("suspended");
    expect((await admin("scenario", "resume", "s1", "--reason", "远程恢复测试")).state).toBe("approved");
    expect(await admin("operator", "show")).toHaveProperty("state");
  }, 60_000);

  it("host-only commands say so; an unreachable server is an error naming it; logout forgets the token", async () => {
    const ingest = await remote("--profile", "dev", "backup", "--dir", join(t.dir, "b"));
    expect(ingest.code).not.toBe(0);
    const down = await remote("--server", "http://127.0.0.1:9", "--token", tok.dev, "catalog", "list");
    expect(down.code).toBe(5);
    expect(down.stderr).toMatch(/SERVER_UNREACHABLE: cannot reach http:\/\/127\.0\.0\.1:9/);
    await ok("--profile", "rev", "logout");
    expect((await ok("profile", "list")).map((p: { name: string }) => p.name)).toEqual(["dev"]);
    expect(readFileSync(join(config, "shuyu", "profiles.json"), "utf8")).not.toContain(tok.rev);
  }, 60_000);
});

/**
 * Job lifecycle and the reviewer's dossier through the real CLI: dev logs kept and shown, list
 * filters and paging, --field, the exit code of a failed job; egress show --data, return for changes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliLang, words } from "../../runtime/i18n/index.js";
import { cli, tempDir, writeCsv } from "../helpers/fixture.js";

describe("job lifecycle", () => {
  const t = tempDir();
  const dom = join(t.dir, "domain");
  const tok: Record<string, string> = {};
  const run = (who: string, ...args: string[]) => cli(["--domain", dom, "--token", tok[who], ...args]);
  const ok = async (who: string, ...args: string[]) => {
    const r = await run(who, "--json", ...args);
    if (r.code !== 0) throw new Error(`${args.join(" ")} → exit ${r.code}: ${r.stdout} ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    tok.admin = (await cli(["init", dom, "--operator", "测试运营", "--field", "token"])).stdout.trim();
    await ok("admin", "org", "add", "--id", "p1", "--name", "提供方", "--kind", "provider");
    await ok("admin", "org", "add", "--id", "d1", "--name", "开发方", "--kind", "developer");
    await ok("admin", "org", "add", "--id", "d2", "--name", "另一开发方", "--kind", "developer");
    tok.prov = (await run("admin", "account", "add", "--id", "pp", "--name", "王五", "--org", "p1", "--role", "provider", "--field", "token")).stdout.trim();
    tok.dev = (await run("admin", "account", "add", "--id", "dd", "--name", "张三", "--org", "d1", "--role", "developer", "--field", "token")).stdout.trim();
    tok.rev = (await run("admin", "account", "add", "--id", "rr", "--name", "赵六", "--org", "operator", "--role", "reviewer", "--field", "token")).stdout.trim();
    tok.other = (await run("admin", "account", "add", "--id", "ee", "--name", "李四", "--org", "d2", "--role", "developer", "--field", "token")).stdout.trim();
    writeCsv(join(t.dir, "r.csv"), ["rid", "grp", "v"], Array.from({ length: 200 }, (_, i) => [`R${i}`, i % 3 ? "a" : "b", i]));
    await ok("admin", "dataset", "ingest", "--id", "recs", "--file", join(t.dir, "r.csv"), "--provider", "p1", "--grade", "2", "--subject", "rid");
    await ok("admin", "agreement", "add", "--org", "d1", "--datasets", "recs", "--start", "2026-01-01", "--end", "2028-12-31");
    await ok("dev", "scenario", "submit", "--id", "s1", "--purpose", "按组统计记录数量用于测试", "--grant", "recs:grp,v");
    await ok("admin", "scenario", "approve", "s1");
    await ok("prov", "scenario", "approve", "s1");
    writeFileSync(join(t.dir, "log.js"), `export default async (ctx) => { const r = await ctx.query("SELECT grp, count(*)::INTEGER AS n FROM recs GROUP BY grp ORDER BY grp"); ctx.log("groups " + r.rowCount); return { tables: { g: r.columns } }; };`);
    writeFileSync(join(t.dir, "boom.js"), `export default async () => { throw new Error("no"); };`);
  }, 240_000);
  afterAll(() => t.cleanup());

  it("keeps a dev run's logs for `job logs`; another organisation cannot read them", async () => {
    const id = (await run("dev", "job", "dev", "--scenario", "s1", "--model", join(t.dir, "log.js"), "--field", "id")).stdout.trim();
    expect(await ok("dev", "job", "logs", id)).toEqual({ id, mode: "dev", logs: ["groups 2"] });
    expect((await run("dev", "job", "logs", id)).stdout).toBe("groups 2\n");
    const other = await run("other", "job", "logs", id);
    expect(other.code).toBe(2);
  }, 120_000);

  it("exits 3 for a failed job in either mode, printing its state", async () => {
    const dev = await run("dev", "job", "dev", "--scenario", "s1", "--model", join(t.dir, "boom.js"));
    expect(dev.code).toBe(3);
    const raw = await run("dev", "--json", "job", "submit", "--scenario", "s1", "--model", join(t.dir, "boom.js"));
    expect(raw.code).toBe(3);
    expect(JSON.parse(raw.stdout).state).toBe("failed");
  }, 120_000);

  it("filters the list by state, scenario and mode and pages it", async () => {
    await ok("dev", "job", "submit", "--scenario", "s1", "--model", join(t.dir, "log.js"));
    const all = await ok("dev", "job", "list");
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect((await ok("dev", "job", "list", "--state", "failed")).map((j: { state: string }) => j.state)).toEqual(["failed", "failed"]);
    expect((await ok("dev", "job", "list", "--mode", "raw")).every((j: { mode: string }) => j.mode === "raw")).toBe(true);
    expect(await ok("dev", "job", "list", "--scenario", "nope")).toEqual([]);
    const p1 = await ok("dev", "job", "list", "--limit", "2", "--page", "1");
    const p2 = await ok("dev", "job", "list", "--limit", "2", "--page", "2");
    expect([...p1, ...p2].map((j: { id: string }) => j.id)).toEqual(all.slice(0, 4).map((j: { id: string }) => j.id));
    expect((await run("dev", "job", "list", "--state", "done")).code).toBe(3);
    expect(await ok("other", "job", "list")).toEqual([]);
  }, 240_000);

  it("speaks the reader's language from the console's catalogue: Chinese states under a Chinese locale, machine values otherwise and in --json", async () => {
    expect(cliLang({ LANG: "zh_CN.UTF-8" })).toBe("zh");
    expect(cliLang({ LANG: "zh_CN.UTF-8", LC_ALL: "C" })).toBe("en");
    expect(cliLang({ LANG: "en_US.UTF-8", SHUYU_LANG: "zh" })).toBe("zh");
    expect(cliLang({ LANG: "zhx" })).toBe("en");
    const zh = words("zh");
    const asZh = (...args: string[]) => cli(["--domain", dom, "--token", tok.dev, ...args], { LANG: "zh_CN.UTF-8", LC_ALL: "", LC_MESSAGES: "", SHUYU_LANG: "" });
    const asEn = (...args: string[]) => cli(["--domain", dom, "--token", tok.dev, ...args], { LANG: "C.UTF-8", LC_ALL: "", LC_MESSAGES: "", SHUYU_LANG: "" });
    const listZh = await asZh("job", "list", "--state", "failed");
    expect(listZh.code).toBe(0);
    expect(listZh.stdout).toContain(zh("st_failed"));
    expect(listZh.stdout).not.toMatch(/\bfailed\b/);
    const listEn = await asEn("job", "list", "--state", "failed");
    expect(listEn.stdout).toMatch(/\bfailed\b/);
    expect(listEn.stdout).not.toContain(zh("st_failed"));
    const json = await asZh("--json", "job", "list", "--state", "failed");
    expect(JSON.parse(json.stdout).every((j: { state: string }) => j.state === "failed")).toBe(true);
  }, 120_000);

  it("gives a reviewer the dossier: purpose, requester, code, mark, rows, a page of output, sorted findings; returns it for changes", async () => {
    const job = (await run("dev", "job", "submit", "--scenario", "s1", "--model", join(t.dir, "log.js"), "--field", "id")).stdout.trim();
    const req = (await run("dev", "egress", "request", "--job", job, "--form", "dataset", "--field", "id")).stdout.trim();
    const d = await ok("rev", "egress", "show", req, "--data", "--page-size", "1");
    expect(d.dossier.purpose).toBe("按组统计记录数量用于测试");
    expect(d.dossier.requester).toMatchObject({ account: "dd", name: "张三", org: "d1", orgName: "开发方" });
    expect(d.dossier.job.code).toContain('ctx.log("groups "');
    expect(d.dossier.tables[0]).toMatchObject({ name: "g", rows: 2, columns: [{ name: "grp" }, { name: "n" }], page: { number: 1, size: 1, pages: 2 } });
    expect((await ok("rev", "egress", "show", req, "--data", "--page-size", "1", "--page", "2")).dossier.tables[0].page.rows).toEqual([["b", 67]]);
    const order = d.dossier.findings.map((f: { severity: string }) => f.severity);
    expect(order).toEqual([...order].sort((a: string, b: string) => ["block", "review", "pass"].indexOf(a) - ["block", "review", "pass"].indexOf(b)));
    expect(d.dossier.canDecide).toBe(true);
    expect(d).toMatchObject({ reviewsNeeded: 1, approvals: 0, requestedAt: expect.any(String), decidedAt: null });
    const human = (await run("rev", "egress", "show", req, "--data")).stdout;
    expect(human).toMatch(/purpose: 按组统计记录数量用于测试/);
    expect(human).toMatch(/findings \(blocks, then reviews, then passes\)/);
    // the developer cannot read the output before release
    expect((await run("dev", "egress", "show", req, "--data")).code).toBe(2);
    // return for changes: a new state, and the developer reads the comment
    const back = await ok("rev", "egress", "review", req, "--return", "--reason", "请合并小组");
    expect(back.state).toBe("returned");
    const seen = await run("dev", "egress", "show", req);
    expect(seen.stdout).toMatch(/RETURNED for changes: 请合并小组/);
    expect((await ok("rev", "egress", "show", req, "--data")).dossier.canDecide).toBe(false);
    expect((await run("rev", "egress", "review", req, "--approve", "--reason", "ok")).code).toBe(3);
  }, 300_000);

  it("whoami names the account; status lists what waits: approvals, reviews, failed jobs, returned requests", async () => {
    expect(await ok("dev", "whoami")).toMatchObject({ accountId: "dd", name: "张三", orgId: "d1", roles: ["developer"] });
    const mine = await ok("dev", "status");
    expect(mine.filter((w: { kind: string }) => w.kind === "failed-job")).toHaveLength(2);
    expect(mine.find((w: { kind: string }) => w.kind === "returned-request").what).toMatch(/请合并小组/);
    await ok("dev", "scenario", "submit", "--id", "s2", "--purpose", "按组统计数值总和用于测试", "--grant", "recs:grp");
    expect((await ok("admin", "status")).map((w: { kind: string; id: string }) => `${w.kind}:${w.id}`)).toEqual(["scenario-approval:s2"]);
    expect((await ok("prov", "status")).map((w: { kind: string; id: string }) => `${w.kind}:${w.id}`)).toEqual(["scenario-approval:s2"]);
    const job = (await run("dev", "job", "submit", "--scenario", "s1", "--model", join(t.dir, "log.js"), "--field", "id")).stdout.trim();
    const req = (await run("dev", "egress", "request", "--job", job, "--form", "dataset", "--field", "id")).stdout.trim();
    expect(await ok("rev", "status")).toEqual([expect.objectContaining({ kind: "egress-review", id: req, next: `shuyu egress show ${req} --data` })]);
    expect(await ok("other", "status")).toEqual([]);
  }, 300_000);

  it("--field names a missing field as a usage error", async () => {
    const r = await run("dev", "job", "list", "--field", "nothing");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no field 'nothing'/);
  });
});

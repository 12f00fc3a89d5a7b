import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakeMobile, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { cli, tempDir } from "../helpers/fixture.js";

/**
 * The whole path through the real CLI: domain → ingest → scenario → dev run on the sample →
 * raw run (staged, not shown) → egress request → findings → review → sealed package → offline verify.
 */
describe("R1 R4 R6 end to end through the CLI", () => {
  const t = tempDir();
  const dom = join(t.dir, "domain");
  const tok: Record<string, string> = {};
  const run = (who: string, ...args: string[]) => cli(["--domain", dom, "--token", tok[who], "--json", ...args]);
  const ok = async (who: string, ...args: string[]) => {
    const r = await run(who, ...args);
    if (r.code !== 0) throw new Error(`${args.join(" ")} → exit ${r.code}: ${r.stdout} ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const rawIds: string[] = [];
  /** The staging mark the owner's accounting run gave the job's table (operator view of job status). */
  const account = async (job: string) => {
    const r = await run("admin", "job", "status", job);
    return (JSON.parse(r.stdout) as { marks?: { mark: { kind: string } }[] }).marks?.[0]?.mark.kind;
  };

  beforeAll(async () => {
    const init = await cli(["--json", "init", dom, "--operator", "贵州省数据运营"]);
    tok.admin = JSON.parse(init.stdout).token;
    await ok("admin", "org", "add", "--id", "wjw", "--name", "省卫健委", "--kind", "provider");
    await ok("admin", "org", "add", "--id", "dev1", "--name", "数智科技", "--kind", "developer");
    tok.dev = (await ok("admin", "account", "add", "--id", "alice", "--name", "张三", "--org", "dev1", "--role", "developer")).token;
    tok.prov = (await ok("admin", "account", "add", "--id", "wang", "--name", "王五", "--org", "wjw", "--role", "provider,reviewer")).token;
    tok.rev = (await ok("admin", "account", "add", "--id", "zhao", "--name", "赵六", "--org", "operator", "--role", "reviewer")).token;
    tok.aud = (await ok("admin", "account", "add", "--id", "qian", "--name", "钱七", "--org", "operator", "--role", "auditor")).token;
    const rng = createRng(11);
    const lines = ["name,id_number,mobile,gender,age,income"];
    for (let i = 0; i < 3000; i++) {
      const id = fakeResidentId(rng);
      rawIds.push(id);
      lines.push([fakePersonName(rng), id, fakeMobile(rng), i % 2 ? "F" : "M", 20 + (i % 50), 1000 + ((i * 37) % 9000)].join(","));
    }
    writeFileSync(join(t.dir, "people.csv"), lines.join("\n") + "\n");
    await ok("admin", "dataset", "ingest", "--id", "people", "--file", join(t.dir, "people.csv"), "--provider", "wjw", "--grade", "2");
    await ok("admin", "dataset", "tag", "people", "--subject", "id_number");
    await ok("admin", "agreement", "add", "--org", "dev1", "--datasets", "people", "--start", "2026-01-01", "--end", "2028-12-31");
    await ok("dev", "scenario", "submit", "--id", "inc", "--purpose", "按性别统计收入分布以支持政策制定", "--grant", "people:gender,age,income,id_number");
    await ok("admin", "scenario", "approve", "inc");
    await ok("prov", "scenario", "approve", "inc");
    writeFileSync(join(t.dir, "agg.js"), `export default async (ctx) => {
      const r = await ctx.query("SELECT gender, count(*)::INTEGER AS n, round(avg(income), -2) AS avg_income FROM people GROUP BY gender ORDER BY gender");
      return { tables: { by_gender: r.columns } };
    };`);
    // The identifier itself is refused at job time, so the extract carries each person's income
    // (unique per person here) through a reversible transform the model computes.
    writeFileSync(join(t.dir, "leak.ts"), `export default async (ctx: any) => {
      const r = await ctx.query("SELECT age, gender, income FROM people");
      const enc = Array.from(r.columns.income as number[], (x: number) => x * 7 + 3);
      return { tables: { extract: { v: enc, age: r.columns.age, gender: r.columns.gender } } };
    };`);
  }, 240_000);
  afterAll(() => t.cleanup());

  it("dev mode runs on the sample and shows everything", async () => {
    const r = await run("dev", "job", "dev", "--scenario", "inc", "--sql", "SELECT gender, age, income FROM people LIMIT 50");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ id: expect.stringMatching(/^job-/), mode: "dev", state: "succeeded", scenario: "inc" });
    expect(out.sample.outputs.tables.result.columns.map((c: { name: string }) => c.name)).toEqual(["gender", "age", "income"]);
    expect(out.sample.outputs.tables.result.columns[0].values.length).toBe(50);
  });

  it("an identifier is refused at job time in dev and raw mode, naming the column and its role; a distinct count of it is allowed", async () => {
    const dev = await run("dev", "job", "dev", "--scenario", "inc", "--sql", "SELECT id_number FROM people LIMIT 50");
    expect(dev.code).toBe(3);
    const d = JSON.parse(dev.stdout);
    expect(d).toMatchObject({ mode: "dev", state: "failed" });
    expect(JSON.stringify(d)).toMatch(/SQL_DENIED/);
    expect(JSON.stringify(d)).toMatch(/id_number.*identifier/);
    for (const v of rawIds.slice(0, 50)) expect(dev.stdout).not.toContain(v);
    // A model's ctx.query is refused the same way, even when the model catches the error.
    writeFileSync(join(t.dir, "peek.js"), `export default async (ctx) => {
      try { await ctx.query("SELECT upper(id_number) AS u FROM people"); } catch (e) { ctx.log("caught"); }
      return { tables: { t: (await ctx.query("SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender")).columns } };
    };`);
    const devModel = JSON.parse((await run("dev", "job", "dev", "--scenario", "inc", "--model", join(t.dir, "peek.js"))).stdout);
    expect(devModel.state).toBe("failed");
    expect(JSON.stringify(devModel)).toMatch(/SQL_DENIED/);
    const raw = await run("dev", "job", "submit", "--scenario", "inc", "--sql", "SELECT id_number, income FROM people");
    expect(raw.code).toBe(3);
    expect(JSON.parse(raw.stdout)).toMatchObject({ state: "failed", outputs: [] });
    const op = await ok("admin", "job", "status", JSON.parse(raw.stdout).id);
    // The operator's record has the code; the message (staged as the error part) is the guard's, not the model's.
    expect(op).toMatchObject({ reason: "SQL_DENIED", error: { code: "SQL_DENIED" } });
    const rawModel = await run("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "peek.js"));
    expect(JSON.parse(rawModel.stdout)).toMatchObject({ state: "failed", outputs: [] });
    expect(await ok("admin", "job", "status", JSON.parse(rawModel.stdout).id)).toMatchObject({ reason: "SQL_DENIED" });
    const counted = await ok("dev", "job", "dev", "--scenario", "inc", "--sql", "SELECT gender, count(DISTINCT id_number) AS people FROM people GROUP BY gender ORDER BY gender");
    expect(counted.state).toBe("succeeded");
  });

  it("a raw run stages its output; its developer sees the outcome and a time bucket only, the operator the figures", async () => {
    const j = await ok("dev", "job", "submit", "--scenario", "inc", "--sql", "SELECT age, income FROM people");
    expect(j).toMatchObject({ state: "succeeded", view: "developer", reason: null, error: null, outputs: [] });
    expect(JSON.stringify(j)).not.toMatch(/\d{17}[\dX]/);
    const st = await ok("dev", "job", "status", j.id);
    expect(st).toEqual(j);
    const op = await ok("admin", "job", "status", j.id);
    expect(op.view).toBe("operator");
    expect(op.outputs[0]).toMatchObject({ part: "t1", kind: "table", name: "result", rows: 3000 });
    // the same shape as a dev job's (less `sample`), with times; the developer's end is coarse: start + the bucket's whole seconds
    expect(Object.keys(st).sort()).toEqual(Object.keys(JSON.parse((await run("dev", "job", "dev", "--scenario", "inc", "--sql", "SELECT 1 AS x")).stdout)).filter((k) => k !== "sample").sort());
    expect(Date.parse(st.createdAt)).toBeLessThanOrEqual(Date.parse(st.startedAt));
    expect((Date.parse(st.finishedAt) - Date.parse(st.startedAt)) % 1000).toBe(0);
    expect(await ok("dev", "job", "logs", j.id)).toMatchObject({ mode: "raw", logs: null });
  });

  it("a failing model shows its developer 'failed' only: type, line and message are staged", async () => {
    writeFileSync(join(t.dir, "boom.js"), `export default async (ctx) => {\n  const r = await ctx.query("SELECT income FROM people LIMIT 1");\n  throw new Error("secret " + r.columns.income[0]);\n};`);
    const r = await run("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "boom.js"));
    expect(r.code).toBe(3); // a failed raw job is a failure for scripts too
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ state: "failed", reason: null, error: null, outputs: [] });
    expect(JSON.stringify(j)).not.toContain("secret");
    const op = await ok("admin", "job", "status", j.id);
    expect(op).toMatchObject({ reason: "MODEL_THREW", error: { type: "Error", code: "MODEL_THREW" } });
    expect(op.error.line).toBeUndefined();
  });

  it("an aggregate passes the gate, is approved by another organisation's reviewer and verifies offline; a changed byte fails", async () => {
    const j = await ok("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "agg.js"));
    expect(j.state).toBe("succeeded");
    expect(await account(j.id)).toBe("accounted-aggregate");
    const e = await ok("dev", "egress", "request", "--job", j.id, "--form", "dataset");
    expect(e.state).toBe("checked");
    const selfReview = await run("dev", "egress", "review", e.id, "--approve", "--reason", "mine");
    expect(selfReview.code).toBe(2);
    const shown = await ok("rev", "egress", "show", e.id);
    expect(shown.findings.length).toBeGreaterThan(5);
    const approved = await ok("rev", "egress", "review", e.id, "--approve", "--reason", "聚合结果,单元格充足");
    expect(approved.state).toBe("released");
    const pkg = approved.package as string;
    const v = await cli(["--json", "package", "verify", pkg]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, form: "dataset" });
    const bytes = readFileSync(pkg);
    for (const at of [100, 700, bytes.length - 1100]) {
      const bad = Buffer.from(bytes);
      bad[at] ^= 0x01;
      const p = join(t.dir, `tampered-${at}.tar`);
      writeFileSync(p, bad);
      const r = await cli(["--json", "package", "verify", p]);
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout).error.code).toMatch(/PACKAGE_(INVALID|MALFORMED)/);
    }
    const products = await ok("dev", "product", "list");
    expect(products.map((p: { id: string }) => p.id)).toContain(approved.product.id);
  });

  it("R6 a package sealed to a recipient opens only with the recipient's key", async () => {
    const keygen = await cli(["crypto", "keygen", "--out", join(t.dir, "rcpt.key.pem"), "--pub", join(t.dir, "rcpt.pub.pem")]);
    expect(keygen.code).toBe(0);
    await cli(["crypto", "keygen", "--out", join(t.dir, "other.key.pem"), "--pub", join(t.dir, "other.pub.pem")]);
    const j = await ok("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "agg.js"));
    expect(await account(j.id)).toBe("accounted-aggregate");
    const e = await ok("dev", "egress", "request", "--job", j.id, "--form", "dataset", "--recipient", join(t.dir, "rcpt.pub.pem"));
    const approved = await ok("rev", "egress", "review", e.id, "--approve", "--reason", "受托方加密交付");
    const pkg = approved.package as string;
    expect((await cli(["package", "verify", pkg])).code).toBe(0);
    const opened = await cli(["--json", "package", "open", pkg, "--key", join(t.dir, "rcpt.key.pem"), "--out", join(t.dir, "opened")]);
    expect(opened.code).toBe(0);
    const csv = readFileSync(join(t.dir, "opened", "data", "by_gender.csv"), "utf8");
    expect(csv.split("\n")[0]).toContain("gender");
    const wrong = await cli(["--json", "package", "open", pkg, "--key", join(t.dir, "other.key.pem"), "--out", join(t.dir, "opened2")]);
    expect(wrong.code).toBe(3);
    expect(JSON.parse(wrong.stdout).error.code).toBe("NOT_THE_RECIPIENT");
  });

  it("a reversible extract is blocked and no one can approve it (exit 4)", async () => {
    const j = await ok("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "leak.ts"));
    expect(j.state).toBe("succeeded");
    const r = await run("dev", "egress", "request", "--job", j.id, "--form", "dataset");
    expect(r.code).toBe(4);
    const e = JSON.parse(r.stdout);
    expect(e.state).toBe("blocked");
    for (const who of ["rev", "prov"]) {
      const rv = await run(who, "egress", "review", e.id, "--approve", "--reason", "override");
      expect(rv.code).toBe(4);
    }
  });

  it("R7 the auditor sees every step and the chain verifies", async () => {
    const log = await ok("aud", "audit", "log", "--action", "egress");
    expect(log.map((x: { action: string }) => x.action)).toEqual(expect.arrayContaining(["egress.request", "egress.approve"]));
    const v = await ok("aud", "audit", "verify");
    expect(v.ok).toBe(true);
  });
});

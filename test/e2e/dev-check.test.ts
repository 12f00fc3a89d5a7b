import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakeResidentId } from "../../policies/pii/fake/index.js";
import { all } from "../../runtime/domain/db.js";
import { Domain } from "../../runtime/domain/domain.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { checkDevRun, devJobChecked } from "../../runtime/services/dev-check.js";
import { devJob, submitJob } from "../../runtime/services/jobs.js";
import { as, cli } from "../helpers/fixture.js";
import { contentWorld } from "./content-world.js";

/**
 * The gate's dry run on a dev job (`shuyu job dev --check`): the same marks and rules over the
 * sample run's output and its own ledger, shown to the developer before they submit; nothing
 * of it is left in the vault, and it reads nothing raw.
 */
describe("the gate's dry run on the sample", () => {
  let world: Awaited<ReturnType<typeof contentWorld>>;
  const ids: string[] = [];
  beforeAll(async () => {
    const rng = createRng(33);
    const lines = ["id_number,district,age"];
    for (let i = 0; i < 1200; i++) {
      ids.push(fakeResidentId(rng));
      lines.push(`${ids[i]},${["520102", "520103", "520111"][i % 3]},${20 + ((i * 7) % 50)}`);
    }
    world = await contentWorld(lines, "people:district,age");
  }, 180_000);
  afterAll(async () => {
    await closeSharedPool();
    world.env.cleanup();
  });

  async function dryRun(name: string, code: string) {
    const file = join(world.dir, name);
    writeFileSync(file, code);
    const r = await as(world.env.dir, world.tok.dev, (s) => devJob(s, { scenario: "age", model: file }));
    expect(r.outcome.state, JSON.stringify(r.outcome.error)).toBe("succeeded");
    const findings = await as(world.env.dir, world.tok.dev, (s) => checkDevRun(s, r.job, r.outcome.outputs));
    return { job: r.job, findings, blocks: findings.filter((f) => f.severity === "block").map((f) => f.rule) };
  }

  it("an accounted group-by is marked from the sample's ledger and not blocked as computed", async () => {
    const { findings, blocks } = await dryRun("agg.js", `export default async (ctx) => ({ tables: { by_district:
      (await ctx.query("SELECT district, count(*) AS n, avg(age) AS mean_age FROM people GROUP BY district ORDER BY district")).columns } });`);
    expect(blocks, JSON.stringify(findings)).not.toContain("computed-table");
    expect(findings.find((f) => f.rule === "computed-table")?.severity).toBe("pass");
  });

  it("a table computed in JavaScript is blocked with the way to release the same statistic, before any raw run", async () => {
    const { findings, blocks } = await dryRun("js.js", `export default async (ctx) => {
      const r = await ctx.query("SELECT district, age FROM people");
      const by = {}; r.columns.district.forEach((d) => { by[d] = (by[d] ?? 0) + 1; });
      return { tables: { by_district: { district: Object.keys(by), n: Object.values(by) } } };
    };`);
    expect(blocks).toContain("computed-table");
    expect(findings.find((f) => f.rule === "computed-table")!.detail).toMatch(/ctx\.query/);
  });

  it("a query that could not be accounted is named with its reason on the sample (a one-subject oracle, a run-time value)", async () => {
    const { findings, blocks } = await dryRun("oracle.js", `export default async (ctx) => {
      const a = await ctx.query("SELECT count(*) AS n FROM people WHERE (SELECT max(age) FROM people WHERE district = '520102' AND age > 68) > 60");
      const one = await ctx.query("SELECT age FROM people WHERE district = '520103' LIMIT 1");
      const b = await ctx.query("SELECT district, count(*) AS n, $1 AS x FROM people GROUP BY district", [String(one.columns.age[0]) + "岁"]);
      return { tables: { a: a.columns, b: b.columns } };
    };`);
    expect(blocks.filter((b) => b === "computed-table"), JSON.stringify(findings.filter((f) => f.severity !== "pass"))).toHaveLength(2);
    const detail = findings.filter((f) => f.rule === "computed-table" && f.severity === "block").map((f) => f.detail).join(" ");
    expect(detail).toMatch(/a subquery in WHERE that reads data/);
    expect(detail).toMatch(/neither constants of the job's code nor its parameters/);
  });

  it("a report's numbers that are constants of the model's code are credited, as in the egress request", async () => {
    const file = join(world.dir, "report.js");
    writeFileSync(file, `export default async (ctx) => {
      const r = await ctx.query("SELECT count(*) AS n FROM people WHERE age >= 47");
      return { report: "以 47 岁为界, 共有 " + r.columns.n[0] + " 人; 阈值 8317 为预设值" };
    };`);
    const r = await as(world.env.dir, world.tok.dev, (s) => devJobChecked(s, { scenario: "age", model: file }, "report"));
    expect("check" in r && r.check.form).toBe("report");
    const trace = ("check" in r ? r.check.findings : []).find((f) => f.rule === "text-trace");
    expect(trace?.severity ?? "pass", JSON.stringify(trace)).toBe("pass");
    // the same report with a number that is neither a cell nor in the code is a review finding
    writeFileSync(file, `export default async (ctx) => {
      const r = await ctx.query("SELECT count(*) AS n FROM people WHERE age >= 47");
      return { report: "以 47 岁为界, 共有 " + r.columns.n[0] + " 人; 另有 " + (Number(r.columns.n[0]) * 3 + 1) + " 条" };
    };`);
    const bad = await as(world.env.dir, world.tok.dev, (s) => devJobChecked(s, { scenario: "age", model: file }, "report"));
    expect(("check" in bad ? bad.check.findings : []).find((f) => f.rule === "text-trace")?.severity).toBe("review");
    await expect(as(world.env.dir, world.tok.dev, (s) => devJobChecked(s, { scenario: "age", model: file }, "zip" as never))).rejects.toMatchObject({ code: "BAD_FORM" });
  });

  it("forged counts on an accounted result are blocked the same way", async () => {
    const { blocks } = await dryRun("forged.js", `export default async (ctx) => {
      const r = await ctx.query("SELECT district, count(*) AS n FROM people GROUP BY district");
      return { tables: { t: { district: r.columns.district, n: Array.from(r.columns.n, (x) => Number(x) + 100) } } };
    };`);
    expect(blocks).toContain("computed-table");
  });

  it("leaves nothing in the vault, names no raw value, and refuses a raw job", async () => {
    const { job, findings } = await dryRun("rows.js", `export default async (ctx) => ({ tables: { t: (await ctx.query("SELECT district, age FROM people")).columns } });`);
    const text = JSON.stringify(findings);
    for (const id of ids.slice(0, 200)) expect(text).not.toContain(id);
    const domain = await Domain.open(world.env.dir);
    try {
      const left = await all<{ table_name: string }>(domain.vault, "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'chk_') OR starts_with(table_name, ?)", [`stg_${job}`]);
      expect(left).toEqual([]);
      const facts = await all(domain.vault, "SELECT * FROM gate_raw_facts WHERE starts_with(tbl, 'chk_')").catch(() => []);
      expect(facts).toEqual([]);
    } finally {
      domain.close();
    }
    const raw = await as(world.env.dir, world.tok.dev, (s) => submitJob(s, { scenario: "age", model: join(world.dir, "rows.js") }));
    await expect(as(world.env.dir, world.tok.dev, (s) => checkDevRun(s, raw.id, { tables: {}, logs: [] }))).rejects.toMatchObject({ code: "NOT_A_DEV_JOB" });
  });

  it("the CLI shows the dry run's findings with `job dev --check`", async () => {
    const args = ["--domain", world.env.dir, "--token", world.tok.dev, "job", "dev", "--scenario", "age", "--model", join(world.dir, "js.js")];
    const json = await cli(["--json", ...args, "--check"]);
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out.sample.check.form).toBe("dataset");
    expect(out.sample.check.findings.filter((f: { severity: string }) => f.severity === "block").map((f: { rule: string }) => f.rule)).toContain("computed-table");
    const human = await cli([...args, "--check"]);
    expect(human.stdout).toMatch(/gate dry run on the sample \(form dataset\): [1-9]\d* block/);
    expect((await cli([...args, "--check", "zip"])).code).toBe(1);
  });
});

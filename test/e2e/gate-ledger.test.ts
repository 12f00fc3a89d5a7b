/**
 * The gate through real jobs and the real ledger (model → job → accounting run → staging mark →
 * egress request → verdict → release): the JS-model group-by by city passes and is released in
 * canonical order with rounded floats; a second organisation's release differing by one person is
 * blocked; small cells are blocked and the suppress-small remedy clears them; forged counts,
 * duplicated rows and a table computed by code are marked computed and blocked with the way out;
 * an identifier-equivalent record-level column is blocked.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress, reviewEgress, showEgress } from "../../runtime/services/egress.js";
import { stagedParts, submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { readFileSync } from "node:fs";
import { unpackTar } from "../../runtime/egress/tar.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { as, newDomain } from "../helpers/fixture.js";

const CITIES = ["贵阳市", "遵义市", "安顺市", "六盘水市"];

describe("the egress gate decides from the ledger, end to end", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  const tok: Record<string, string> = {};
  const ids: string[] = [];
  const model = (name: string, sql: string) => {
    const f = join(env.dir, "..", `${name}.js`);
    writeFileSync(f, `export default async (ctx) => ({ tables: { ${name}: (await ctx.query(${JSON.stringify(sql)})).columns } });`);
    return f;
  };
  /** Runs the model as `who`; the owner's accounting run and staging give each table its mark, which must be `kind`. */
  async function run(who: string, scenario: string, file: string, kind: string) {
    const job = await as(env.dir, tok[who], (s) => submitJob(s, { scenario, model: file }));
    expect(job.state, JSON.stringify(job.error)).toBe("succeeded");
    const parts = await as(env.dir, env.adminToken, (s) => stagedParts(s, job.id));
    expect(parts.filter((p) => p.kind === "table").map((p) => p.mark?.kind ?? "computed")).toEqual([kind]);
    return job.id;
  }
  const blockRules = (e: { findings: { rule: string; severity: string }[] }) => e.findings.filter((f) => f.severity === "block").map((f) => f.rule);

  beforeAll(async () => {
    env = await newDomain();
    const a = env.adminToken;
    await as(env.dir, a, (s) => addOrg(s, { id: "prov", name: "统计局", kind: "provider" }));
    await as(env.dir, a, (s) => addOrg(s, { id: "devA", name: "甲公司", kind: "developer" }));
    await as(env.dir, a, (s) => addOrg(s, { id: "devB", name: "乙公司", kind: "developer" }));
    tok.a = (await as(env.dir, a, (s) => addAccount(s, { id: "ua", name: "张三", org: "devA", roles: ["developer"] }))).token;
    tok.b = (await as(env.dir, a, (s) => addAccount(s, { id: "ub", name: "李四", org: "devB", roles: ["developer"] }))).token;
    tok.prov = (await as(env.dir, a, (s) => addAccount(s, { id: "p1", name: "王一", org: "prov", roles: ["provider"] }))).token;
    tok.rev = (await as(env.dir, a, (s) => addAccount(s, { id: "r1", name: "赵一", org: "operator", roles: ["reviewer"] }))).token;
    const rng = createRng(17);
    const lines = ["name,id_number,city,age,income"];
    for (let i = 0; i < 1200; i++) {
      const id = fakeResidentId(rng);
      ids.push(id);
      lines.push([fakePersonName(rng), id, CITIES[i % 4], 20 + (i % 50), 3000 + ((i * 7919) % 20000) + 0.123456789].join(","));
    }
    const csv = join(env.dir, "..", "people.csv");
    writeFileSync(csv, lines.join("\n") + "\n");
    await as(env.dir, a, (s) => ingestDataset(s, { id: "people", file: csv, provider: "prov", grade: 2, subject: ["id_number"] }));
    for (const [org, who, sc] of [["devA", "a", "sa"], ["devB", "b", "sb"]] as const) {
      await as(env.dir, a, (s) => addAgreement(s, { org, datasets: ["people"], start: "2026-01-01", end: "2028-01-01" }));
      await as(env.dir, tok[who], (s) => submitScenario(s, { id: sc, purpose: "按城市统计收入水平以支持就业政策研究", grants: ["people:city,age,income,id_number"] }));
      await as(env.dir, a, (s) => approveScenario(s, sc));
      await as(env.dir, tok.prov, (s) => approveScenario(s, sc));
    }
  }, 240_000);
  afterAll(async () => {
    await closeSharedPool();
    env.cleanup();
  });

  it("R6: the JS-model group-by by city passes with no block and is released in canonical order with 6 significant digits", async () => {
    const job = await run("a", "sa", model("by_city", "SELECT city, count(*) AS n, avg(income) AS mean_income FROM people GROUP BY city ORDER BY mean_income DESC"), "accounted-aggregate");
    const e = await as(env.dir, tok.a, (s) => requestEgress(s, { job: job, form: "dataset" }));
    expect(e.findings.filter((f) => f.severity === "block")).toEqual([]);
    expect(e.desensitization[0].mark).toBe("accounted-aggregate");
    const released = await as(env.dir, tok.rev, (s) => reviewEgress(s, e.id, "approve", "单元格充足"));
    expect(released.state).toBe("released");
    const files = new Map(unpackTar(readFileSync(released.package!)).map((f) => [f.name, Buffer.from(f.data).toString("utf8")]));
    expect(JSON.parse(files.get("manifest.json")!).canonical).toMatchObject({ floatSignificantDigits: 6 });
    const csv = files.get("data/by_city.csv")!.trim().split("\n");
    const cities = csv.slice(1).map((l) => l.split(",")[0]);
    expect(cities).toEqual([...cities].sort());
    for (const l of csv.slice(1)) expect(l.split(",")[2].replace(/^-|\./g, "").replace(/^0+/, "").length).toBeLessThanOrEqual(6);
  });

  it("R1: another organisation's release that differs by one person is blocked, whatever it is named", async () => {
    // Person 5 is left out by their unique income (identifiers may only be compared for equality).
    const x = 3000 + ((5 * 7919) % 20000) + 0.123456789;
    const file = model("by_city", `SELECT city, count(*) AS n, avg(income) AS mean_income FROM people WHERE income < ${x - 0.001} OR income > ${x + 0.001} GROUP BY city`);
    const job = await run("b", "sb", file, "accounted-aggregate");
    const e = await as(env.dir, tok.b, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    const d = e.findings.find((f) => f.rule === "differencing" && f.severity === "block");
    expect(d?.detail).toMatch(/devA/);
    expect(e.findings[0].severity).toBe("block");
  });

  it("R1: the same person left out by a FILTER or CASE inside the aggregate (every row kept) is differenced against the earlier release too", async () => {
    const x = 3000 + ((5 * 7919) % 20000) + 0.123456789;
    const out = `income BETWEEN ${x - 0.001} AND ${x + 0.001}`;
    for (const sql of [
      `SELECT city, count(*) FILTER (WHERE NOT (${out})) AS n, avg(income) FILTER (WHERE NOT (${out})) AS mean_income FROM people GROUP BY city`,
      `SELECT city, avg(CASE WHEN ${out} THEN NULL ELSE income END) AS mean_income, count(*) AS n FROM people GROUP BY city`,
    ]) {
      const job = await run("b", "sb", model("by_city", sql), "accounted-aggregate");
      const e = await as(env.dir, tok.b, (s) => requestEgress(s, { job, form: "dataset" }));
      const d = e.findings.find((f) => f.rule === "differencing" && f.severity === "block");
      expect(d?.detail, `${sql}: ${JSON.stringify(e.findings.filter((f) => f.severity !== "pass"))}`).toMatch(/devA/);
    }
  });

  it("R1: small cells are blocked by their subject counts; suppress-small clears them and the re-check passes", async () => {
    const file = model("by_age", "SELECT city, CASE WHEN age >= 69 AND income < 6000 THEN 'old' ELSE 'other' END AS band, count(*) AS n FROM people WHERE age >= 60 OR age < 25 GROUP BY ALL");
    const j1 = await run("a", "sa", file, "accounted-aggregate");
    const blocked = await as(env.dir, tok.a, (s) => requestEgress(s, { job: j1, form: "dataset" }));
    expect(blocked.findings.some((f) => f.rule === "cell-subjects" && f.severity === "block" && f.remedy?.apply?.includes("suppress-small"))).toBe(true);
    const j2 = await run("a", "sa", file, "accounted-aggregate");
    const fixed = await as(env.dir, tok.a, (s) => requestEgress(s, { job: j2, form: "dataset", remedies: ["suppress-small", "round5"] }));
    expect(fixed.findings.filter((f) => f.severity === "block")).toEqual([]);
    expect(fixed.desensitization[0].remedies?.find((r) => r.remedy === "suppress-small")?.primary).toBeGreaterThan(0);
  });

  it("R1: a conditional cell of a few contributors is blocked; suppress-small blanks those cells only (and partners on their lines), and the re-check passes", async () => {
    // count_if over the rich 23-year-olds: a handful per city inside cells of hundreds.
    const file = model("cond_few", "SELECT city, count(*) AS n, count_if(age = 23 AND income > 20000) AS rich23, avg(income) AS m FROM people GROUP BY city");
    const j1 = await run("a", "sa", file, "accounted-aggregate");
    const blocked = await as(env.dir, tok.a, (s) => requestEgress(s, { job: j1, form: "dataset" }));
    const f = blocked.findings.find((x) => x.rule === "contributors" && x.severity === "block");
    expect(f?.remedy?.apply).toContain("suppress-small");
    const j2 = await run("a", "sa", file, "accounted-aggregate");
    const fixed = await as(env.dir, tok.a, (s) => requestEgress(s, { job: j2, form: "dataset", remedies: ["suppress-small"] }));
    expect(fixed.findings.filter((x) => x.severity === "block")).toEqual([]);
    const r = fixed.desensitization[0].remedies?.find((x) => x.remedy === "suppress-small");
    expect(r?.primary).toBeGreaterThan(0);
    // Whole rows were not blanked: every city still counts hundreds of subjects, so no row was small.
    expect(fixed.findings.some((x) => x.rule === "cell-subjects" && x.severity !== "pass")).toBe(false);
  });

  it("R1: a table computed by the model is blocked, and the developer sees how to release it", async () => {
    const f = join(env.dir, "..", "computed.js");
    writeFileSync(f, `export default async (ctx) => {
      const r = await ctx.query("SELECT city, income FROM people");
      const sums = {};
      r.columns.city.forEach((c, i) => { sums[c] = (sums[c] ?? 0) + r.columns.income[i]; });
      return { tables: { means: { city: Object.keys(sums), total: Object.values(sums) } } };
    };`);
    const job = await run("a", "sa", f, "computed");
    const e = await as(env.dir, tok.a, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    expect(blockRules(e)).toContain("computed-table");
    const shown = await as(env.dir, tok.a, (s) => showEgress(s, e.id));
    const c = shown.findings.find((x) => x.rule === "computed-table")!;
    expect(c.detail).toMatch(/ctx\.query/);
    expect(c.zh).toMatch(/ctx\.query/);
  });

  /** A model that returns the accounted group-by with `edit` applied to its columns (JS over arrays `c`). */
  const edited = (name: string, edit: string) => {
    const f = join(env.dir, "..", `${name}.js`);
    writeFileSync(f, `export default async (ctx) => {
      const c = (await ctx.query("SELECT city, count(*) AS n, avg(income) AS mean_income FROM people GROUP BY city")).columns;
      ${edit}
      return { tables: { ${name}: c } };
    };`);
    return f;
  };

  it("R1: forged counts (one cell off by one) are not the ledger's: computed, blocked", async () => {
    const job = await run("a", "sa", edited("forged", "c.n = Array.from(c.n, (v, i) => (i === 0 ? Number(v) + 1 : Number(v)));"), "computed");
    const e = await as(env.dir, tok.a, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    expect(blockRules(e)).toContain("computed-table");
  });

  it("R1: a duplicated row finds no second ledger row: computed, blocked", async () => {
    const job = await run("a", "sa", edited("dup", "for (const k of Object.keys(c)) c[k] = [...Array.from(c[k]), c[k][0]];"), "computed");
    const e = await as(env.dir, tok.a, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    expect(blockRules(e)).toContain("computed-table");
  });

  it("R1: a record-level column with one value per person is identifier-equivalent and blocked", async () => {
    const job = await run("a", "sa", model("incomes", "SELECT city, income FROM people"), "accounted-rows");
    const e = await as(env.dir, tok.a, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    expect(blockRules(e)).toContain("identifier-equivalent");
  });
});

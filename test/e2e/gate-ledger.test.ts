/**
 * The gate through real jobs (model → job → egress request → verdict → release), with the
 * job's query accounted by hand until the ledger branch lands (test/helpers/hand-ledger.ts):
 * the JS-model group-by by city passes and is released in canonical order with rounded floats;
 * a second organisation's release differing by one person is blocked; small cells are blocked
 * and the suppress-small remedy clears them; a table computed by code is blocked with the way out.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress, reviewEgress, showEgress } from "../../runtime/services/egress.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { readFileSync } from "node:fs";
import { unpackTar } from "../../runtime/egress/tar.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { as, newDomain } from "../helpers/fixture.js";
import { accountByHand, type HandAggregate } from "../helpers/hand-ledger.js";

const CITIES = ["贵阳市", "遵义市", "安顺市", "六盘水市"];
const Q = (column: string) => ({ dataset: "people", column, role: "quasi" });

describe("the egress gate decides from the ledger, end to end", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  const tok: Record<string, string> = {};
  const ids: string[] = [];
  const model = (name: string, sql: string) => {
    const f = join(env.dir, "..", `${name}.js`);
    writeFileSync(f, `export default async (ctx) => ({ tables: { ${name}: (await ctx.query(${JSON.stringify(sql)})).columns } });`);
    return f;
  };
  async function run(who: string, scenario: string, file: string, spec?: HandAggregate & { part: string }) {
    const job = await as(env.dir, tok[who], (s) => submitJob(s, { scenario, model: file }));
    expect(job.state, JSON.stringify(job.error)).toBe("succeeded");
    if (spec) expect(await as(env.dir, env.adminToken, (s) => accountByHand(s, job.id, spec.part, spec))).toBe("accounted-aggregate");
    return job.id;
  }
  const byCity = (where?: string): HandAggregate & { part: string } => ({
    part: "by_city", dataset: "people", subject: "id_number", where,
    groups: [{ name: "city", expr: "city", source: Q("city") }],
    aggs: [{ name: "n", sql: "count(*)", agg: "count" }, { name: "mean_income", sql: "avg(income)", agg: "avg", value: "income", source: { dataset: "people", column: "income", role: "sensitive" } }],
  });

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
    const job = await run("a", "sa", model("by_city", "SELECT city, count(*) AS n, avg(income) AS mean_income FROM people GROUP BY city ORDER BY mean_income DESC"), byCity());
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
    const file = model("by_city", "SELECT city, count(*) AS n, avg(income) AS mean_income FROM people WHERE id_number <> '" + ids[5] + "' GROUP BY city");
    const job = await run("b", "sb", file, byCity(`id_number <> '${ids[5]}'`));
    const e = await as(env.dir, tok.b, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    const d = e.findings.find((f) => f.rule === "differencing" && f.severity === "block");
    expect(d?.detail).toMatch(/devA/);
    expect(e.findings[0].severity).toBe("block");
  });

  it("R1: small cells are blocked by their subject counts; suppress-small clears them and the re-check passes", async () => {
    const spec: HandAggregate & { part: string } = {
      part: "by_age", dataset: "people", subject: "id_number", where: "age >= 60 OR age < 25",
      groups: [{ name: "city", expr: "city", source: Q("city") }, { name: "band", expr: "CASE WHEN age >= 69 AND income < 6000 THEN 'old' ELSE 'other' END", source: Q("age") }],
      aggs: [{ name: "n", sql: "count(*)", agg: "count" }],
    };
    const file = model("by_age", "SELECT city, CASE WHEN age >= 69 AND income < 6000 THEN 'old' ELSE 'other' END AS band, count(*) AS n FROM people WHERE age >= 60 OR age < 25 GROUP BY ALL");
    const j1 = await run("a", "sa", file, spec);
    const blocked = await as(env.dir, tok.a, (s) => requestEgress(s, { job: j1, form: "dataset" }));
    expect(blocked.findings.some((f) => f.rule === "cell-subjects" && f.severity === "block" && f.remedy?.apply?.includes("suppress-small"))).toBe(true);
    const j2 = await run("a", "sa", file, spec);
    const fixed = await as(env.dir, tok.a, (s) => requestEgress(s, { job: j2, form: "dataset", remedies: ["suppress-small", "round5"] }));
    expect(fixed.findings.filter((f) => f.severity === "block")).toEqual([]);
    expect(fixed.desensitization[0].remedies?.find((r) => r.remedy === "suppress-small")?.primary).toBeGreaterThan(0);
  });

  it("R1: a table computed by the model is blocked, and the developer sees how to release it", async () => {
    const f = join(env.dir, "..", "computed.js");
    writeFileSync(f, `export default async (ctx) => {
      const r = await ctx.query("SELECT city, income FROM people");
      const sums = {};
      r.columns.city.forEach((c, i) => { sums[c] = (sums[c] ?? 0) + r.columns.income[i]; });
      return { tables: { means: { city: Object.keys(sums), total: Object.values(sums) } } };
    };`);
    const job = await run("a", "sa", f);
    const e = await as(env.dir, tok.a, (s) => requestEgress(s, { job, form: "dataset" }));
    expect(e.state).toBe("blocked");
    const shown = await as(env.dir, tok.a, (s) => showEgress(s, e.id));
    const c = shown.findings.find((x) => x.rule === "computed-table")!;
    expect(c.detail).toMatch(/ctx\.query/);
    expect(c.zh).toMatch(/ctx\.query/);
  });
});

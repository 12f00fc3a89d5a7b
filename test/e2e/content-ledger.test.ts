import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakeResidentId } from "../../policies/pii/fake/index.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { contentWorld } from "./content-world.js";

/**
 * Content checks against the ledger the domain's accounting run writes for real jobs.
 */
describe("content checks trace models and reports to the real ledger", () => {
  let world: Awaited<ReturnType<typeof contentWorld>>;
  beforeAll(async () => {
    const rng = createRng(21);
    const lines = ["id_number,district,age,visits"];
    for (let i = 0; i < 1200; i++) lines.push(`${fakeResidentId(rng)},${["520102", "520103", "520111"][i % 3]},${20 + ((i * 7) % 50)},${1 + (i % 9)}`);
    world = await contentWorld(lines, "people:district,age,visits");
  }, 180_000);
  afterAll(async () => {
    await closeSharedPool();
    world.env.cleanup();
  });
  const egress = (name: string, code: string, form: "report" | "model") => world.egress(name, code, form);

  it("a report quoting accounted counts and rounded means, with a Markdown table of them, gets no content finding", async () => {
    const { e, nonPass } = await egress(
      "rep.js",
      `export default async (ctx) => {
        const r = await ctx.query("SELECT district, count(*) AS n, avg(age) AS mean_age FROM people GROUP BY district ORDER BY district");
        const c = r.columns;
        const prose = Array.from(c.district, (d, i) => d + " 区 " + c.n[i] + " 人，平均年龄 " + Number(c.mean_age[i]).toFixed(1) + " 岁").join("；");
        const table = "| 区县 | 人数 |\\n|---|---|\\n" + Array.from(c.district, (d, i) => "| " + d + " | " + c.n[i] + " |").join("\\n");
        return { report: prose + "。\\n\\n" + table + "\\n" };
      };`,
      "report",
    );
    const content = nonPass.filter((f) => ["text-trace", "embedded-tables", "text-raw-values"].includes(f.rule));
    expect(content, JSON.stringify(content)).toEqual([]);
    expect(e.state).not.toBe("blocked");
  });

  it("a report quoting a conditional count of two people inside a district's cell does not trace (the cell rests on its contributors)", async () => {
    const { nonPass } = await egress(
      "cond.js",
      `export default async (ctx) => {
        const r = await ctx.query("SELECT district, count(*) AS n, count_if(age = 69 AND visits = 9) AS rare FROM people GROUP BY district ORDER BY district");
        const c = r.columns;
        return { report: Array.from(c.district, (d, i) => d + " 区共 " + c.n[i] + " 人，其中 " + c.rare[i] + " 人符合条件").join("；") };
      };`,
      "report",
    );
    const trace = nonPass.find((f) => f.rule === "text-trace");
    expect(trace?.severity, JSON.stringify(nonPass)).toBe("review");
    // the district totals trace (400 people each); only the small conditional counts are named
    expect((trace!.cells ?? []).map((x) => (x as { value: string }).value)).not.toContain("400");
  });

  it("a depth-2 tree whose leaves carry accounted counts and rates passes the model checks", async () => {
    const { nonPass } = await egress(
      "tree.js",
      `export default async (ctx) => {
        const r = await ctx.query("SELECT age >= 45 AS old, district = '520102' AS d1, count(*) AS n, avg(visits) AS mean_visits FROM people GROUP BY ALL ORDER BY ALL");
        const c = r.columns;
        const leaf = (i) => ({ n: Number(c.n[i]), mean_visits: Math.round(Number(c.mean_visits[i]) * 100) / 100 });
        return { model: { type: "tree", depth: 2, split: ["age", 45], left: { split: ["district", "520102"], left: leaf(0), right: leaf(1) }, right: { split: ["district", "520102"], left: leaf(2), right: leaf(3) } } };
      };`,
      "model",
    );
    const model = nonPass.filter((f) => f.rule.startsWith("model-"));
    expect(model, JSON.stringify(model)).toEqual([]);
  });

  it("a model storing one value per subject of a row query is blocked as memorisation", async () => {
    const { e, nonPass } = await egress(
      "mem.js",
      `export default async (ctx) => {
        const r = await ctx.query("SELECT age, visits FROM people WHERE district = '520103'");
        return { model: { type: "embedding", z: Array.from(r.columns.age, (a, i) => a * 1.5 + Number(r.columns.visits[i])) } };
      };`,
      "model",
    );
    expect(e.state).toBe("blocked");
    expect(nonPass.some((f) => f.rule === "model-memorization" && f.severity === "block"), JSON.stringify(nonPass)).toBe(true);
  });
});

/**
 * A representative subset of the table corpora (test/disclosure/table-corpus.ts) through real
 * jobs and the real ledger: each case is a JS model the developer could submit; the owner's
 * accounting run and staging mark its table; the egress request's verdict is the gate's. Attacks
 * must be blocked, analyses must get no block. Misses and false blocks are printed, then asserted 0.
 * (The whole corpus runs on hand-built ledgers in test/disclosure/table-corpora.test.ts.)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress } from "../../runtime/services/egress.js";
import { loadJob, stagedParts, submitJob } from "../../runtime/services/jobs.js";
import { setQuota } from "../../runtime/services/job-policy.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { as, newDomain } from "../helpers/fixture.js";

const CITIES = ["贵阳市", "遵义市", "安顺市", "六盘水市"];
const PEOPLE = (() => {
  const rng = createRng(29);
  const lines = ["name,id_number,city,age,income"];
  for (let i = 0; i < 1200; i++) lines.push([fakePersonName(rng), fakeResidentId(rng), CITIES[i % 4], 20 + (i % 50), 3000 + ((i * 7919) % 20000) + 0.25].join(","));
  return lines;
})();
/** The attacker knows these people's resident IDs (a neighbour, a customer list) and looks them up. */
const [KNOWN, KNOWN2] = [PEOPLE[7]!.split(",")[1]!, PEOPLE[8]!.split(",")[1]!];
/** JS body returning `{ tables: { t: … } }`; `q(sql)` is the columns of ctx.query(sql). */
interface Case { name: string; body: string; rules?: string[] }
const sql = (s: string) => `return { tables: { t: (await ctx.query(${JSON.stringify(s)})).columns } };`;
const BY_CITY = "SELECT city, count(*) AS n, avg(income) AS mean_income FROM people GROUP BY city";

/** A condition that holds for one person of the 1,200 (age 23, the highest incomes): the attacker's filter inside a big cell. */
const ONE = "(age = 23 AND income > 22000)";
const ATTACKS: Case[] = [
  { name: "conditional sum singles one person out of a city's cell", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, sum(CASE WHEN ${ONE} THEN income ELSE 0 END) AS s FROM people GROUP BY city`) },
  { name: "mean over NULLs: one person's income inside a city's cell", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, avg(CASE WHEN ${ONE} THEN income END) AS m FROM people GROUP BY city`) },
  { name: "sum with FILTER on one person", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, sum(income) FILTER (WHERE ${ONE}) AS m FROM people GROUP BY city`) },
  { name: "count_if of one person beside a big count", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, count_if(${ONE}) AS m FROM people GROUP BY city`) },
  { name: "weights that single one person out (everyone contributes)", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, sum(income * pow(10, 100 * (${ONE})::INT)) AS m FROM people GROUP BY city`) },
  { name: "negative weights that single one person out", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, sum(income * -pow(10, 100 * (${ONE})::INT)) AS m FROM people GROUP BY city`) },
  { name: "a mean weighted onto one person", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, avg(income * pow(10, 50 * (${ONE})::INT)) AS m FROM people GROUP BY city`) },
  { name: "every income of a city listed in one cell", rules: ["value-lists"], body: sql("SELECT city, list(income) AS l FROM people GROUP BY city") },
  { name: "every income of a city joined into one string", rules: ["value-lists"], body: sql("SELECT city, string_agg(CAST(income AS VARCHAR), ',') AS l FROM people GROUP BY city") },
  { name: "a histogram of incomes per city (buckets of one)", rules: ["value-lists"], body: sql("SELECT city, histogram(income) AS h FROM people GROUP BY city") },
  { name: "a person left out by FILTER beside the whole", rules: ["differencing"], body: `const a = (await ctx.query("SELECT city, count(*) AS n, sum(income) AS s FROM people GROUP BY city")).columns; const b = (await ctx.query(\`SELECT city, count(*) AS n, sum(income) FILTER (WHERE NOT ${ONE}) AS s FROM people GROUP BY city\`)).columns; return { tables: { a, b } };` },
  { name: "a person left out by CASE beside the whole", rules: ["differencing"], body: `const a = (await ctx.query("SELECT city, sum(income) AS s FROM people GROUP BY city")).columns; const b = (await ctx.query(\`SELECT city, sum(CASE WHEN ${ONE} THEN 0 ELSE income END) AS s FROM people GROUP BY city\`)).columns; return { tables: { a, b } };` },
  { name: "a person left out of one column beside the whole in the same row", rules: ["differencing"], body: sql(`SELECT city, sum(income) AS s, sum(income) FILTER (WHERE NOT ${ONE}) AS s2 FROM people GROUP BY city`) },
  { name: "a ratio hiding the person left out", rules: ["differencing"], body: sql(`SELECT city, sum(income) AS s, sum(CASE WHEN ${ONE} THEN 0 ELSE income END) / sum(income) AS r FROM people GROUP BY city`) },
  { name: "a ratio of one person's FILTERed income", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, sum(income) FILTER (WHERE ${ONE}) / count(*) AS r FROM people GROUP BY city`) },
  { name: "a spread over two people picked by CASE", rules: ["contributors"], body: sql(`SELECT city, count(*) AS n, stddev(CASE WHEN ${ONE} OR (age = 24 AND income > 22000) THEN income END) AS r FROM people GROUP BY city`) },
  { name: "the condition moved into a CTE column", rules: ["differencing"], body: sql(`WITH v AS (SELECT city, CASE WHEN ${ONE} THEN NULL ELSE income END AS inc FROM people) SELECT city, sum(inc) AS s, count(*) AS n FROM v GROUP BY city`) },
  { name: "a sorted list of ages and incomes per city", rules: ["value-lists"], body: sql("SELECT city, list_sort(list(income)) AS l, count(*) AS n FROM people GROUP BY city") },
  { name: "cells of one or two people (rich incomes by age)", rules: ["cell-subjects"], body: sql("SELECT age, count(*) AS n FROM people WHERE income > 22500 GROUP BY age") },
  { name: "city × age cells of the rich (one or two people each)", rules: ["cell-subjects"], body: sql("SELECT city, age, count(*) AS n, avg(income) AS m FROM people WHERE income > 22000 GROUP BY city, age") },
  { name: "forged count (one cell + 1)", rules: ["computed-table"], body: `const c = (await ctx.query(${JSON.stringify(BY_CITY)})).columns; c.n = Array.from(c.n, (v, i) => (i ? Number(v) : Number(v) + 1)); return { tables: { t: c } };` },
  { name: "duplicated row", rules: ["computed-table"], body: `const c = (await ctx.query(${JSON.stringify(BY_CITY)})).columns; for (const k of Object.keys(c)) c[k] = [...Array.from(c[k]), c[k][0]]; return { tables: { t: c } };` },
  { name: "rows of two queries stitched together", rules: ["computed-table"], body: `const a = (await ctx.query("SELECT city, count(*) AS n FROM people GROUP BY city")).columns; const b = (await ctx.query("SELECT city, avg(income) AS m FROM people GROUP BY city")).columns; return { tables: { t: { city: a.city, n: a.n, m: b.m } } };` },
  { name: "sums computed in JS", rules: ["computed-table"], body: `const r = (await ctx.query("SELECT city, income FROM people")).columns; const s = {}; r.city.forEach((c, i) => { s[c] = (s[c] ?? 0) + r.income[i]; }); return { tables: { t: { city: Object.keys(s), total: Object.values(s) } } };` },
  { name: "record-level incomes (one value per person)", rules: ["identifier-equivalent", "k-anonymity"], body: sql("SELECT city, income FROM people") },
  { name: "record-level age and income band", rules: ["identifier-equivalent", "k-anonymity", "l-diversity"], body: sql("SELECT city, age, income FROM people WHERE age < 22") },
  // Everyone contributes, so no condition narrows the cell, and no share dominates: the others' constant is undone by the count.
  { name: "one person's income among a constant everyone else adds", rules: ["near-constant"], body: sql(`SELECT city, count(*) AS n, sum(CASE WHEN ${ONE} THEN income ELSE 100 END) AS s FROM people GROUP BY city`) },
  { name: "a mean of one person's income among a constant", rules: ["near-constant"], body: sql(`SELECT city, count(*) AS n, avg(CASE WHEN ${ONE} THEN income ELSE 5000 END) AS m FROM people GROUP BY city`) },
  { name: "one person's income among a negative constant, in a CTE column", rules: ["near-constant"], body: sql(`WITH v AS (SELECT city, CASE WHEN ${ONE} THEN income ELSE -7 END AS x FROM people) SELECT city, count(*) AS n, sum(x) AS s FROM v GROUP BY city`) },
  // Two constants split by a condition whose counts are released beside the cell: the counts undo both.
  { name: "one person's income among ±30,000 split by a condition counted beside it", rules: ["near-constant"], body: sql(`SELECT city, count(*) AS n, count_if(income > 13000) AS hi, sum(CASE WHEN ${ONE} THEN income WHEN income > 13000 THEN 30000 ELSE -30000 END) AS s FROM people GROUP BY city`) },
  { name: "one person's income among 1s and 0s (the count of 1s released another day)", rules: ["near-constant"], body: sql(`SELECT city, count(*) AS n, sum(CASE WHEN ${ONE} THEN income WHEN age > 45 THEN 1 ELSE 0 END) AS s FROM people GROUP BY city`) },
  // ±c split by a condition that roughly halves each city cancel to little: the cell is the person's income give or take a few c.
  { name: "one person's income among contributions that cancel", rules: ["cancellation"], body: sql(`SELECT city, count(*) AS n, sum(CASE WHEN ${ONE} THEN income WHEN age % 4 < 2 THEN 100 ELSE -100 END) AS s FROM people GROUP BY city`) },
  { name: "two people's incomes among contributions that cancel, in a CTE column", rules: ["cancellation"], body: sql(`WITH v AS (SELECT city, CASE WHEN ${ONE} AND city = '遵义市' THEN income WHEN income > 13000 THEN 500 ELSE -500 END AS x FROM people) SELECT city, count(*) AS n, sum(x) AS s FROM v GROUP BY city`) },
];

/**
 * Lookups of known people: an identifier may appear in an equality filter or join (so the
 * analyst can restrict to a cohort), so each of these must end as a refusal at job time or a
 * block at the gate, from the subjects the domain counted, never from the shape of the query.
 */
const LOOKUPS: Case[] = [
  { name: "one known person's income, as a row", body: sql(`SELECT income FROM people WHERE id_number = '${KNOWN}'`) },
  { name: "one known person's income, as an aggregate", body: sql(`SELECT avg(income) AS m, count(*) AS n FROM people WHERE id_number = '${KNOWN}'`) },
  { name: "two known people's incomes in one cell", body: sql(`SELECT sum(income) AS s FROM people WHERE id_number IN ('${KNOWN}', '${KNOWN2}')`) },
  { name: "known people joined from an inline list", body: sql(`SELECT p.city, p.income FROM people p JOIN (VALUES ('${KNOWN}'), ('${KNOWN2}')) AS v(x) ON p.id_number = v.x`) },
  { name: "a cohort with its mean but the known person left out, beside the whole", body: `const a = (await ctx.query("SELECT sum(income) AS s, count(*) AS n FROM people")).columns; const b = (await ctx.query(${JSON.stringify(`SELECT sum(income) AS s, count(*) AS n FROM people WHERE id_number <> '${KNOWN}'`)})).columns; return { tables: { all: a, rest: b } };` },
  { name: "the known person's city cell beside the city without them", body: `const a = (await ctx.query("SELECT city, sum(income) AS s FROM people GROUP BY city")).columns; const b = (await ctx.query(${JSON.stringify(`SELECT city, sum(income) AS s FROM people WHERE id_number NOT IN ('${KNOWN}') GROUP BY city`)})).columns; return { tables: { all: a, rest: b } };` },
  { name: "a one-bit oracle: everyone counted when the known person earns over 12,000", body: sql(`SELECT count(*) AS n FROM people WHERE (SELECT income FROM people WHERE id_number = '${KNOWN}') > 12000`) },
  { name: "the known person's city picked out by an IN subquery", body: sql(`SELECT city, count(*) AS n FROM people WHERE city IN (SELECT city FROM people WHERE id_number = '${KNOWN}') GROUP BY city`) },
  { name: "a known person's income bound into an accounted aggregate's select list", body: `const r = (await ctx.query(${JSON.stringify(`SELECT income, age FROM people WHERE id_number = '${KNOWN}'`)})).columns; return { tables: { t: (await ctx.query("SELECT city, count(*) AS n, avg(income) + $1 - avg(income) AS x FROM people GROUP BY city", [r.income[0]])).columns } };` },
  { name: "a known person's income as a literal in an accounted aggregate", body: `const r = (await ctx.query(${JSON.stringify(`SELECT income FROM people WHERE id_number = '${KNOWN}'`)})).columns; return { tables: { t: (await ctx.query("SELECT city, count(*) AS n, sum(income * 0 + " + r.income[0] + ") / count(*) AS x FROM people GROUP BY city")).columns } };` },
  { name: "a known person's age as a constant column of a row selection", body: `const r = (await ctx.query(${JSON.stringify(`SELECT age FROM people WHERE id_number = '${KNOWN}'`)})).columns; return { tables: { t: (await ctx.query("SELECT city, $1::INTEGER AS a FROM people", [r.age[0]])).columns } };` },
  { name: "a known person's income used as a filter bound", body: sql(`SELECT count(*) AS n FROM people WHERE income > (SELECT income FROM people WHERE id_number = '${KNOWN}')`) },
];

const LEGIT: Case[] = [
  { name: "count and mean income by city", body: sql(BY_CITY) },
  { name: "people per age", body: sql("SELECT age, count(*) AS n FROM people GROUP BY age") },
  { name: "distinct people per city", body: sql("SELECT city, count(DISTINCT id_number) AS people FROM people GROUP BY city") },
  { name: "total and spread of income by city", body: sql("SELECT city, sum(income) AS total, stddev_samp(income) AS sd FROM people GROUP BY city") },
  { name: "one overall row", body: sql("SELECT count(*) AS n, avg(age) AS mean_age FROM people") },
  { name: "age band by city", body: sql("SELECT city, age >= 45 AS older, count(*) AS n FROM people GROUP BY ALL") },
  { name: "the cities, one row per person", body: sql("SELECT city FROM people") },
  { name: "shares of people by city against a total written in the code", body: sql("SELECT city, round(100.0 * count(*) / 1200, 1) AS pct FROM people GROUP BY city") },
  { name: "counts below age bands looped over in the code", body: `const out = { band: [], n: [] }; const t = []; for (const band of [30, 40, 50]) t.push(await ctx.query(\`SELECT \${band} AS band, count(*) AS n FROM people WHERE age < \${band}\`)); return { tables: Object.fromEntries(t.map((r, i) => ["b" + i, r.columns])) };` },
  { name: "people above the overall mean income, by city", body: sql("SELECT city, count(*) AS n FROM people WHERE income > (SELECT avg(income) FROM people) GROUP BY city") },
  // single-subject reviews a maximum at grade 2 and lets a measure's through; either way no block.
  { name: "mean income of the over-45s by city (CASE inside avg)", body: sql("SELECT city, count(*) AS n, avg(CASE WHEN age > 45 THEN income END) AS m FROM people GROUP BY city") },
  { name: "income of the over-45s by city (FILTER)", body: sql("SELECT city, sum(income) FILTER (WHERE age > 45) AS s, count(*) AS n FROM people GROUP BY city") },
  { name: "older people counted with count_if beside the total", body: sql("SELECT city, count(*) AS n, count_if(age >= 45) AS older FROM people GROUP BY city") },
  { name: "share of income earned by the over-45s", body: sql("SELECT city, sum(CASE WHEN age > 45 THEN income ELSE 0 END) / sum(income) AS share FROM people GROUP BY city") },
  { name: "a mean that is empty for three cities (NULL cells, JS model)", body: `return { tables: { t: (await ctx.query("SELECT city, count(*) AS n, avg(CASE WHEN city = '贵阳市' THEN income END) AS m FROM people GROUP BY city")).columns } };` },
  { name: "highest income by city (income is a measure)", body: sql("SELECT city, max(income) AS top FROM people GROUP BY city") },
  // Signed contributions that cancel in part, and measures with few values: what the new rules must not touch.
  { name: "mean gap to a reference income by city (signed)", body: sql("SELECT city, count(*) AS n, avg(income - 13000) AS gap, sum(income - 13000) AS total_gap FROM people GROUP BY city") },
  { name: "net gap to a mean written in the code (cancels to about 0)", body: sql("SELECT city, count(*) AS n, sum(income - 12990) AS net, avg(abs(income - 12990)) AS mad FROM people GROUP BY city") },
  { name: "a net count of ±1 (above minus below the median income) by city", body: sql("SELECT city, count(*) AS n, sum(CASE WHEN income > 13000 THEN 1 ELSE -1 END) AS net FROM people GROUP BY city") },
  { name: "share of over-45s as a mean of a 0/1 flag", body: sql("SELECT city, count(*) AS n, avg(CASE WHEN age > 45 THEN 1 ELSE 0 END) AS share FROM people GROUP BY city") },
  // What a statistician writes first: shares by window, crosstabs, bins, correlations, regressions, quantiles, tree leaves.
  { name: "percentages by city through a window over the groups", body: sql("SELECT city, count(*) AS n, 100.0 * count(*) / sum(count(*)) OVER () AS pct FROM people GROUP BY city") },
  { name: "share of older people within each city (window partition)", body: sql("SELECT city, age >= 45 AS older, count(*) AS n, count(*) * 1.0 / sum(count(*)) OVER (PARTITION BY city) AS share FROM people GROUP BY city, older") },
  { name: "crosstab of city by age decade", body: sql("SELECT city, age // 10 * 10 AS decade, count(*) AS n FROM people GROUP BY ALL") },
  { name: "income histogram in bins of 5,000", body: sql("SELECT floor(income / 5000) * 5000 AS bin, count(*) AS n FROM people GROUP BY bin") },
  { name: "correlation of age and income, overall and by city", body: sql("SELECT city, count(*) AS n, corr(age, income) AS r FROM people GROUP BY city") },
  { name: "a linear regression of income on age by city", body: sql("SELECT city, count(*) AS n, regr_slope(income, age) AS slope, regr_intercept(income, age) AS intercept, regr_r2(income, age) AS r2 FROM people GROUP BY city") },
  { name: "median and quartiles of income by city", body: sql("SELECT city, count(*) AS n, median(income) AS med, quantile_cont(income, 0.25) AS q1, quantile_cont(income, 0.75) AS q3 FROM people GROUP BY city") },
  { name: "counts rounded to 5 in SQL, named anything", body: sql("SELECT city AS income, round(count(*) / 5) * 5 AS id_number FROM people GROUP BY city") },
  { name: "decision-tree leaves: counts and rates per leaf", body: sql("SELECT age >= 45 AS older, income > 13000 AS high, count(*) AS n, avg(income) AS mean_income, avg(CASE WHEN city = '贵阳市' THEN 1.0 ELSE 0.0 END) AS rate FROM people GROUP BY ALL") },
  { name: "variance and spread by city", body: sql("SELECT city, count(*) AS n, var_samp(income) AS v, stddev_pop(age) AS sd_age, min(age) AS youngest, max(age) AS oldest FROM people GROUP BY city") },
  { name: "a score with a handful of values, summed and averaged", body: sql("SELECT city, count(*) AS n, sum(age // 10) AS s, avg(age // 10) AS m FROM people GROUP BY city") },
];

describe("table corpora end to end: real jobs, real ledger, the gate's verdict (issue 11)", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let dev = "";

  async function verdict(c: Case, i: number): Promise<{ blocks: string[]; mark: string }> {
    const f = join(env.dir, "..", `case${i}.js`);
    writeFileSync(f, `export default async (ctx) => { ${c.body} };`);
    const job = await as(env.dir, dev, (s) => submitJob(s, { scenario: "sa", model: f }));
    if (job.state !== "succeeded") {
      const row = await as(env.dir, env.adminToken, (s) => loadJob(s, job.id));
      expect.fail(`${c.name}: ${job.state} ${JSON.stringify(row).slice(0, 1500)}`);
    }
    const parts = await as(env.dir, env.adminToken, (s) => stagedParts(s, job.id));
    const e = await as(env.dir, dev, (s) => requestEgress(s, { job: job.id, form: "dataset" }));
    return { blocks: e.findings.filter((x) => x.severity === "block").map((x) => x.rule), mark: parts.find((p) => p.kind === "table")?.mark?.kind ?? "computed" };
  }

  beforeAll(async () => {
    env = await newDomain();
    const a = env.adminToken;
    await as(env.dir, a, (s) => addOrg(s, { id: "prov", name: "统计局", kind: "provider" }));
    await as(env.dir, a, (s) => addOrg(s, { id: "devA", name: "甲公司", kind: "developer" }));
    dev = (await as(env.dir, a, (s) => addAccount(s, { id: "ua", name: "张三", org: "devA", roles: ["developer"] }))).token;
    const prov = (await as(env.dir, a, (s) => addAccount(s, { id: "p1", name: "王一", org: "prov", roles: ["provider"] }))).token;
    const csv = join(env.dir, "..", "people.csv");
    writeFileSync(csv, PEOPLE.join("\n") + "\n");
    await as(env.dir, a, (s) => ingestDataset(s, { id: "people", file: csv, provider: "prov", grade: 2, subject: ["id_number"] }));
    await as(env.dir, a, (s) => addAgreement(s, { org: "devA", datasets: ["people"], start: "2026-01-01", end: "2028-01-01" }));
    await as(env.dir, dev, (s) => submitScenario(s, { id: "sa", purpose: "按城市统计收入水平以支持就业政策研究", grants: ["people:city,age,income,id_number"] }));
    await as(env.dir, a, (s) => approveScenario(s, "sa"));
    await as(env.dir, prov, (s) => approveScenario(s, "sa"));
    // Every case is one raw job of one account: more than the default day's quota.
    await as(env.dir, a, (s) => setQuota(s, { account: "ua", rawJobsPerDay: 1000 }));
  }, 240_000);
  afterAll(async () => {
    await closeSharedPool();
    env.cleanup();
  });

  it(`R1: ${ATTACKS.length} attacks through real jobs are blocked, each by a rule meant to catch it`, async () => {
    const misses: string[] = [];
    const wrongRule: string[] = [];
    for (const [i, c] of ATTACKS.entries()) {
      const v = await verdict(c, i);
      if (v.blocks.length === 0) misses.push(`${c.name} (${v.mark})`);
      else if (c.rules && !v.blocks.some((b) => c.rules!.includes(b))) wrongRule.push(`${c.name} (${v.mark}): ${v.blocks.join(",")}`);
    }
    console.log(`end-to-end attack subset: ${ATTACKS.length} cases, ${misses.length} missed, ${wrongRule.length} blocked by an unexpected rule`, misses, wrongRule);
    expect(misses).toEqual([]);
    expect(wrongRule).toEqual([]);
  }, 600_000);

  it(`R1: ${LOOKUPS.length} lookups of known identifiers are refused at job time or blocked`, async () => {
    const misses: string[] = [];
    for (const [i, c] of LOOKUPS.entries()) {
      const f = join(env.dir, "..", `lookup${i}.js`);
      writeFileSync(f, `export default async (ctx) => { ${c.body} };`);
      const job = await as(env.dir, dev, (s) => submitJob(s, { scenario: "sa", model: f }));
      if (job.state !== "succeeded") {
        // A refusal must be the SQL guard's, not a crash of ours (the developer sees only the outcome of a raw job).
        const row = await as(env.dir, env.adminToken, (s) => loadJob(s, job.id));
        expect(JSON.stringify(row), c.name).toMatch(/SQL_DENIED/);
        continue;
      }
      const e = await as(env.dir, dev, (s) => requestEgress(s, { job: job.id, form: "dataset" }));
      const blocks = e.findings.filter((x) => x.severity === "block").map((x) => x.rule);
      if (blocks.length === 0) misses.push(`${c.name}: ${e.findings.map((x) => `${x.rule}/${x.severity}`).join(",") || "no findings"}`);
    }
    console.log(`known-identifier lookups: ${LOOKUPS.length} cases, ${misses.length} missed`, misses);
    expect(misses).toEqual([]);
  }, 600_000);

  it(`R6: ${LEGIT.length} legitimate analyses through real jobs get no block finding`, async () => {
    const falseBlocks: string[] = [];
    for (const [i, c] of LEGIT.entries()) {
      const v = await verdict(c, 100 + i);
      if (v.blocks.length > 0) falseBlocks.push(`${c.name} (${v.mark}): ${v.blocks.join(",")}`);
    }
    console.log(`end-to-end legitimate subset: ${LEGIT.length} cases, ${falseBlocks.length} false blocks`, falseBlocks);
    expect(falseBlocks).toEqual([]);
  }, 600_000);
});

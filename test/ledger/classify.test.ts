import { rmSync } from "node:fs";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountQuery, type AccountingView } from "../../sandbox/accounting/index.js";
import { openParserConnection } from "../../sandbox/index.js";
import type { ColumnarTable } from "../../sandbox/index.js";
import { tempRoot } from "../sandbox/fixtures.js";
import { makeSubjectLibrary } from "./fixtures.js";

let root: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;
let parser: DuckDBConnection;
let views: AccountingView[];

beforeAll(async () => {
  root = tempRoot("classify");
  const lib = await makeSubjectLibrary(root);
  instance = await DuckDBInstance.create(":memory:");
  conn = await instance.connect();
  parser = await openParserConnection();
  for (const v of lib.views) await conn.run(`CREATE VIEW ${v.name} AS SELECT ${[...v.columns, "__sid"].join(", ")} FROM read_parquet('${v.file}')`);
  views = lib.views.map((v) => ({ name: v.name, dataset: v.dataset!, columns: v.columns, sid: "__sid", subject: v.subject, roles: v.roles }));
});

afterAll(() => {
  conn?.closeSync();
  instance?.closeSync();
  if (root) rmSync(root, { recursive: true, force: true });
});

const account = (sql: string, params: unknown[] = []) => accountQuery(conn, parser, sql, params, views, 1_000_000);

function column(t: ColumnarTable | undefined, name: string): unknown[] {
  const c = t?.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name} in ${t?.columns.map((x) => x.name).join(",")}`);
  return Array.from(c.values as ArrayLike<unknown>, (v) => (typeof v === "bigint" ? Number(v) : v));
}

/** city → distinct people, from the ledger. */
function subjectsBy(t: ColumnarTable | undefined, key: string): Record<string, number> {
  const keys = column(t, key);
  const subj = column(t, "__subjects");
  return Object.fromEntries(keys.map((k, i) => [String(k), subj[i] as number]));
}

describe("aggregate queries", () => {
  it("figures equal a reference computed in SQL: NULL subjects contribute but count no one, negative and NULL measures, two subject kinds", async () => {
    await conn.run(`CREATE OR REPLACE TABLE ref_p AS SELECT 'p' || (i % 40) AS pid, 'c' || (i % 3) AS city, CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 23) - 8 END AS v,
      CASE WHEN i % 31 = 0 THEN NULL ELSE (hash('s' || (i % 40)) >> 4)::BIGINT END AS __sid FROM range(400) t(i)`);
    await conn.run(`CREATE OR REPLACE TABLE ref_o AS SELECT 'c' || i AS city, 'r' || (i % 2) AS region, (hash('o' || i) >> 4)::BIGINT AS __sid FROM range(3) t(i)`);
    const vs: AccountingView[] = [
      { name: "ref_p", dataset: "p", columns: ["pid", "city", "v"], sid: "__sid", subject: { kind: "person", columns: ["pid"] } },
      { name: "ref_o", dataset: "o", columns: ["city", "region"], sid: "__sid", subject: { kind: "org", columns: ["city"] } },
    ];
    const rows = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS().map((r) => Object.values(r).map((v) => (typeof v === "bigint" ? Number(v) : v)));
    // One subject kind: per (city, person) sums, then per city distinct people, top-2 and total.
    const one = await accountQuery(conn, parser, "select city, count(*) as n, sum(v) as s from ref_p group by city", [], vs, 1000);
    const got = column(one.table, "city").map((c, i) => [c, ...["__subjects", "__top1_1", "__top2_1", "__total_1", "__top1_2", "__top2_2", "__total_2"].map((n) => column(one.table, n)[i])]);
    const want = await rows(`SELECT city, count(__sid), coalesce(max(n, 2)[1], 0)::DOUBLE, coalesce(max(n, 2)[2], 0)::DOUBLE, coalesce(sum(n), 0)::DOUBLE,
      coalesce(max(s, 2)[1], 0)::DOUBLE, coalesce(max(s, 2)[2], 0)::DOUBLE, coalesce(sum(s), 0)::DOUBLE
      FROM (SELECT city, __sid, count(*) AS n, sum(v) AS s FROM ref_p GROUP BY ALL) GROUP BY city`);
    expect(got.sort()).toEqual(want.sort());
    // A conditional sum: the subjects whose contribution is not 0 (or NULL), and the two largest in magnitude, signed.
    const cond = await accountQuery(conn, parser, "select city, sum(case when pid in ('p1', 'p2', 'p3', 'p4') then v - 20 else 0 end) as s from ref_p group by city", [], vs, 1000);
    const gotCond = column(cond.table, "city").map((c, i) => [c, ...["__nonzero_1", "__mag1_1", "__mag2_1", "__total_1"].map((n) => column(cond.table, n)[i])]);
    const wantCond = await rows(`SELECT city, count(*) FILTER (WHERE s <> 0 AND __sid IS NOT NULL), coalesce(list(s ORDER BY abs(s) DESC) FILTER (WHERE s <> 0)[1], 0)::DOUBLE,
      coalesce(list(s ORDER BY abs(s) DESC) FILTER (WHERE s <> 0)[2], 0)::DOUBLE, coalesce(sum(s), 0)::DOUBLE
      FROM (SELECT city, __sid, sum(CASE WHEN pid IN ('p1', 'p2', 'p3', 'p4') THEN v - 20 ELSE 0 END) AS s FROM ref_p GROUP BY ALL) GROUP BY city`);
    expect(gotCond.sort()).toEqual(wantCond.sort());
    expect(gotCond.some((r) => (r[1] as number) > 0 && (r[1] as number) < 10)).toBe(true);
    // Σ|c| exactly; subjects off the majority contribution exactly where a majority exists, else at least half of them.
    const offset = await accountQuery(conn, parser, "select city, sum(case when pid in ('p1', 'p2') then v else 7 end) as s, sum(v - 20) as d from ref_p group by city", [], vs, 1000);
    // Σ|c| counts rows without a subject as the total does; the majority is among subjects only.
    const wantOff = await rows(`SELECT city, sum(abs(s))::DOUBLE, sum(abs(d))::DOUBLE, count(__sid)::DOUBLE, coalesce(max(ms) FILTER (WHERE __sid IS NOT NULL), 0)::DOUBLE, coalesce(max(md) FILTER (WHERE __sid IS NOT NULL), 0)::DOUBLE FROM (
        SELECT city, __sid, s, d, count(__sid) OVER (PARTITION BY city, s) AS ms, count(__sid) OVER (PARTITION BY city, d) AS md FROM (
          SELECT city, __sid, sum(CASE WHEN pid IN ('p1', 'p2') THEN v ELSE 7 END) AS s, sum(v - 20) AS d FROM ref_p GROUP BY ALL)) GROUP BY city`);
    for (const [city, absS, absD, n, topS, topD] of wantOff) {
      const i = column(offset.table, "city").indexOf(city);
      expect([column(offset.table, "__abs_1")[i], column(offset.table, "__abs_2")[i]], String(city)).toEqual([absS, absD]);
      const [offS, offD] = [Number(column(offset.table, "__offmode_1")[i]), Number(column(offset.table, "__offmode_2")[i])];
      for (const [off, top] of [[offS, topS], [offD, topD]] as [number, number][]) {
        if (2 * top > (n as number)) expect(off, String(city)).toBe((n as number) - top);
        else expect(off, String(city)).toBeGreaterThanOrEqual((n as number) / 2);
      }
      // Off the two most common values: never more than off the most common one, never below the truth.
      const two = Number(column(offset.table, "__offtwo_1")[i]);
      expect(two, String(city)).toBeLessThanOrEqual(offS);
      expect(two, String(city)).toBeGreaterThanOrEqual(0);
    }
    expect(wantOff.some(([, , , n, topS]) => 2 * (topS as number) > (n as number) && (n as number) - (topS as number) > 0)).toBe(true);
    expect(one.subjects!.rowCount).toBe(Number((await rows("SELECT count(*) FROM (SELECT DISTINCT city, __sid FROM ref_p WHERE __sid IS NOT NULL)"))[0][0]));
    // Two kinds (people joined to the organisations of their city): the fewer subjects, the larger top contribution.
    const two = await accountQuery(conn, parser, "select o.region, sum(p.v) as s from ref_p p join ref_o o on p.city = o.city group by o.region", [], vs, 1000);
    const per = async (sid: string) => rows(`SELECT region, count(sid), coalesce(max(s, 2)[1], 0)::DOUBLE FROM (SELECT o.region, ${sid} AS sid, sum(p.v) AS s FROM ref_p p JOIN ref_o o ON p.city = o.city GROUP BY ALL) GROUP BY region ORDER BY region`);
    const [a, b] = [await per("p.__sid"), await per("o.__sid")];
    const gotTwo = column(two.table, "region").map((r, i) => [r, column(two.table, "__subjects")[i], column(two.table, "__top1_1")[i]]).sort();
    expect(gotTwo).toEqual(a.map((x, i) => [x[0], Math.min(x[1] as number, b[i][1] as number), Math.max(x[2] as number, b[i][2] as number)]));
  });

  it("counts distinct people behind each group, with per-person contributions of each additive column", async () => {
    const r = await account("select city, count(*) as n, sum(income) as total, max(age) as oldest from people group by city order by n desc");
    expect(r.entry.kind).toBe("aggregate");
    expect(subjectsBy(r.table, "city")).toEqual({ 北京: 2, 上海: 3, 广州: 1 });
    expect(r.table!.columns.map((c) => c.name)).toEqual(["city", "n", "total", "oldest", "__row", "__subjects",
      "__top1_1", "__top2_1", "__total_1", "__nonzero_1", "__mag1_1", "__mag2_1", "__abs_1", "__offmode_1", "__offtwo_1", "__top1_2", "__top2_2", "__total_2", "__nonzero_2", "__mag1_2", "__mag2_2", "__abs_2", "__offmode_2", "__offtwo_2"]);
    expect(r.entry.meta.columns).toEqual([
      { name: "city", role: "group", source: { dataset: "ds_people", column: "city", role: "quasi" } },
      { name: "n", role: "aggregate", agg: "count", additive: true },
      { name: "total", role: "aggregate", agg: "sum", additive: true, source: { dataset: "ds_people", column: "income", role: "measure" } },
      { name: "oldest", role: "aggregate", agg: "single", source: { dataset: "ds_people", column: "age", role: "quasi" } },
    ]);
    const sh = column(r.table, "city").indexOf("上海");
    // 上海: 王五 earned 300 + 310 in two rows, the largest per-person contribution.
    expect([column(r.table, "__top1_2")[sh], column(r.table, "__top2_2")[sh], column(r.table, "__total_2")[sh]]).toEqual([610, 500, 1510]);
  });

  it("GROUP BY position, alias and ALL, HAVING and parameters", async () => {
    for (const sql of [
      "select city as c, count(*) as n from people where income > ? group by 1 having count(*) >= 1",
      "select city as c, count(*) as n from people where income > ? group by c",
      "select city as c, count(*) as n from people where income > ? group by all",
    ]) {
      const r = await account(sql, [150]);
      expect(r.entry.kind, sql).toBe("aggregate");
      expect(subjectsBy(r.table, "c"), sql).toEqual({ 北京: 1, 上海: 3, 广州: 1 });
    }
  });

  it("an ungrouped aggregate has one row; an empty filter still counts zero people", async () => {
    const r = await account("select count(*) as n, avg(income) as m from people where income > 9999");
    expect(r.entry.kind).toBe("aggregate");
    expect(column(r.table, "__subjects")).toEqual([0]);
    expect(column(r.table, "n")).toEqual([0]);
  });

  it("SELECT DISTINCT counts people per distinct value", async () => {
    const r = await account("select distinct city from people");
    expect(r.entry.kind).toBe("aggregate");
    expect(subjectsBy(r.table, "city")).toEqual({ 北京: 2, 上海: 3, 广州: 1 });
  });

  it("dispersion and single-subject statistics are classed", async () => {
    const r = await account("select city, stddev(income) sd, corr(income, age) r, median(income) med, quantile_cont(income, 0.25) q1, string_agg(name, ',') as nms, count(distinct pid) people, sum(income) / count(*) ratio from people group by city");
    expect(r.entry.reason).toBeUndefined();
    expect(r.entry.meta.columns.map((c) => [c.name, c.agg ?? null, c.additive ?? false])).toEqual([
      ["city", null, false], ["sd", "dispersion", false], ["r", "dispersion", false], ["med", "single", false], ["q1", "single", false],
      ["nms", "values", false], ["people", "count_distinct", false], ["ratio", "sum", false],
    ]);
  });

  it("window functions over the grouped rows are allowed (shares of a total)", async () => {
    const r = await account("select city, count(*) as n, count(*) * 1.0 / sum(count(*)) over () as share from people group by city");
    expect(r.entry.kind).toBe("aggregate");
    expect(r.entry.meta.columns[2]).toMatchObject({ name: "share", role: "aggregate", window: true });
    expect(subjectsBy(r.table, "city")).toEqual({ 北京: 2, 上海: 3, 广州: 1 });
  });

  it("a join on the subject key shares subjects; both datasets are in every subject set", async () => {
    const r = await account("select p.city, sum(t.tax) as tax from people p join tax t on p.pid = t.pid group by p.city");
    expect(r.entry.kind).toBe("aggregate");
    // people × tax multiplies p1's three rows; people are still counted once.
    expect(subjectsBy(r.table, "city")).toEqual({ 北京: 2, 上海: 2, 广州: 1 });
    expect(new Set(column(r.subjects, "dataset"))).toEqual(new Set(["ds_people", "ds_tax"]));
  });

  it("a join on other columns counts the smaller party (conservative)", async () => {
    const r = await account("select p.city, count(*) as n from people p join tax t on p.age = t.tax group by p.city");
    expect(r.entry.kind).toBe("aggregate");
    // 北京: p1's three rows meet p3's tax (1 person each side); 上海: {p3, p4} meet {p5, p6}.
    expect(subjectsBy(r.table, "city")).toEqual({ 北京: 1, 上海: 2 });
    expect(column(r.table, "n")).toEqual(column(r.table, "city").map((c) => (c === "北京" ? 3 : 3)));
    expect(new Set(column(r.subjects, "dataset"))).toEqual(new Set(["ds_people", "ds_tax"]));
    const r2 = await account("select p.city, count(*) as n from people p join tax t on p.income / 10 = t.tax group by p.city");
    expect(r2.entry).toMatchObject({ kind: "unaccounted", reason: "a join condition other than column equalities" });
  });

  it("a CTE or subquery that selects rows feeds an aggregate; its sid is carried through", async () => {
    for (const sql of [
      "with adults as (select city, income from people where age > 35) select city, avg(income) as m from adults group by city",
      "select city, avg(income) as m from (select city, income from people where age > 35) a group by city",
      "select city, avg(income) as m from (select * from people where age > 35) group by city",
    ]) {
      const r = await account(sql);
      expect(r.entry.kind, sql).toBe("aggregate");
      expect(subjectsBy(r.table, "city"), sql).toEqual({ 北京: 1, 上海: 3, 广州: 1 });
      // Sources are traced through the derived table to the view's columns.
      expect(r.entry.meta.columns.map((c) => c.source?.column), sql).toEqual(["city", "income"]);
    }
  });
});

describe("row selections", () => {
  it("carry each row's sid, in result order, and never leak it through *", async () => {
    const r = await account("select * from people where city = ? order by income", ["上海"]);
    expect(r.entry.kind).toBe("rows");
    expect(r.table!.columns.map((c) => c.name)).toEqual(["pid", "name", "city", "income", "age", "__row", "__sid"]);
    expect(column(r.table, "income")).toEqual([300, 310, 400, 500]);
    const sids = column(r.table, "__sid");
    expect(sids[0]).toBe(sids[1]);
    expect(column(r.subjects, "__row")).toEqual([0, 1, 2, 3]);
  });

  it("a join on the subject key is a row selection of both datasets", async () => {
    const r = await account("select p.city, t.tax from people p join tax t on p.pid = t.pid where p.age > 35");
    expect(r.entry.kind).toBe("rows");
    expect(new Set(column(r.subjects, "dataset"))).toEqual(new Set(["ds_people", "ds_tax"]));
  });
});

describe("unaccounted queries", () => {
  it.each([
    ["select city, (select count(*) from tax) as n from people group by city", "a subquery in the select list, GROUP BY, HAVING or QUALIFY"],
    ["select city from people union select pid from tax", "the top-level query is a set operation"],
    ["select name, row_number() over (order by income) as rk from people", "a window function over raw rows"],
    ["select p.name, t.tax from people p join tax t on p.age = t.tax", "rows of views joined on columns other than their subject keys"],
    ["select city, count(*) from people group by rollup (city)", "GROUPING SETS / ROLLUP / CUBE"],
    ["select distinct on (city) city, name from people", "DISTINCT ON picks one row per key"],
    ["with c as (select city, count(*) n from people group by city) select * from c", "a subquery or CTE in FROM that aggregates"],
    ["select * from people using sample 50%", "USING SAMPLE draws rows at random"],
    ["select city, count(*) from (select city from people union all select pid from tax) group by city", "a set operation in FROM"],
    ["select 1 as one", "a query that reads no view"],
    ["select __sid, income from people", "a reserved column name (__…)"],
    ["select city, count(distinct __sid) from people group by city", "a reserved column name (__…)"],
    ["select p from people p", "a whole-row reference"],
    ["select columns('.*') from people", "COLUMNS(…)"],
  ])("%s", async (sql, reason) => {
    const r = await account(sql);
    expect(r.entry).toMatchObject({ kind: "unaccounted", reason });
    expect(r.table).toBeUndefined();
  });
});

describe("subqueries that decide which rows are counted (one-subject oracles)", () => {
  const reason = expect.stringContaining("a subquery in WHERE that reads data");
  it.each([
    "select count(*) as n from people where (select income from people where pid = 'p1') > 12000",
    "select count(*) as n from people where exists (select 1 from people where pid = 'p1' and income > 12000)",
    "select city, count(*) as n from people where city in (select city from people where pid = 'p1') group by city",
    "select count(*) as n from people where (select max(income) from people) > 20000",
    "select count(*) as n from people where income > (select median(income) from people)",
    "select count(*) as n from people where income > (select avg(income) from people where age > 90)",
    "select count(*) as n from people p where income > (select avg(income) from people q where q.city = p.city)",
    "select count(*) as n from people where income > (select avg(income) from (select income from people where pid = 'p1'))",
    "select count(*) as n from people where income > (select avg(income) from people limit 1)",
    "select name from people where (select count(*) from tax where pid = 'p1') > 0",
    "select city, count(*) as n from (select city from people where (select income from people where pid = 'p1') > 1) group by city",
    "with t as (select income from people where pid = 'p1') select count(*) as n from people where income > (select avg(income) from t)",
  ])("%s", async (sql) => {
    const r = await account(sql);
    expect(r.entry).toMatchObject({ kind: "unaccounted", reason });
    expect(r.table).toBeUndefined();
  });
});

describe("subqueries that rest on every subject alike are accounted", () => {
  it.each([
    "select city, count(*) as n from people where income > (select avg(income) from people) group by city",
    "select count(*) as n from people where income between (select avg(income) - stddev_samp(income) from people) and (select avg(income) + stddev_samp(income) from people)",
    "select count(*) as n from people where city in (select unnest(['a', 'b']))",
  ])("%s", async (sql) => {
    const r = await account(sql);
    expect(r.entry.kind, r.entry.reason).toBe("aggregate");
  });
});

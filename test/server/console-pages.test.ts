/**
 * Console pages over real HTTP (the browser test drives Chromium where it is installed):
 * the reviewer's dossier page, the requester's read-only page, return for changes through the
 * form, the job detail page, the audit page in Asia/Shanghai time, and an HTML 404.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { api, consoleLogin, servedWorld } from "./world.js";

describe("console pages", () => {
  const h = servedWorld();
  let egressId: string;
  let jobId: string;
  const sessions = new Map<string, string>();
  /** The browser's cookies for an account (one console login per account). */
  const cookieOf = async (token: string) => sessions.get(token) ?? sessions.set(token, await consoleLogin(h.srv.url, token)).get(token)!;
  const get = async (path: string, token?: string, accept = "text/html") => {
    const r = await fetch(h.srv.url + path, { headers: { accept, ...(token ? { cookie: await cookieOf(token) } : {}) }, redirect: "manual" });
    return { status: r.status, text: await r.text() };
  };
  const csrfOf = (page: string) => /name="csrf" value="([^"]+)"/.exec(page)![1];

  beforeAll(async () => {
    const job = await api(h.srv.url, "POST", "/api/jobs", h.w.tokens.dev, { scenario: "hy", sql: "SELECT gender, count(*) AS n, avg(income)::INTEGER AS mean_income FROM people GROUP BY gender ORDER BY gender" });
    jobId = job.json.id;
    const eg = await api(h.srv.url, "POST", "/api/egress", h.w.tokens.dev, { job: jobId, form: "dataset" });
    egressId = eg.json.id;
  }, 180_000);

  it("gives the reviewer the dossier: purpose, requester, SQL, the table with its mark and rows, sorted findings, three decisions", async () => {
    const p = await get(`/console/egress/${egressId}`, h.w.tokens.reviewer);
    expect(p.status).toBe(200);
    expect(p.text).toContain("身份核验：姓名与身份证号是否一致");
    expect(p.text).toContain("张三 (alice)");
    expect(p.text).toMatch(/<pre>SELECT gender, count\(\*\)/);
    expect(p.text).toMatch(/<h3>result: 表类别（台账）/);
    expect(p.text).toMatch(/已批准 \/ 需要: 0 \/ 1/);
    // an aggregate gets a bar chart drawn on the server: one bar per gender, sized by the mean
    expect(p.text).toMatch(/<svg role="img" aria-label="result: mean_income by gender"/);
    expect(p.text.match(/<rect /g)).toHaveLength(2);
    for (const b of ["批准", "退回修改", "驳回"]) expect(p.text).toContain(`>${b}</button>`);
    expect(p.text).toContain("(UTC+8)");
  });

  it("opens the developer's own request read-only, in their menu as 'my requests'", async () => {
    const p = await get(`/console/egress/${egressId}`, h.w.tokens.dev);
    expect(p.status).toBe(200);
    expect(p.text).toContain("这是本组织的申请：只读");
    expect(p.text).not.toContain("</button> <button");
    expect(p.text).not.toContain("<pre>SELECT");
    expect(p.text).toContain('href="/console/egress">我的出域申请</a>');
  });

  it("returns a request for changes from the form; the developer reads the comment", async () => {
    const page = await get(`/console/egress/${egressId}`, h.w.tokens.reviewer);
    const r = await fetch(`${h.srv.url}/console/egress/${egressId}/review`, {
      method: "POST", redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: await cookieOf(h.w.tokens.reviewer) },
      body: new URLSearchParams({ csrf: csrfOf(page.text), decision: "return", reason: "请去掉收入均值" }).toString(),
    });
    expect(r.status).toBe(303);
    const dev = await get(`/console/egress/${egressId}`, h.w.tokens.dev);
    expect(dev.text).toContain("已退回修改");
    expect(dev.text).toContain("审查员要求修改： 请去掉收入均值");
    expect((await get(`/console/egress/${egressId}`, h.w.tokens.reviewer)).text).not.toContain(">退回修改</button>");
  });

  it("shows a job's detail page with times and, for a raw run, no logs", async () => {
    const list = await get("/console/jobs", h.w.tokens.dev);
    expect(list.text).toContain(`<a href="/console/jobs/${jobId}">`);
    const p = await get(`/console/jobs/${jobId}`, h.w.tokens.dev);
    expect(p.status).toBe(200);
    expect(p.text).toContain("成功");
    expect(p.text).toContain("原始数据作业的日志已暂存");
    expect(p.text).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)/);
  });

  it("pages the audit log in local time", async () => {
    const p = await get("/console/audit", h.w.tokens.auditor);
    expect(p.status).toBe(200);
    expect(p.text).toContain("(UTC+8)");
    expect(p.text).toMatch(/页 1/);
  });

  it("answers an unknown page with an HTML 404 and an unknown API route with JSON", async () => {
    const p = await get("/console/nothing-here");
    expect(p.status).toBe(404);
    expect(p.text).toMatch(/^<!doctype html>/);
    expect(p.text).toContain("页面不存在");
    const a = await get("/api/nothing-here", undefined, "application/json");
    expect(a.status).toBe(404);
    expect(JSON.parse(a.text).error.code).toBe("ROUTE_NOT_FOUND");
  });
});

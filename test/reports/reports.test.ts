import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, type DemoResult } from "../../runtime/demo/walkthrough.js";
import { activityMarkdown, activityReport } from "../../runtime/reports/activity.js";
import { complianceMarkdown, complianceReport } from "../../runtime/reports/compliance.js";
import { REQUIREMENTS } from "../../runtime/reports/requirements.js";
import { findRepoRoot, indexTests } from "../../runtime/reports/test-index.js";
import { answerFeedback, submitFeedback } from "../../runtime/services/feedback.js";
import { as, tempDir, atTime } from "../helpers/fixture.js";
import { runCli } from "./program.js";
import { addAccount } from "../../runtime/services/accounts.js";


describe("R7 activity report from a real domain", () => {
  const t = tempDir();
  let demo: DemoResult;
  let dom: string;
  const tok: Record<string, string> = {};
  let late = "";
  let onTime = "";

  beforeAll(async () => {
    demo = await runDemo({ rows: 800, dir: t.dir, print: () => undefined });
    dom = join(t.dir, "domain");
    tok.admin = demo.tokens.admin;
    await as(dom, tok.admin, async (s) => {
      tok.aud = (await addAccount(s, { id: "aud2", name: "孙丽", org: "operator", roles: ["auditor"] })).token;
      tok.dev = (await addAccount(s, { id: "dev2", name: "周杰", org: "shuzhi", roles: ["developer"] })).token;
      tok.prov = (await addAccount(s, { id: "prov2", name: "吴刚", org: "gzrs", roles: ["provider"] })).token;
    });
    // Two quality reports submitted on Monday 2026-11-23: one answered on time, one left open.
    onTime = (await atTime("2026-11-23T09:00:00Z", () => as(dom, tok.dev, (s) => submitFeedback(s, { dataset: "people", text: "部分人员收入为 0" })))).id;
    late = (await atTime("2026-11-23T09:30:00Z", () => as(dom, tok.dev, (s) => submitFeedback(s, { dataset: "people", text: "地址缺少门牌号" })))).id;
    await atTime("2026-11-24T09:00:00Z", () => as(dom, tok.prov, (s) => answerFeedback(s, { id: onTime, text: "为失业人员,数据无误" })));
  }, 300_000);
  afterAll(() => t.cleanup());

  it("R7 lists authorizations (who, what, scope, term), the scenario review, jobs, egress decisions, products and overdue feedback", async () => {
    const r = await atTime("2026-11-30T12:00:00Z", () => as(dom, tok.aud, (s) => activityReport(s, { from: "2026-11-01", to: "2026-11-30" })));
    const wide = await atTime("2026-11-30T12:00:00Z", () => as(dom, tok.aud, (s) => activityReport(s, { from: "2020-01-01", to: "2035-12-31" })));
    expect(wide.authorizations).toEqual([expect.objectContaining({ agreement: "agr-shuzhi", org: "shuzhi", datasets: ["people"], state: "active", grantedBy: expect.any(String) })]);
    expect(wide.authorizations[0].end > wide.authorizations[0].start).toBe(true);
    expect(wide.scenarios).toEqual([expect.objectContaining({ id: "income-cohort", state: "approved", scope: [{ dataset: "people", columns: ["gender", "birth_date", "income", "id_number"], joinOnly: [] }] })]);
    expect(wide.scenarios[0].approvedBy.sort()).toEqual(["admin", "wang"]);
    expect(wide.jobs.total).toBe(3);
    expect(wide.jobs.byOrg.filter((j) => j.mode === "raw").reduce((n, j) => n + j.jobs, 0)).toBe(2);
    const byId = new Map(wide.egress.map((e) => [e.id, e]));
    expect(byId.get(demo.aggregate.egress)).toMatchObject({ state: "released", reviews: [expect.objectContaining({ by: "zhao", org: "operator", decision: "approve" })] });
    expect(byId.get(demo.extract.egress)?.state).toBe("blocked");
    expect(byId.get(demo.extract.egress)?.blockedBy.length).toBeGreaterThan(0);
    expect(wide.products.map((p) => p.id)).toEqual([demo.aggregate.product]);
    expect(wide.holdings).toEqual([expect.objectContaining({ dataset: "people", rows: 800, provider: "gzrs" })]);
    expect(wide.audit.byAction["egress.request"]).toBe(2);

    // Feedback: Monday + 3 working days = Thursday 2026-11-26; by the 30th the open one is overdue.
    expect(r.feedback.submitted).toBe(2);
    expect(r.feedback.answered).toBe(1);
    expect(r.feedback.overdue.map((f) => f.id)).toEqual([late]);
    // Up to the 25th nothing was late yet.
    const early = await atTime("2026-11-30T12:00:00Z", () => as(dom, tok.aud, (s) => activityReport(s, { from: "2026-11-01", to: "2026-11-25" })));
    expect(early.feedback.overdue).toEqual([]);

    const md = activityMarkdown(r);
    for (const h of ["## Authorizations", "## Scenarios reviewed", "## Jobs run", "## Egress decisions", "## Products released", "## Data-quality feedback", "Overdue:"]) expect(md).toContain(h);
    expect(md).toContain(late);
  });

  it("R7 only the operator's admin and auditors may read it; the CLI prints Markdown and JSON", async () => {
    await expect(as(dom, tok.dev, (s) => activityReport(s, {}))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(as(dom, tok.aud, (s) => activityReport(s, { from: "2026-12-01", to: "2026-11-01" }))).rejects.toMatchObject({ code: "INVALID_PERIOD" });
    const j = await runCli(["--domain", dom, "--token", tok.aud, "--json", "report", "activity", "--from", "2020-01-01", "--to", "2035-12-31"]);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).products[0].id).toBe(demo.aggregate.product);
    const m = await runCli(["--domain", dom, "--token", tok.aud, "report", "activity", "--from", "2020-01-01", "--to", "2035-12-31"]);
    expect(m.stdout).toMatch(/^# Activity report of /);
  });
});

describe("R7 R9 compliance report", () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it("R7 covers R1-R9 article by article, each with a mechanism, and links this very test by its title", () => {
    const r = complianceReport();
    expect(r.requirements.map((x) => x.id)).toEqual(["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9"]);
    for (const req of r.requirements) {
      expect(req.articles.length).toBeGreaterThan(0);
      for (const a of req.articles) expect(a.mechanism.length).toBeGreaterThan(20);
    }
    const r7 = r.requirements.find((x) => x.id === "R7")!;
    expect(r7.tests.map((x) => x.title)).toContain("R7 covers R1-R9 article by article, each with a mechanism, and links this very test by its title");
    const r8 = r.requirements.find((x) => x.id === "R8")!;
    expect(r8.articles[0].tests.some((x) => x.file === "test/feedback/feedback.test.ts")).toBe(true);
    expect(complianceMarkdown(r)).toContain("## R9 Capacity");
    // The articles cited include each regulation's key ones.
    const cites = REQUIREMENTS.flatMap((x) => x.articles.map((a) => a.cite)).join(" ");
    for (const c of ["GZ 24", "HLJ 22", "HB 20", "GY 12", "HB 25", "GZ 21", "HLJ 20(5)", "GY 26"]) expect(cites).toContain(c);
  });

  it("R7 the test index reads R ids from titles and describe blocks, and ignores titles without one", () => {
    mkdirSync(join(t.dir, "test", "x"), { recursive: true });
    writeFileSync(join(t.dir, "package.json"), "{}");
    writeFileSync(join(t.dir, "test", "x", "a.test.ts"), `describe("R5 jobs", () => {\n  it('runs R2-free \\'quoted\\' things', () => {});\n});\ndescribe("plain", () => { it("nothing here", () => {}); it(\`R9 R3 both\`, () => {}); });\n`);
    expect(findRepoRoot(join(t.dir, "test", "x"))).toBe(t.dir);
    const idx = indexTests(t.dir);
    expect(idx).toEqual([
      { file: "test/x/a.test.ts", title: "R5 jobs", ids: ["R5"] },
      { file: "test/x/a.test.ts", title: "runs R2-free 'quoted' things", ids: ["R2", "R5"] },
      { file: "test/x/a.test.ts", title: "R9 R3 both", ids: ["R3", "R9"] },
    ]);
  });

  it("R7 the CLI prints the compliance report without a domain", async () => {
    const r = await runCli(["report", "compliance"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# shuyu compliance report");
    const j = await runCli(["--json", "report", "compliance"]);
    expect(JSON.parse(j.stdout).summary.requirements).toBe(9);
  });
});

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemo, type DemoResult } from "../../runtime/demo/walkthrough.js";
import { activityMarkdown, activityReport } from "../../runtime/reports/activity.js";
import { complianceMarkdown, complianceReport } from "../../runtime/reports/compliance.js";
import { REQUIREMENTS } from "../../runtime/reports/requirements.js";
import { findRepoRoot, testsFromList, testsFromResults } from "../../runtime/reports/test-index.js";
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
  const root = findRepoRoot()!;

  /** A results file in vitest's JSON reporter shape. */
  const results = (tests: { file: string; ancestors: string[]; title: string; status: string }[]) => ({
    testResults: [...new Set(tests.map((x) => x.file))].map((file) => ({
      name: join(root, file),
      assertionResults: tests.filter((x) => x.file === file).map((x) => ({ ancestorTitles: x.ancestors, title: x.title, fullName: [...x.ancestors, x.title].join(" "), status: x.status })),
    })),
  });

  it("R7 covers R1-R10 article by article, each with a mechanism, and links this very test from the runner's own list", () => {
    const out = join(t.dir, "list.json");
    execFileSync(process.execPath, [join(root, "node_modules", "vitest", "vitest.mjs"), "list", `--json=${out}`, "test/reports/reports.test.ts"], { cwd: root, stdio: "ignore" });
    const r = complianceReport(root, { source: "vitest-list", detail: "this file", tests: testsFromList(root, JSON.parse(readFileSync(out, "utf8"))) });
    expect(r.requirements.map((x) => x.id)).toEqual(["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R10"]);
    for (const req of r.requirements) {
      expect(req.articles.length).toBeGreaterThan(0);
      for (const a of req.articles) expect(a.mechanism.length).toBeGreaterThan(20);
    }
    const r7 = r.requirements.find((x) => x.id === "R7")!;
    expect(r7.tests.map((x) => x.title)).toContain("R7 covers R1-R10 article by article, each with a mechanism, and links this very test from the runner's own list");
    // Listed is not run: nothing is met on a list alone.
    expect(r.summary.met).toBe(0);
    expect(complianceMarkdown(r)).toContain("## R9 Capacity");
    const cites = REQUIREMENTS.flatMap((x) => x.articles.map((a) => a.cite)).join(" ");
    for (const c of ["GZ 24", "HLJ 22", "HB 20", "GY 12", "HB 25", "GZ 21", "HLJ 20(5)", "GY 26"]) expect(cites).toContain(c);
  }, 120_000);

  it("R7 the index counts tests, not describe blocks; a describe's R id reaches its tests; an article is met only by a passed test that names its requirement and matches its proof", () => {
    const idx = { source: "vitest-json" as const, detail: "synthetic", tests: testsFromResults(root, results([
      { file: "test/x/a.test.ts", ancestors: ["R8 feedback"], title: "answers within three working days", status: "passed" },
      { file: "test/x/a.test.ts", ancestors: ["plain"], title: "R3 HB 21: developers cannot authorize", status: "failed" },
      { file: "test/x/a.test.ts", ancestors: ["plain"], title: "R1 HLJ 22: tampering is detected", status: "skipped" },
      { file: "test/x/b.test.ts", ancestors: [], title: "no requirement named", status: "passed" },
    ])) };
    expect(idx.tests.map((x) => [x.title, x.ids, x.status])).toEqual([
      ["answers within three working days", ["R8"], "passed"],
      ["R3 HB 21: developers cannot authorize", ["R3"], "failed"],
      ["R1 HLJ 22: tampering is detected", ["R1"], "skipped"],
      ["no requirement named", [], "passed"],
    ]);
    const r = complianceReport(root, idx);
    expect(r.summary.tests).toBe(3);
    expect(r.summary.passed).toBe(1);
    const article = (id: string, cite: string) => r.requirements.find((x) => x.id === id)!.articles.find((a) => a.cite.startsWith(cite))!;
    expect(article("R8", "GZ 21").verdict).toBe("met");
    expect(article("R3", "HB 21")).toMatchObject({ verdict: "unproven", tests: [expect.objectContaining({ status: "failed" })] });
    expect(article("R1", "HLJ 22").verdict).toBe("unproven");
    expect(article("R6", "GY 26").verdict).toBe("not-yet");
  });

  it("R7 the CLI prints the compliance report without a domain, from the recorded run", async () => {
    const file = join(t.dir, "vitest.json");
    writeFileSync(file, JSON.stringify(results([{ file: "test/x/a.test.ts", ancestors: ["R8 feedback"], title: "answers within three working days", status: "passed" }])));
    process.env.SHUYU_TEST_RESULTS = file;
    let r, j;
    try {
      r = await runCli(["report", "compliance"]);
      j = await runCli(["--json", "report", "compliance"]);
    } finally {
      delete process.env.SHUYU_TEST_RESULTS;
    }
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("# shuyu compliance report");
    const parsed = JSON.parse(j.stdout);
    expect(parsed.summary).toMatchObject({ requirements: 10, tests: 1, passed: 1, met: 1 });
    expect(parsed.source).toBe("vitest-json");
  });
});

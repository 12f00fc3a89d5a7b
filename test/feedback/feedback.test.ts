import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../../runtime/services/accounts.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { addWorkingDays, answerFeedback, listFeedback, setFeedbackWorkingDays, submitFeedback } from "../../runtime/services/feedback.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { auditLog } from "../../runtime/services/audit.js";
import { as, newDomain, writeCsv, atTime } from "../helpers/fixture.js";
import { runCli } from "../reports/program.js";


describe("R8 data-quality feedback", () => {
  let dom: Awaited<ReturnType<typeof newDomain>>;
  const tok: Record<string, string> = {};

  beforeAll(async () => {
    dom = await newDomain();
    await as(dom.dir, dom.adminToken, async (s) => {
      await addOrg(s, { id: "rsj", name: "人社局", kind: "provider" });
      await addOrg(s, { id: "gaj", name: "公安局", kind: "provider" });
      await addOrg(s, { id: "dev1", name: "开发一", kind: "developer" });
      await addOrg(s, { id: "dev2", name: "开发二", kind: "developer" });
      tok.prov = (await addAccount(s, { id: "p1", name: "王芳", org: "rsj", roles: ["provider"] })).token;
      tok.other = (await addAccount(s, { id: "p2", name: "刘洋", org: "gaj", roles: ["provider"] })).token;
      tok.dev = (await addAccount(s, { id: "d1", name: "李强", org: "dev1", roles: ["developer"] })).token;
      tok.dev2 = (await addAccount(s, { id: "d2", name: "陈静", org: "dev2", roles: ["developer"] })).token;
      tok.aud = (await addAccount(s, { id: "a1", name: "钱伟", org: "operator", roles: ["auditor"] })).token;
      const file = writeCsv(join(dom.dir, "..", "pay.csv"), ["month", "amount"], Array.from({ length: 50 }, (_, i) => [`2025-${String((i % 12) + 1).padStart(2, "0")}`, i * 10]));
      await ingestDataset(s, { id: "pay", file, provider: "rsj", grade: 2 });
    });
  });
  afterAll(() => dom.cleanup());

  it("working days skip Saturdays and Sundays", () => {
    // 2026-11-26 is a Thursday: +3 working days crosses the weekend to Tuesday.
    expect(new Date("2026-11-26T00:00:00Z").getUTCDay()).toBe(4);
    expect(addWorkingDays("2026-11-26", 3)).toBe("2026-12-01");
    expect(addWorkingDays("2026-11-23", 3)).toBe("2026-11-26");
    expect(addWorkingDays("2026-11-28", 1)).toBe("2026-11-30");
    expect(addWorkingDays("2026-11-26", 10)).toBe("2026-12-10");
  });

  it("R8 a developer's report is routed to the dataset's provider with a 3-working-day due date, and only the parties see it", async () => {
    const f = await atTime("2026-11-26T09:00:00Z", () => as(dom.dir, tok.dev, (s) => submitFeedback(s, { dataset: "pay", text: "2025-03 的缴费金额全部为 0,疑似漏报" })));
    expect(f).toMatchObject({ dataset: "pay", provider: "rsj", org: "dev1", state: "open", due: "2026-12-01", overdue: false });
    const forProvider = await atTime("2026-11-27T09:00:00Z", () => as(dom.dir, tok.prov, (s) => listFeedback(s)));
    expect(forProvider.map((x) => x.id)).toContain(f.id);
    expect(await as(dom.dir, tok.other, (s) => listFeedback(s))).toEqual([]);
    expect(await as(dom.dir, tok.dev2, (s) => listFeedback(s))).toEqual([]);
    // Another provider cannot answer it; a developer has no answer permission at all.
    await expect(as(dom.dir, tok.other, (s) => answerFeedback(s, { id: f.id, text: "不是我们的数据" }))).rejects.toMatchObject({ code: "PERMISSION_DENIED", exitCode: 2 });
    await expect(as(dom.dir, tok.dev, (s) => answerFeedback(s, { id: f.id, text: "自己回答" }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    const answered = await atTime("2026-11-30T10:00:00Z", () => as(dom.dir, tok.prov, (s) => answerFeedback(s, { id: f.id, text: "已核实,3月数据已补录并发布 v2" })));
    expect(answered).toMatchObject({ state: "answered", overdue: false });
    await expect(as(dom.dir, tok.prov, (s) => answerFeedback(s, { id: f.id, text: "再答一次" }))).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION" });
    const log = await as(dom.dir, tok.aud, (s) => auditLog(s, { action: "feedback" }));
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(["feedback.submit", "feedback.answer"]));
  });

  it("R8 an unanswered report becomes overdue after its due date; the deadline is configurable up to 10 working days", async () => {
    const f = await atTime("2026-11-26T09:00:00Z", () => as(dom.dir, tok.dev, (s) => submitFeedback(s, { dataset: "pay", text: "金额字段单位不明(元还是分?)" })));
    // Due 2026-12-01 in Asia/Shanghai: 23:00 there (15:00 UTC) is still on time, 01:00 the next day (17:00 UTC) is late.
    const onDue = await atTime("2026-12-01T15:00:00Z", () => as(dom.dir, tok.dev, (s) => listFeedback(s, { overdue: true })));
    expect(onDue.map((x) => x.id)).not.toContain(f.id);
    const after = await atTime("2026-12-01T17:00:00Z", () => as(dom.dir, tok.dev, (s) => listFeedback(s, { overdue: true })));
    expect(after.map((x) => x.id)).toContain(f.id);

    await expect(as(dom.dir, dom.adminToken, (s) => setFeedbackWorkingDays(s, 11))).rejects.toMatchObject({ code: "INVALID_WORKING_DAYS" });
    await expect(as(dom.dir, tok.prov, (s) => setFeedbackWorkingDays(s, 10))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await as(dom.dir, dom.adminToken, (s) => setFeedbackWorkingDays(s, 10));
    const g = await atTime("2026-11-26T09:00:00Z", () => as(dom.dir, tok.dev, (s) => submitFeedback(s, { dataset: "pay", text: "月份字段有 13 月" })));
    expect(g.due).toBe("2026-12-10");
    const late = await atTime("2026-12-11T09:00:00Z", () => as(dom.dir, tok.prov, (s) => answerFeedback(s, { id: g.id, text: "已修正" })));
    expect(late).toMatchObject({ state: "answered", overdue: true });
  });

  it("R8 bad input is refused with a reason: unknown dataset, empty text", async () => {
    await expect(as(dom.dir, tok.dev, (s) => submitFeedback(s, { dataset: "nope", text: "数据有误,请核实" }))).rejects.toMatchObject({ code: "NOT_FOUND", exitCode: 3 });
    await expect(as(dom.dir, tok.dev, (s) => submitFeedback(s, { dataset: "pay", text: " " }))).rejects.toMatchObject({ exitCode: 3 });
    await expect(as(dom.dir, tok.prov, (s) => submitFeedback(s, { dataset: "pay", text: "提供方不能提交反馈" }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("R8 through the CLI: submit shows the due date, list shows it to the provider, answer closes it", async () => {
    const base = ["--domain", dom.dir, "--json"];
    const sub = await runCli([...base, "--token", tok.dev, "feedback", "submit", "--dataset", "pay", "--text", "12 月金额重复计入"]);
    expect(sub.code).toBe(0);
    const f = JSON.parse(sub.stdout);
    expect(f.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const list = await runCli([...base, "--token", tok.prov, "feedback", "list", "--state", "open"]);
    expect(JSON.parse(list.stdout).find((x: { id: string }) => x.id === f.id)).toMatchObject({ due: f.due, provider: "rsj" });
    const human = await runCli(["--domain", dom.dir, "--token", tok.prov, "feedback", "list"]);
    expect(human.stdout).toContain(f.due);
    const ans = await runCli([...base, "--token", tok.prov, "feedback", "answer", f.id, "--text", "已去重"]);
    expect(JSON.parse(ans.stdout).state).toBe("answered");
    const denied = await runCli([...base, "--token", tok.other, "feedback", "answer", f.id, "--text", "不是我们的数据"]);
    expect(denied.code).toBe(2);
    const days = await runCli([...base, "--token", dom.adminToken, "feedback", "deadline"]);
    expect(JSON.parse(days.stdout)).toEqual({ workingDays: 10 });
  });
});

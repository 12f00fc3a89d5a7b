import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { closeIncident, listIncidents, openIncident } from "../../runtime/lifecycle/incidents.js";
import { activityMarkdown, activityReport } from "../../runtime/reports/activity.js";
import { requestEgress } from "../../runtime/services/egress.js";
import { jobStatus, submitJob } from "../../runtime/services/jobs.js";
import { cli } from "../helpers/fixture.js";
import { lifecycleWorld } from "../helpers/lifecycle-world.js";

describe("R7 security incidents stop processing in their scope", () => {
  afterAll(() => closeSharedPool());

  it("R7 opening an incident cancels the running job (nothing staged), freezes egress and pauses API products; closing needs a rectification report and a deadline; the activity report lists it", async () => {
    const w = await lifecycleWorld();
    try {
      const admin = await w.session(w.tokens.admin);
      const slow = `${w.model}.slow.js`;
      writeFileSync(slow, `export default async (ctx) => { const t = Date.now(); while (Date.now() - t < 2500) {} return { tables: { t: (await ctx.query("SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender")).columns } }; };`);
      const running = submitJob(await w.session(w.tokens.alice), { scenario: "stats", model: slow });
      await new Promise((r) => setTimeout(r, 800));
      const inc = await openIncident(admin, { scope: "scenario", id: "stats", reason: "模型疑似逐行导出" });
      expect(inc.effects.frozenRequests).toEqual([w.ids.pending]);
      expect(inc.effects.pausedApiProducts).toEqual([w.ids.api]);
      expect(inc.effects.cancelledJobs).toHaveLength(1);
      const done = await jobStatus(admin, (await running).id);
      expect(done).toMatchObject({ state: "cancelled", outputs: [] });
      expect(done.reason).toMatch(/^INCIDENT inc-/);
      await expect(w.runtime.call((await w.session(w.tokens.carol)).principal, w.ids.api, { params: { gender: "F" } })).rejects.toMatchObject({ code: "PRODUCT_SUSPENDED", details: { cause: "INCIDENT_OPEN" } });
      await expect(requestEgress(await w.session(w.tokens.alice), { job: w.ids.fresh, form: "dataset" })).rejects.toMatchObject({ code: "INCIDENT_OPEN" });
      await expect(closeIncident(admin, inc.id, { report: "短", deadline: "2027-01-31" })).rejects.toMatchObject({ code: "INVALID_INCIDENT" });
      await expect(closeIncident(admin, inc.id, { report: "已下线模型并完成代码审查，确认无数据外泄", deadline: "2020-01-01" })).rejects.toMatchObject({ code: "INVALID_DEADLINE" });
      await expect(closeIncident(await w.session(w.tokens.alice), inc.id, { report: "已下线模型并完成代码审查", deadline: "2027-01-31" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
      const closed = await closeIncident(admin, inc.id, { report: "已下线模型并完成代码审查，确认无数据外泄", deadline: "2027-01-31" });
      expect(closed).toMatchObject({ state: "closed", deadline: "2027-01-31", closedBy: "admin" });
      expect((await requestEgress(await w.session(w.tokens.alice), { job: w.ids.fresh, form: "dataset" })).state).toBe("checked");
      expect((await listIncidents(admin)).map((i) => i.id)).toEqual([inc.id]);
      const report = await activityReport(admin, {});
      expect(report.incidents).toMatchObject([{ id: inc.id, scope: "scenario", target: "stats", state: "closed", deadline: "2027-01-31" }]);
      expect(activityMarkdown(report)).toContain(inc.id);
    } finally {
      await w.close();
    }
  }, 120_000);

  it("R7 the CLI opens and closes incidents with --json and refuses bad input with a typed error", async () => {
    const w = await lifecycleWorld();
    const dir = w.env.dir;
    await w.runtime.close();
    w.domain.close();
    try {
      const env = { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.admin };
      const bad = await cli(["incident", "open", "--scope", "domain", "--id", "x", "--reason", "r"], env);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/INVALID_INCIDENT/);
      expect((await cli(["incident", "open", "--scope", "planet", "--reason", "r"], env)).code).toBe(3);
      expect((await cli(["incident", "open", "--scope", "org", "--id", "nobody", "--reason", "r"], env)).stderr).toMatch(/NOT_FOUND/);
      const opened = JSON.parse((await cli(["--json", "incident", "open", "--scope", "domain", "--reason", "机房断电"], env)).stdout);
      expect(opened).toMatchObject({ scope: "domain", state: "open" });
      const dev = await cli(["job", "submit", "--scenario", "stats", "--sql", "SELECT count(*)::INTEGER AS n FROM people"], { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.alice });
      expect(dev.code).toBe(2);
      expect(dev.stderr).toMatch(/INCIDENT_OPEN/);
      const closed = JSON.parse((await cli(["--json", "incident", "close", opened.id, "--report", "已恢复供电并核查数据完整性", "--deadline", "2030-01-01"], env)).stdout);
      expect(closed.state).toBe("closed");
    } finally {
      w.env.cleanup();
    }
  }, 120_000);
});

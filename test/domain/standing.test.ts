import { existsSync, readdirSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { revokeAccount } from "../../runtime/services/accounts.js";
import { changeAgreement } from "../../runtime/services/agreements.js";
import { loadEgress, requestEgress, reviewEgress } from "../../runtime/services/egress.js";
import { jobStatus, submitJob } from "../../runtime/services/jobs.js";
import { changeScenario } from "../../runtime/services/scenarios.js";
import { downloadPackage } from "../../runtime/lifecycle/delivery.js";
import { openIncident } from "../../runtime/lifecycle/incidents.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { atTime } from "../helpers/fixture.js";
import { API_SQL, lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";

type Step = "job.submit" | "egress.request" | "egress.review" | "product.call" | "package.download";

/** Each gate, acted by the account that would normally act there. */
const STEPS: Record<Step, (w: LifecycleWorld) => Promise<unknown>> = {
  "job.submit": async (w) => submitJob(await w.session(w.tokens.carol), { scenario: "stats", sql: API_SQL, params: JSON.stringify(["M"]) }),
  "egress.request": async (w) => requestEgress(await w.session(w.tokens.carol), { job: w.ids.fresh, form: "dataset" }),
  "egress.review": async (w) => reviewEgress(await w.session(w.tokens.rev), w.ids.pending, "approve", "审查通过"),
  "product.call": async (w) => w.runtime.call((await w.session(w.tokens.carol)).principal, w.ids.api, { params: { gender: "F" } }),
  "package.download": async (w) => downloadPackage(await w.session(w.tokens.carol), w.ids.product),
};

/** Each state a party can be in, applied through the real commands; `at` moves the clock. */
const STATES: { name: string; at?: string; apply: (w: LifecycleWorld) => Promise<unknown>; allowed?: Step[] }[] = [
  { name: "everything in force", apply: async () => undefined, allowed: ["job.submit", "egress.request", "egress.review", "product.call", "package.download"] },
  // The colleague still stands; the revoked submitter's job and request do not.
  { name: "the submitting developer revoked", apply: async (w) => revokeAccount(await w.session(w.tokens.admin), "alice", "离职"), allowed: ["job.submit", "product.call", "package.download"] },
  { name: "agreement suspended", apply: async (w) => changeAgreement(await w.session(w.tokens.admin), "agr1", "suspend", "违约调查") },
  { name: "agreement terminated", apply: async (w) => changeAgreement(await w.session(w.tokens.admin), "agr1", "terminate", "严重违约") },
  { name: "agreement expired", at: "2029-01-02T08:00:00Z", apply: async () => undefined },
  { name: "scenario suspended", apply: async (w) => changeScenario(await w.session(w.tokens.admin), "stats", "suspend", "整改") },
  { name: "scenario revoked", apply: async (w) => changeScenario(await w.session(w.tokens.admin), "stats", "revoke", "超范围使用") },
  { name: "scenario expired", at: "2027-07-01T08:00:00Z", apply: async () => undefined },
  ...(["org", "scenario", "dataset", "domain"] as const).map((scope) => ({
    name: `an incident open on the ${scope}`,
    apply: async (w: LifecycleWorld) => openIncident(await w.session(w.tokens.admin), { scope, id: { org: "dev1", scenario: "stats", dataset: "people", domain: undefined }[scope], reason: "疑似数据泄露" }),
  })),
];

describe("R3 one state check at every gate", () => {
  afterAll(() => closeSharedPool());

  for (const state of STATES) {
    it(`R3 ${state.name}: each gate (job submit, egress request, review and release, product call, package delivery) allows exactly what may act now`, async () => {
      const w = await lifecycleWorld();
      try {
        const run = async () => {
          await state.apply(w);
          const results: Record<string, string> = {};
          for (const [step, fn] of Object.entries(STEPS)) {
            results[step] = await fn(w).then(() => "allowed", (e: { kind?: string; code?: string }) => `${e.kind}:${e.code}`);
          }
          return results;
        };
        const results = state.at ? await atTime(state.at, run) : await run();
        for (const step of Object.keys(STEPS) as Step[]) {
          if (state.allowed?.includes(step)) expect(results[step], step).toBe("allowed");
          else expect(results[step], step).toMatch(/^denied:/);
        }
        // Nothing is released outside a valid state: the pending request never became a package.
        const pending = await loadEgress({ domain: w.domain }, w.ids.pending);
        if (state.allowed?.includes("egress.review")) expect(pending.state).toBe("released");
        else expect(pending.state).not.toBe("released");
        expect((await w.products()).filter((p) => p.egress === w.ids.pending)).toHaveLength(state.allowed?.includes("egress.review") ? 1 : 0);
      } finally {
        await w.close();
      }
    }, 120_000);
  }

  it("R3 a job running when its developer is revoked stages nothing, and a colleague cannot request its egress", async () => {
    const w = await lifecycleWorld();
    try {
      const slow = `${w.model}.slow.js`;
      const { writeFileSync } = await import("node:fs");
      writeFileSync(slow, `export default async (ctx) => { const t = Date.now(); while (Date.now() - t < 2500) {} return { tables: { t: (await ctx.query("SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender")).columns } }; };`);
      const running = submitJob(await w.session(w.tokens.alice), { scenario: "stats", model: slow });
      await new Promise((r) => setTimeout(r, 800));
      await revokeAccount(await w.session(w.tokens.admin), "alice", "离职");
      const done = await jobStatus(await w.session(w.tokens.admin), (await running).id);
      expect(done.state).toBe("cancelled");
      expect(done.reason).toBe("ACCOUNT_REVOKED");
      expect(done.outputs).toEqual([]);
      const dir = w.domain.paths.jobStaging(done.id);
      // Only the job's own code, kept before it ran for the reviewer and the gate; no output of it.
      expect((existsSync(dir) ? readdirSync(dir) : []).filter((f) => f !== "job-code.txt")).toEqual([]);
      await expect(requestEgress(await w.session(w.tokens.carol), { job: done.id, form: "dataset" })).rejects.toMatchObject({ code: "ACCOUNT_REVOKED" });
    } finally {
      await w.close();
    }
  }, 120_000);
});

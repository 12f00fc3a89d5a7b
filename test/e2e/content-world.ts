import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { requestEgress } from "../../runtime/services/egress.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { as, newDomain } from "../helpers/fixture.js";

/** A domain with a provider, a developer, `people` (subject id_number) from `csv` and scenario `age` granting `grant`, approved. */
export async function contentWorld(csv: string[], grant: string) {
  const env = await newDomain();
  const a = env.adminToken;
  const tok: Record<string, string> = {};
  const dir = join(env.dir, "..");
  await as(env.dir, a, (s) => addOrg(s, { id: "prov", name: "卫健委", kind: "provider" }));
  await as(env.dir, a, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
  tok.dev = (await as(env.dir, a, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
  tok.prov = (await as(env.dir, a, (s) => addAccount(s, { id: "p1", name: "王一", org: "prov", roles: ["provider", "reviewer"] }))).token;
  writeFileSync(join(dir, "people.csv"), csv.join("\n") + "\n");
  await as(env.dir, a, (s) => ingestDataset(s, { id: "people", file: join(dir, "people.csv"), provider: "prov", grade: 2, subject: ["id_number"] } as never));
  await as(env.dir, a, (s) => addAgreement(s, { org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-01-01" }));
  await as(env.dir, tok.dev, (s) => submitScenario(s, { id: "age", purpose: "按区县统计年龄结构以规划养老服务", grants: [grant] }));
  await as(env.dir, a, (s) => approveScenario(s, "age"));
  await as(env.dir, tok.prov, (s) => approveScenario(s, "age"));

  /** Runs `code` as a raw model job of scenario `age` and requests its egress as `form`. */
  async function egress(name: string, code: string, form: "report" | "model" | "index") {
    const file = join(dir, name);
    writeFileSync(file, code);
    const job = await as(env.dir, tok.dev, (s) => submitJob(s, { scenario: "age", model: file }));
    expect(job.state, `${name}: ${JSON.stringify(job.error)} ${job.reason}`).toBe("succeeded");
    const e = await as(env.dir, tok.dev, (s) => requestEgress(s, { job: job.id, form }));
    return { job, e, nonPass: e.findings.filter((f) => f.severity !== "pass") };
  }
  return { env, tok, dir, egress };
}

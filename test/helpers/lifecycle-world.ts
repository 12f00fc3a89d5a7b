import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { authenticate } from "../../runtime/auth/authenticate.js";
import { Domain } from "../../runtime/domain/domain.js";
import { loadSeal } from "../../runtime/domain/seal.js";
import { ApiProductRuntime } from "../../runtime/server/api-products/product-runtime.js";
import { publishApiProduct, reviewApiProduct } from "../../runtime/server/api-products/service.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { listProducts, requestEgress, reviewEgress } from "../../runtime/services/egress.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, submitScenario } from "../../runtime/services/scenarios.js";
import type { Session } from "../../runtime/services/session.js";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { newDomain, writeCsv } from "./fixture.js";

export const COUNT_SQL = "SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender ORDER BY gender";
export const API_SQL = "SELECT count(*)::INTEGER AS n FROM people WHERE gender = $1";

/**
 * A running domain (one Domain handle, as `shuyu serve` holds) with a provider, a
 * developer organisation with two developers (alice, carol), an operator reviewer, an
 * agreement agr1 (2026-01-01..2028-12-31), an approved scenario `stats` (until
 * 2027-06-30) and, ready for every gate: a succeeded job not yet requested, a checked
 * egress request, a released product with its package and a listed API product.
 */
export async function lifecycleWorld(opts: { marker?: string } = {}) {
  const env = await newDomain();
  const domain = await Domain.open(env.dir);
  const session = async (token: string): Promise<Session> => ({ domain, principal: await authenticate(domain, token) });
  const admin = await session(env.adminToken);
  await addOrg(admin, { id: "wjw", name: "卫健委", kind: "provider" });
  await addOrg(admin, { id: "dev1", name: "开发一", kind: "developer" });
  const tok = async (id: string, name: string, org: string, roles: string[]) => (await addAccount(admin, { id, name, org, roles })).token;
  const tokens = {
    admin: env.adminToken,
    prov: await tok("pw", "王提供", "wjw", ["provider"]),
    alice: await tok("alice", "张三", "dev1", ["developer"]),
    carol: await tok("carol", "陈五", "dev1", ["developer"]),
    rev: await tok("rev", "李审查", "operator", ["reviewer"]),
    rev2: await tok("rev2", "周审查", "operator", ["reviewer"]),
  };
  const rng = createRng(3);
  const rows = Array.from({ length: 300 }, (_, i) => [fakePersonName(rng), fakeResidentId(rng), i % 2 ? "F" : "M", 1000 + ((i * 37) % 9000)]);
  const file = writeCsv(join(env.dir, "..", "people.csv"), ["name", "id_number", "gender", "income"], rows);
  await ingestDataset(admin, { id: "people", file, provider: "wjw", grade: 2, subject: ["id_number"] });
  await addAgreement(admin, { id: "agr1", org: "dev1", datasets: ["people"], start: "2026-01-01", end: "2028-12-31" });
  const alice = await session(tokens.alice);
  await submitScenario(alice, { id: "stats", purpose: "按性别统计人口数量用于公共服务规划", grants: ["people:name,id_number,gender,income"], until: "2027-06-30" });
  await approveScenario(admin, "stats");
  await approveScenario(await session(tokens.prov), "stats");
  // The marker is a value only this organisation's outputs hold (the purge test looks for it).
  const marker = opts.marker ?? "LIFECYCLE-MARKER";
  const model = join(env.dir, "..", "count.js");
  // The tag is computed in SQL so the released table is the accounted query's result unchanged
  // (a column added in JavaScript would make it `computed`, which the gate blocks).
  const sql = `SELECT gender, count(*)::INTEGER AS n, '${marker}-' || gender AS tag FROM people GROUP BY gender ORDER BY gender`;
  writeFileSync(model, `export default async (ctx) => ({ tables: { by_gender: (await ctx.query(${JSON.stringify(sql)})).columns } });`);
  const released = await submitJob(alice, { scenario: "stats", model });
  const e0 = await requestEgress(alice, { job: released.id, form: "dataset" });
  const rel = await reviewEgress(await session(tokens.rev), e0.id, "approve", "聚合结果单元格充足");
  const product = rel.product!.id;
  const requested = await submitJob(alice, { scenario: "stats", model });
  const pending = await requestEgress(alice, { job: requested.id, form: "dataset" });
  const fresh = await submitJob(alice, { scenario: "stats", model });
  const sqlJob = await submitJob(alice, { scenario: "stats", sql: API_SQL, params: JSON.stringify(["F"]) });
  const api = await publishApiProduct(alice, {
    job: sqlJob.id, sql: API_SQL, name: "性别人数", params: [{ name: "gender", type: "string" }], output: [{ name: "n", kind: "count" }], rules: { minCount: 1 },
  });
  await reviewApiProduct(await session(tokens.rev), api.id, { decision: "approve", reason: "仅输出计数" });
  const runtime = new ApiProductRuntime(domain, loadSeal(domain.paths.keys));
  return {
    env, domain, session, tokens, rows, model, marker, runtime,
    ids: { product, pending: pending.id, fresh: fresh.id, released: released.id, requested: requested.id, api: api.id },
    products: () => listProducts(admin),
    close: async () => {
      await runtime.close();
      domain.close();
      env.cleanup();
    },
  };
}

export type LifecycleWorld = Awaited<ReturnType<typeof lifecycleWorld>>;

import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { authorize } from "../../../policies/authz/engine.js";
import { seesAllOrgs } from "../../../policies/authz/object-rules.js";
import { ShuyuError } from "../../../policies/errors.js";
import { IdSchema, parseInput } from "../../../policies/schemas/common.js";
import { now } from "../../clock.js";
import type { Domain } from "../../domain/domain.js";
import { all, one } from "../../domain/db.js";
import { currentVersion } from "../../services/datasets.js";
import { reviewersNeeded } from "../../services/egress.js";
import { loadJob } from "../../services/jobs.js";
import { loadScenario, readLibraryManifest } from "../../services/scenarios.js";
import { ProductQueryEngine } from "./query-engine.js";
import { checkNow } from "../../lifecycle/gate.js";
import { assertStanding } from "../../lifecycle/standing.js";
import type { Session } from "../../services/session.js";

const ClassField = z.object({
  name: z.string().min(1).max(63),
  kind: z.literal("class"),
  values: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,31}$/, "class values are short words (letters, digits, '_', '-'), never data values")).min(1).max(32),
});
const CountField = z.object({ name: z.string().min(1).max(63), kind: z.literal("count") });

/** A data-interface product: the reviewed SQL, the declared parameters and output, and the per-call rules. */
export const PublishApiInput = z.object({
  job: z.string().min(1),
  /** The SQL text; its SM3 must equal the job's code SM3, so what runs per call is what ran and was reviewed. */
  sql: z.string().min(1).max(100_000),
  name: z.string().trim().min(1).max(200),
  params: z.array(z.object({ name: IdSchema, type: z.enum(["string", "number"]), maxLength: z.number().int().min(1).max(1000).prefault(200) })).max(16),
  output: z.array(z.discriminatedUnion("kind", [ClassField, CountField])).min(1).max(16),
  rules: z
    .object({
      minCount: z.number().int().min(1).max(1000).prefault(10),
      maxRows: z.number().int().min(1).max(100).prefault(1),
      perSecond: z.number().positive().max(100_000).prefault(20),
      burst: z.number().int().min(1).max(100_000).prefault(40),
      quotaPerDay: z.number().int().min(1).max(100_000_000).prefault(10_000),
    })
    .prefault({}),
});
export type ApiProductSpec = z.infer<typeof PublishApiInput>;

export const ApiReviewInput = z.object({ decision: z.enum(["approve", "reject"]), reason: z.string().trim().min(1, "a review states its reason").max(2000) });

/** A published data-interface product as stored. */
export interface ApiProduct {
  id: string;
  job: string;
  scenario: string;
  org: string;
  name: string;
  codeSm3: string;
  spec: ApiProductSpec;
  state: "submitted" | "listed" | "rejected";
  reviews: { by: string; org: string; decision: string; reason: string; at: string }[];
  requestedBy: string;
  createdAt: string;
}

type Row = { id: string; job: string; scenario: string; org: string; name: string; code_sm3: string; spec: string; state: ApiProduct["state"]; reviews: string; requested_by: string; created_at: Date };

const toProduct = (r: Row): ApiProduct => ({
  id: r.id, job: r.job, scenario: r.scenario, org: r.org, name: r.name, codeSm3: r.code_sm3, spec: JSON.parse(r.spec) as ApiProductSpec, state: r.state,
  reviews: JSON.parse(r.reviews) as ApiProduct["reviews"], requestedBy: r.requested_by, createdAt: r.created_at.toISOString(),
});

/** Loads an API product or NOT_FOUND (no authorization: callers decide). */
export async function loadApiProduct(domain: Domain, id: string): Promise<ApiProduct> {
  const r = await one<Row>(domain.control, "SELECT * FROM api_products WHERE id = ?", [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `API product '${id}' does not exist`, { details: { what: "API product", id } });
  return toProduct(r);
}

/**
 * A developer publishes a succeeded raw SQL job as a data interface (R6, HB 3/4). Only
 * the job's own SQL (checked by SM3) can be published, with declared parameters, a
 * declared output (class values or counts, never data values) and per-call rules; it is
 * listed only after a reviewer of another organisation approves it.
 */
export async function publishApiProduct(s: Session, raw: unknown): Promise<ApiProduct> {
  authorize(s.principal, "product.publish");
  const input = parseInput(PublishApiInput, raw, "product");
  const job = await loadJob(s, input.job);
  if (job.org !== s.principal.orgId) throw new ShuyuError("denied", "PERMISSION_DENIED", `job '${job.id}' belongs to organisation '${job.org}'`, { details: { permission: "product.publish" } });
  if (job.mode !== "raw" || job.state !== "succeeded") throw new ShuyuError("invalid", "JOB_NOT_SUCCEEDED", `job '${job.id}' is a ${job.mode} job in state ${job.state}; publish a succeeded raw job`);
  if (job.kind !== "sql") throw new ShuyuError("invalid", "NOT_AN_SQL_JOB", `job '${job.id}' is a ${job.kind} job; data interfaces are published from SQL jobs`);
  const sm3 = createHash("sm3").update(input.sql).digest("hex");
  if (sm3 !== job.code_sm3) throw new ShuyuError("invalid", "SQL_MISMATCH", `the SQL given is not the SQL job '${job.id}' ran (SM3 ${sm3} ≠ ${job.code_sm3})`);
  const sc = await loadScenario(s, job.scenario);
  if (sc.state !== "approved") throw new ShuyuError("denied", "SCENARIO_NOT_APPROVED", `scenario '${sc.id}' is ${sc.state}`);
  await checkNow(s, { step: "product.publish", scenario: sc.id, accounts: [s.principal.accountId, job.submitted_by] });
  const names = input.output.map((f) => f.name);
  if (new Set(names).size !== names.length) throw new ShuyuError("invalid", "DUPLICATE_FIELD", "output field names must be unique");
  const dir = s.domain.paths.library(sc.id);
  const engine = await ProductQueryEngine.open(dir, readLibraryManifest(dir), input.sql);
  try {
    if (engine.columns.join(",") !== names.join(",")) {
      throw new ShuyuError("invalid", "OUTPUT_SCHEMA_MISMATCH", `the SQL returns columns (${engine.columns.join(", ")}) but the declared output is (${names.join(", ")})`);
    }
    if (engine.parameterCount !== input.params.length) {
      throw new ShuyuError("invalid", "PARAMS_MISMATCH", `the SQL takes ${engine.parameterCount} parameters ($1…) but ${input.params.length} are declared`);
    }
  } finally {
    engine.close();
  }
  const id = `api-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT INTO api_products VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', '[]', ?, ?::TIMESTAMP)", [
      id, job.id, sc.id, job.org, input.name, sm3, JSON.stringify(input), s.principal.accountId, now().toISOString(),
    ]);
    await s.domain.audit({
      actor: s.principal.accountId, action: "product.publish", object: `api-product:${id}`,
      details: { job: job.id, scenario: sc.id, codeSm3: sm3, params: input.params.map((p) => p.name), output: input.output, rules: input.rules },
    });
    return loadApiProduct(s.domain, id);
  });
}

/** A reviewer of another organisation lists or rejects a published interface (separation of duties, like any egress). */
export async function reviewApiProduct(s: Session, id: string, raw: unknown): Promise<ApiProduct> {
  const input = parseInput(ApiReviewInput, raw, "review");
  return s.domain.mutate(async () => {
    const p = await loadApiProduct(s.domain, id);
    const submitter = await one<{ org: string }>(s.domain.control, "SELECT org FROM accounts WHERE id = ?", [p.requestedBy]);
    authorize(s.principal, "egress.review", { submitterOrg: submitter?.org ?? p.org, ownerOrg: p.org });
    if (p.state !== "submitted") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `API product '${id}' is ${p.state}; it can no longer be reviewed`);
    await assertStanding(s, { step: "product.review", scenario: p.scenario, accounts: [s.principal.accountId, p.requestedBy] });
    if (p.reviews.some((r) => r.by === s.principal.accountId)) throw new ShuyuError("invalid", "ALREADY_REVIEWED", `${s.principal.accountId} already reviewed '${id}'; a second reviewer must be another person`);
    const reviews = [...p.reviews, { by: s.principal.accountId, org: s.principal.orgId, decision: input.decision, reason: input.reason, at: now().toISOString() }];
    // Reviewed like any egress: grade-4 data needs two approvals.
    const sc = await loadScenario(s, p.scenario);
    let grade = 1;
    for (const g of sc.grants) grade = Math.max(grade, (await currentVersion(s, g.dataset)).grade);
    const approvals = reviews.filter((r) => r.decision === "approve").length;
    const state = input.decision === "reject" ? "rejected" : approvals >= reviewersNeeded(grade) ? "listed" : "submitted";
    await s.domain.control.run("UPDATE api_products SET state = ?, reviews = ? WHERE id = ?", [state, JSON.stringify(reviews), id]);
    await s.domain.audit({ actor: s.principal.accountId, action: `product.${input.decision}`, object: `api-product:${id}`, details: { reason: input.reason, state } });
    return loadApiProduct(s.domain, id);
  });
}

/** API products the principal may see: its organisation's, or all for operator staff and reviewers. */
export async function listApiProducts(s: Session): Promise<ApiProduct[]> {
  authorize(s.principal, "product.read");
  const rows = (await all<Row>(s.domain.control, "SELECT * FROM api_products ORDER BY created_at DESC")).map(toProduct);
  return rows.filter((r) => seesAllOrgs(s.principal) || s.principal.roles.includes("reviewer") || r.org === s.principal.orgId || r.state === "listed");
}

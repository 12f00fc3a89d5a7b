import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { Action } from "../../policies/authz/actions.js";
import { parseInput } from "../../policies/schemas/common.js";
import { addAccount, AddAccountInput, listAccounts, revokeAccount } from "../services/accounts.js";
import { addAgreement, AddAgreementInput, changeAgreement, listAgreements } from "../services/agreements.js";
import { AuditFilter, auditLog, verifyAudit } from "../services/audit.js";
import { listCatalog, showCatalog } from "../services/catalog.js";
import { ingestDataset, IngestInput, purgeVersions, tagColumn, TagInput } from "../services/datasets.js";
import { EgressRequestInput, listEgress, listProducts, requestEgress, reviewEgress, showEgress } from "../services/egress.js";
import { egressDossier } from "../services/egress-dossier.js";
import { DRY_RUN_FORMS, devJobChecked, type DryRunForm } from "../services/dev-check.js";
import { cancelJob, JobFilterSchema, jobLogs, jobStatus, listJobs, submitJob } from "../services/jobs.js";
import { SetMaximaInput, SetQuotaInput, setQuota, setScenarioMaxima, showQuotas, showScenarioMaxima } from "../services/job-policy.js";
import { addOrg, AddOrgInput, listOrgs } from "../services/orgs.js";
import { approveScenario, changeScenario, listScenarios, rejectScenario, showScenario, submitScenario, SubmitScenarioInput } from "../services/scenarios.js";
import type { Session } from "../services/session.js";
import { RoleInput, setColumnRole, setSubjectKey, SubjectInput } from "../services/subjects.js";
import { LIFECYCLE_ROUTES } from "./lifecycle-routes.js";
import { waitingFor } from "../services/waiting.js";
import { OBLIGATION_ROUTES } from "./obligation-routes.js";

/** What a route handler receives besides the session. */
export interface RouteInput {
  params: Record<string, string>;
  body: unknown;
  query: Record<string, unknown>;
}

/** One API route: its place, the zod schema of its body or query (the service's own), and the service call. */
export interface ApiRoute {
  method: "GET" | "POST";
  url: string;
  summary: string;
  /** The permission the policy engine checks (documentation; the service enforces it). */
  permission: Action;
  body?: z.ZodType;
  query?: z.ZodType;
  status?: number;
  handler: (s: Session, input: RouteInput) => Promise<unknown>;
}

export const ReasonBody = z.object({ reason: z.string().trim().min(1, "state a reason").max(2000) });
export const OptionalReasonBody = z.object({ reason: z.string().max(2000).optional() });
export const ReviewBody = z.object({ decision: z.enum(["approve", "reject"]), reason: z.string().trim().min(1, "a review states its reason").max(2000) });
/** An egress review may also return the request for changes. */
export const EgressReviewBody = z.object({ decision: z.enum(["approve", "reject", "return"]), reason: z.string().trim().min(1, "a review states its reason").max(2000) });
export const DossierQuery = z.object({ page: z.coerce.number().int().min(1).optional(), pageSize: z.coerce.number().int().min(1).max(1000).optional() });
export const PurgeBody = z.object({ version: z.number().int().positive().optional() });
export const TagBody = TagInput.omit({ dataset: true });
export const SubjectBody = SubjectInput.omit({ dataset: true });
export const RoleBody = RoleInput.omit({ dataset: true });
export const CatalogQuery = z.object({ sample: z.enum(["true", "false"]).optional(), rows: z.coerce.number().int().min(1).max(10_000).optional() });

/**
 * Jobs over HTTP carry the model's source (`modelCode`), never a server path: a path
 * would let a caller run any file on the server as a model. The source is written to
 * a private temp file so the job service reads it exactly as the CLI's --model.
 */
const HttpJobFields = z.object({
  scenario: z.string(),
  sql: z.string().max(1_000_000).optional(),
  modelCode: z.string().max(4 * 1024 * 1024).optional(),
  language: z.enum(["js", "ts"]).optional(),
  params: z.string().max(1_000_000).optional(),
  limits: z.record(z.string(), z.number()).optional(),
});
const oneSource = (v: { sql?: string; modelCode?: string }) => (v.sql === undefined) !== (v.modelCode === undefined);

export const HttpJobInput = HttpJobFields.refine(oneSource, { message: "give exactly one of sql or modelCode" });

/** A dev run, and with `check` the gate's dry run on its output (`shuyu job dev --check`). */
export const HttpDevJobInput = HttpJobFields.extend({ check: z.enum(DRY_RUN_FORMS, { message: "check is dataset|report|model|index" }).optional() })
  .refine(oneSource, { message: "give exactly one of sql or modelCode" });

async function withModelFile<T>(raw: unknown, fn: (input: Record<string, unknown>) => Promise<T>, schema: z.ZodType<z.infer<typeof HttpJobInput>> = HttpJobInput): Promise<T> {
  const input = parseInput(schema, raw, "job");
  const { modelCode, language, ...rest } = input;
  if (modelCode === undefined) return fn(rest);
  const dir = mkdtempSync(join(tmpdir(), "shuyu-model-"));
  try {
    const file = join(dir, `model.${language ?? "js"}`);
    writeFileSync(file, modelCode, { mode: 0o600 });
    return await fn({ ...rest, model: file });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const body = (i: RouteInput) => (i.body ?? {}) as Record<string, unknown>;

/** Every CLI action that makes sense over HTTP, each a call of the same service function. */
export const API_ROUTES: ApiRoute[] = [
  { method: "GET", url: "/api/whoami", summary: "The authenticated account", permission: "catalog.read", handler: async (s) => s.principal },
  { method: "GET", url: "/api/status", summary: "What waits for the signed-in account: approvals, reviews, failed jobs, returned requests (each with the command that deals with it)", permission: "catalog.read", handler: (s) => waitingFor(s) },
  { method: "GET", url: "/api/orgs", summary: "List organisations", permission: "org.list", handler: (s) => listOrgs(s) },
  { method: "POST", url: "/api/orgs", summary: "Add an organisation", permission: "org.add", body: AddOrgInput, status: 201, handler: (s, i) => addOrg(s, i.body) },
  { method: "GET", url: "/api/accounts", summary: "List accounts", permission: "account.list", handler: (s) => listAccounts(s) },
  { method: "POST", url: "/api/accounts", summary: "Add a real-name account (token returned once)", permission: "account.add", body: AddAccountInput, status: 201, handler: (s, i) => addAccount(s, i.body) },
  {
    method: "POST", url: "/api/accounts/:id/revoke", summary: "Revoke an account", permission: "account.revoke", body: ReasonBody,
    handler: (s, i) => revokeAccount(s, i.params.id, parseInput(ReasonBody, i.body, "revoke").reason),
  },
  { method: "POST", url: "/api/datasets", summary: "Ingest a file on the server into the vault", permission: "dataset.ingest", body: IngestInput, status: 201, handler: (s, i) => ingestDataset(s, i.body) },
  {
    method: "POST", url: "/api/datasets/:id/tags", summary: "Confirm or edit a column's tags", permission: "dataset.tag", body: TagBody,
    handler: (s, i) => tagColumn(s, { ...body(i), dataset: i.params.id }),
  },
  {
    method: "POST", url: "/api/datasets/:id/subject", summary: "Confirm or set the subject key (columns, kind)", permission: "dataset.tag", body: SubjectBody,
    handler: (s, i) => setSubjectKey(s, { ...body(i), dataset: i.params.id }),
  },
  {
    method: "POST", url: "/api/datasets/:id/roles", summary: "Set a column's role", permission: "dataset.tag", body: RoleBody,
    handler: (s, i) => setColumnRole(s, { ...body(i), dataset: i.params.id }),
  },
  {
    method: "POST", url: "/api/datasets/:id/purge", summary: "Purge superseded versions", permission: "dataset.purge", body: PurgeBody,
    handler: async (s, i) => ({ id: i.params.id, purged: await purgeVersions(s, i.params.id, parseInput(PurgeBody, i.body ?? {}, "purge").version) }),
  },
  { method: "GET", url: "/api/catalog", summary: "The development data catalog (R2)", permission: "catalog.read", handler: (s) => listCatalog(s) },
  {
    method: "GET", url: "/api/catalog/:id", summary: "One catalog entry; ?sample=true adds desensitized sample rows", permission: "catalog.read", query: CatalogQuery,
    handler: (s, i) => {
      const q = parseInput(CatalogQuery, i.query, "query");
      return showCatalog(s, i.params.id, { sample: q.sample === "true", rows: q.rows });
    },
  },
  { method: "GET", url: "/api/agreements", summary: "List agreements", permission: "agreement.read", handler: (s) => listAgreements(s) },
  { method: "POST", url: "/api/agreements", summary: "Add an agreement (≤ 3 years)", permission: "agreement.add", body: AddAgreementInput, status: 201, handler: (s, i) => addAgreement(s, i.body) },
  ...(["suspend", "resume", "terminate"] as const).map(
    (change): ApiRoute => ({
      method: "POST", url: `/api/agreements/:id/${change}`, summary: `${change[0].toUpperCase()}${change.slice(1)} an agreement`, permission: "agreement.change", body: ReasonBody,
      handler: (s, i) => changeAgreement(s, i.params.id, change, parseInput(ReasonBody, i.body, change).reason),
    }),
  ),
  { method: "GET", url: "/api/scenarios", summary: "List scenarios", permission: "scenario.read", handler: (s) => listScenarios(s) },
  { method: "POST", url: "/api/scenarios", summary: "Submit a scenario", permission: "scenario.submit", body: SubmitScenarioInput, status: 201, handler: (s, i) => submitScenario(s, i.body) },
  { method: "GET", url: "/api/scenarios/:id", summary: "Show a scenario", permission: "scenario.read", handler: (s, i) => showScenario(s, i.params.id) },
  {
    method: "POST", url: "/api/scenarios/:id/approve", summary: "Approve a scenario (operator or provider)", permission: "scenario.approve", body: OptionalReasonBody,
    handler: (s, i) => approveScenario(s, i.params.id, parseInput(OptionalReasonBody, i.body ?? {}, "approve").reason),
  },
  {
    method: "POST", url: "/api/scenarios/:id/reject", summary: "Reject a scenario", permission: "scenario.reject", body: OptionalReasonBody,
    handler: (s, i) => rejectScenario(s, i.params.id, parseInput(OptionalReasonBody, i.body ?? {}, "reject").reason),
  },
  ...(["suspend", "resume", "revoke"] as const).map(
    (change): ApiRoute => ({
      method: "POST", url: `/api/scenarios/:id/${change}`, summary: `${change[0].toUpperCase()}${change.slice(1)} a scenario`, permission: "scenario.change", body: ReasonBody,
      handler: (s, i) => changeScenario(s, i.params.id, change, parseInput(ReasonBody, i.body, change).reason),
    }),
  ),
  { method: "GET", url: "/api/jobs", summary: "List jobs, newest first (filters: state, scenario, mode; paging: limit, offset)", permission: "job.read", query: JobFilterSchema, handler: (s, i) => listJobs(s, i.query) },
  { method: "POST", url: "/api/jobs", summary: "Run a job on the scenario's raw library (coarse status only)", permission: "job.submit", body: HttpJobInput, status: 201, handler: (s, i) => withModelFile(i.body, (input) => submitJob(s, input)) },
  { method: "POST", url: "/api/jobs/dev", summary: "Run a job on the sample library (output visible); with check, the gate's dry run on its output", permission: "job.dev", body: HttpDevJobInput, handler: (s, i) => withModelFile(i.body, ({ check, ...input }) => devJobChecked(s, input, check as DryRunForm | undefined), HttpDevJobInput) },
  { method: "GET", url: "/api/jobs/:id", summary: "A job's coarse status", permission: "job.read", handler: (s, i) => jobStatus(s, i.params.id) },
  { method: "GET", url: "/api/jobs/:id/logs", summary: "A job's logs as the gate allows them (dev runs only)", permission: "job.read", handler: (s, i) => jobLogs(s, i.params.id) },
  { method: "GET", url: "/api/quotas", summary: "Raw-job quotas per account and organisation", permission: "quota.read", handler: (s) => showQuotas(s) },
  { method: "POST", url: "/api/quotas", summary: "Set a raw-job quota per calendar day of the domain's time zone (account or organisation; '*' for the default)", permission: "quota.set", body: SetQuotaInput, handler: (s, i) => setQuota(s, i.body) },
  { method: "GET", url: "/api/scenarios/:id/limits", summary: "A scenario's job-limit maxima", permission: "limits.read", handler: (s, i) => showScenarioMaxima(s, i.params.id) },
  {
    method: "POST", url: "/api/scenarios/:id/limits", summary: "Set a scenario's job-limit maxima", permission: "limits.set", body: SetMaximaInput.shape.maxima,
    handler: (s, i) => setScenarioMaxima(s, { scenario: i.params.id, maxima: body(i) }),
  },
  { method: "POST", url: "/api/jobs/:id/cancel", summary: "Cancel a queued or running job", permission: "job.cancel", body: OptionalReasonBody, handler: (s, i) => cancelJob(s, i.params.id, (i.body as { reason?: string } | undefined)?.reason) },
  { method: "GET", url: "/api/egress", summary: "List egress requests (reviewers: the queue)", permission: "egress.read", handler: (s) => listEgress(s) },
  { method: "POST", url: "/api/egress", summary: "Ask for a job's output to leave (the gate runs)", permission: "egress.request", body: EgressRequestInput, status: 201, handler: (s, i) => requestEgress(s, i.body) },
  { method: "GET", url: "/api/egress/:id", summary: "An egress request and the gate's findings", permission: "egress.read", handler: (s, i) => showEgress(s, i.params.id) },
  {
    method: "GET", url: "/api/egress/:id/dossier", summary: "Reviewers: purpose, requester, code, each table's mark, rows and a page of output with flagged cells, sorted findings", permission: "egress.read", query: DossierQuery,
    handler: (s, i) => egressDossier(s, i.params.id, parseInput(DossierQuery, i.query, "dossier")),
  },
  {
    method: "POST", url: "/api/egress/:id/review", summary: "Approve, reject or return for changes an egress request (another organisation's reviewer)", permission: "egress.review", body: EgressReviewBody,
    handler: (s, i) => {
      const b = parseInput(EgressReviewBody, i.body, "review");
      return reviewEgress(s, i.params.id, b.decision, b.reason);
    },
  },
  { method: "GET", url: "/api/products", summary: "Registered products (存证)", permission: "product.read", handler: (s) => listProducts(s) },
  { method: "GET", url: "/api/audit", summary: "Audit log, filtered", permission: "audit.read", query: AuditFilter, handler: (s, i) => auditLog(s, i.query) },
  { method: "POST", url: "/api/audit/verify", summary: "Verify the audit chain (R7)", permission: "audit.verify", handler: (s) => verifyAudit(s) },
  ...LIFECYCLE_ROUTES,
  ...OBLIGATION_ROUTES,
];

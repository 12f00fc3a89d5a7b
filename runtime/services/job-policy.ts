import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { one } from "../domain/db.js";
import {
  DEFAULT_MAXIMA, ensureJobPolicyTables, listQuotas, MAXIMA_KEYS, maximaFor, QUOTA_DEFAULT_ID, quotaFor, storeMaxima, storeQuota,
  type JobMaxima, type QuotaScope,
} from "../jobs/job-policy.js";
import type { Session } from "./session.js";

export const SetQuotaInput = z
  .object({
    account: z.union([IdSchema, z.literal(QUOTA_DEFAULT_ID)]).optional(),
    org: z.union([IdSchema, z.literal(QUOTA_DEFAULT_ID)]).optional(),
    rawJobsPerDay: z.number().int().min(0).max(1_000_000),
  })
  .refine((v) => (v.account === undefined) !== (v.org === undefined), { message: "give exactly one of account or org ('*' for the default)" });

/** The operator sets a raw-job quota per calendar day of the domain's time zone for an account, an organisation, or (`*`) the default of either. */
export async function setQuota(s: Session, raw: unknown): Promise<{ scope: QuotaScope; id: string; rawJobsPerDay: number }> {
  authorize(s.principal, "quota.set");
  const input = parseInput(SetQuotaInput, raw, "quota");
  await ensureJobPolicyTables(s.domain);
  const scope: QuotaScope = input.account !== undefined ? "account" : "org";
  const id = (input.account ?? input.org)!;
  return s.domain.mutate(async () => {
    if (id !== QUOTA_DEFAULT_ID) {
      const table = scope === "account" ? "accounts" : "orgs";
      if (!(await one(s.domain.control, `SELECT 1 FROM ${table} WHERE id = ?`, [id]))) throw new ShuyuError("invalid", "NOT_FOUND", `${scope === "account" ? "account" : "organisation"} '${id}' does not exist`, { details: { what: scope, id } });
    }
    await storeQuota(s.domain, scope, id, input.rawJobsPerDay, s.principal.accountId, now());
    await s.domain.audit({ actor: s.principal.accountId, action: "quota.set", object: `${scope}:${id}`, details: { rawJobsPerDay: input.rawJobsPerDay } });
    return { scope, id, rawJobsPerDay: input.rawJobsPerDay };
  });
}

/** Stored quotas and the built-in defaults. */
export async function showQuotas(s: Session): Promise<{ defaults: Record<QuotaScope, number>; quotas: Awaited<ReturnType<typeof listQuotas>> }> {
  authorize(s.principal, "quota.read");
  await ensureJobPolicyTables(s.domain);
  return { defaults: { account: await quotaFor(s.domain, "account", QUOTA_DEFAULT_ID), org: await quotaFor(s.domain, "org", QUOTA_DEFAULT_ID) }, quotas: await listQuotas(s.domain) };
}

export const SetMaximaInput = z.object({
  scenario: IdSchema,
  maxima: z.object(Object.fromEntries(MAXIMA_KEYS.map((k) => [k, z.number().int().positive().optional()])) as Record<keyof JobMaxima, z.ZodOptional<z.ZodNumber>>).strict(),
});

/** The operator sets a scenario's maxima: the most wall time, memory, outputs … a job of it may ask for. */
export async function setScenarioMaxima(s: Session, raw: unknown): Promise<{ scenario: string; maxima: JobMaxima }> {
  authorize(s.principal, "limits.set");
  const input = parseInput(SetMaximaInput, raw, "limits");
  await ensureJobPolicyTables(s.domain);
  return s.domain.mutate(async () => {
    if (!(await one(s.domain.control, "SELECT 1 FROM scenarios WHERE id = ?", [input.scenario]))) throw new ShuyuError("invalid", "NOT_FOUND", `scenario '${input.scenario}' does not exist`, { details: { what: "scenario", id: input.scenario } });
    const maxima = { ...(await maximaFor(s.domain, input.scenario)), ...Object.fromEntries(Object.entries(input.maxima).filter(([, v]) => v !== undefined)) } as JobMaxima;
    await storeMaxima(s.domain, input.scenario, maxima, s.principal.accountId, now());
    await s.domain.audit({ actor: s.principal.accountId, action: "limits.set", object: `scenario:${input.scenario}`, details: { maxima } });
    return { scenario: input.scenario, maxima };
  });
}

/** A scenario's maxima (defaults where the operator set nothing). */
export async function showScenarioMaxima(s: Session, scenario: string): Promise<{ scenario: string; maxima: JobMaxima; defaults: JobMaxima }> {
  authorize(s.principal, "limits.read");
  await ensureJobPolicyTables(s.domain);
  return { scenario, maxima: await maximaFor(s.domain, scenario), defaults: DEFAULT_MAXIMA };
}

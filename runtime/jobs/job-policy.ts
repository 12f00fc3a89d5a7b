import { ShuyuError } from "../../policies/errors.js";
import { DEFAULT_LIMITS, type JobLimits } from "../../sandbox/index.js";
import { addDays, currentTimeZone, dayStart, localDate } from "../clock.js";
import { all, exec, one } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { protectTable } from "../domain/row-codec.js";

/**
 * The operator's job policy in the control store: raw-job quotas per account and per
 * organisation, per-scenario maxima of the limits a job may ask for, and the moment each
 * raw job's status may be released to its developer. The tables are created on first use
 * so domains made before they existed keep working.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS job_quotas (
  scope VARCHAR NOT NULL, id VARCHAR NOT NULL, raw_jobs_per_day INTEGER NOT NULL,
  set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL, PRIMARY KEY (scope, id));
CREATE TABLE IF NOT EXISTS scenario_limits (
  scenario VARCHAR PRIMARY KEY, maxima VARCHAR NOT NULL, set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL);
CREATE TABLE IF NOT EXISTS job_release (
  job VARCHAR PRIMARY KEY, release_ms BIGINT NOT NULL, seconds INTEGER NOT NULL);
`;

// Quotas and maxima bound what a developer may run; the release time bounds what a status shows: MAC'd.
protectTable("job_quotas", ["scope", "id"]);
protectTable("scenario_limits", ["scenario"]);
protectTable("job_release", ["job"], { lazy: true });

const ready = new WeakSet<Domain>();

/**
 * Creates the job-policy tables once per open domain. Call it at a service's entry,
 * outside any mutation: it queues behind the domain's writer like every other write.
 * (Jobs left by a crashed owner are the recovery pass's: runtime/domain/recovery.ts.)
 */
export async function ensureJobPolicyTables(domain: Domain): Promise<void> {
  if (ready.has(domain)) return;
  await domain.exclusive(async () => {
    if (ready.has(domain)) return;
    // A read-only open (job status, job list) cannot create tables; the writer that made the jobs made them.
    if (domain.readOnly) return;
    await exec(domain.control, SCHEMA);
    ready.add(domain);
  });
}

/** Raw jobs an account / an organisation may submit per calendar day of the domain's time zone when the operator set nothing. */
export const DEFAULT_QUOTA = Object.freeze({ account: 50, org: 200 });

export type QuotaScope = "account" | "org";
/** `*` as the id sets the default for every account (or organisation) without its own quota. */
export const QUOTA_DEFAULT_ID = "*";

/** The raw-job quota that applies to `id` in `scope` (its own, else the operator's default, else DEFAULT_QUOTA). */
export async function quotaFor(domain: Domain, scope: QuotaScope, id: string): Promise<number> {
  const rows = await all<{ id: string; raw_jobs_per_day: number }>(domain.control, "SELECT id, raw_jobs_per_day FROM job_quotas WHERE scope = ? AND id IN (?, ?)", [scope, id, QUOTA_DEFAULT_ID]);
  const own = rows.find((r) => r.id === id) ?? rows.find((r) => r.id === QUOTA_DEFAULT_ID);
  return own ? own.raw_jobs_per_day : DEFAULT_QUOTA[scope];
}

/** Stores a quota (the caller authorises and audits). */
export async function storeQuota(domain: Domain, scope: QuotaScope, id: string, perDay: number, by: string, at: Date): Promise<void> {
  await domain.control.run("INSERT OR REPLACE INTO job_quotas VALUES (?, ?, ?, ?, ?::TIMESTAMP)", [scope, id, perDay, by, at.toISOString()]);
}

/** Every stored quota. */
export async function listQuotas(domain: Domain): Promise<{ scope: QuotaScope; id: string; rawJobsPerDay: number; setBy: string }[]> {
  const rows = await all<{ scope: QuotaScope; id: string; raw_jobs_per_day: number; set_by: string }>(domain.control, "SELECT * FROM job_quotas ORDER BY scope, id");
  return rows.map((r) => ({ scope: r.scope, id: r.id, rawJobsPerDay: r.raw_jobs_per_day, setBy: r.set_by }));
}

/**
 * Refuses a raw job over the account's or the organisation's quota for the domain's calendar day of `at`.
 * Runs inside the mutation that records the job, so two submissions cannot both take the last slot.
 */
export async function checkRawJobQuota(domain: Domain, account: string, org: string, at: Date): Promise<void> {
  const day = localDate(at);
  // created_at holds UTC instants: the day's bounds in the domain's zone, as UTC timestamps.
  const utc = (d: Date) => d.toISOString().slice(0, 23).replace("T", " ");
  const [from, to] = [utc(dayStart(day)), utc(dayStart(addDays(day, 1)))];
  for (const [scope, id, column] of [["account", account, "submitted_by"], ["org", org, "org"]] as const) {
    const limit = await quotaFor(domain, scope, id);
    const used = await one<{ n: bigint }>(domain.control, `SELECT count(*) AS n FROM jobs WHERE mode = 'raw' AND ${column} = ? AND created_at >= ?::TIMESTAMP AND created_at < ?::TIMESTAMP`, [id, from, to]);
    if (Number(used?.n ?? 0) >= limit) {
      throw new ShuyuError("denied", "QUOTA_EXCEEDED", `the ${scope === "account" ? "account" : "organisation"} '${id}' has used its ${limit} raw jobs for ${day} (${currentTimeZone()}); the operator sets the quota ('shuyu quota set')`, {
        details: { scope, id, limit, day },
      });
    }
  }
}

/** The limits a scenario's operator allows at most, per JobLimits key, plus output caps. */
export interface JobMaxima extends JobLimits {
  /** Output parts (tables and the other kinds) one job may stage. */
  parts: number;
  /** Bytes one job may stage in total (Parquet, JSON). */
  stagedBytes: number;
}

/** Maxima when the operator set none for a scenario. */
export const DEFAULT_MAXIMA: JobMaxima = Object.freeze({
  memoryMiB: 256,
  cpuMs: 120_000,
  wallMs: 300_000,
  outputBytes: 256 * 1024 * 1024,
  rowsPerQuery: 10_000_000,
  queries: 1_000,
  logLines: 10_000,
  parts: DEFAULT_LIMITS.parts,
  stagedBytes: 256 * 1024 * 1024,
});

export const MAXIMA_KEYS = Object.keys(DEFAULT_MAXIMA) as (keyof JobMaxima)[];

/** The maxima that apply to a scenario (stored values over the defaults). */
export async function maximaFor(domain: Domain, scenario: string): Promise<JobMaxima> {
  const row = await one<{ maxima: string }>(domain.control, "SELECT maxima FROM scenario_limits WHERE scenario = ?", [scenario]);
  return { ...DEFAULT_MAXIMA, ...(row ? (JSON.parse(row.maxima) as Partial<JobMaxima>) : {}) };
}

/** Stores a scenario's maxima (the caller authorises and audits). */
export async function storeMaxima(domain: Domain, scenario: string, maxima: JobMaxima, by: string, at: Date): Promise<void> {
  await domain.control.run("INSERT OR REPLACE INTO scenario_limits VALUES (?, ?, ?, ?::TIMESTAMP)", [scenario, JSON.stringify(maxima), by, at.toISOString()]);
}

/**
 * A job's limits: the defaults lowered to the scenario's maxima, then what the developer
 * asked for — which may be less than the maximum, never more (LIMIT_ABOVE_MAXIMUM).
 */
export function effectiveLimits(asked: Partial<JobLimits>, maxima: JobMaxima): JobLimits {
  const limits = { ...DEFAULT_LIMITS } as JobLimits;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof JobLimits)[]) {
    const max = maxima[key];
    const want = asked[key];
    if (want !== undefined && want > max) {
      throw new ShuyuError("invalid", "LIMIT_ABOVE_MAXIMUM", `${key} ${want} is above this scenario's maximum ${max} (set by the operator)`, { details: { limit: key, asked: want, maximum: max } });
    }
    limits[key] = Math.min(want ?? limits[key], max);
  }
  return limits;
}

/** Records when a raw job's end may be shown to its developer (real milliseconds since the epoch). */
export async function storeRelease(domain: Domain, job: string, releaseMs: number, seconds: number): Promise<void> {
  await domain.control.run("INSERT OR REPLACE INTO job_release VALUES (?, ?, ?)", [job, releaseMs, seconds]);
}

/** Release moments of the given jobs (all when `job` is omitted). */
export async function releases(domain: Domain, job?: string): Promise<Map<string, { releaseMs: number; seconds: number }>> {
  const query = () => all<{ job: string; release_ms: bigint; seconds: number }>(domain.control, job === undefined ? "SELECT * FROM job_release" : "SELECT * FROM job_release WHERE job = ?", job === undefined ? [] : [job]);
  // A read-only open of a domain no writer has made the table in yet: no job has a release time.
  const rows = domain.readOnly ? await query().catch(() => []) : await query();
  return new Map(rows.map((r) => [r.job, { releaseMs: Number(r.release_ms), seconds: r.seconds }]));
}

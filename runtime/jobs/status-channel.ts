/**
 * The raw-job status channel, declared. Everything a developer learns about a job that
 * ran on raw data — before the egress gate — is a function of the few fields below, and
 * each field's capacity is written down here (bits per job) so the channel test can
 * measure the real thing against it. Anything not listed is staged, never shown.
 *
 * Fields the developer chose (id, scenario, kind, code SM3, the limits asked for) carry
 * no information about the data and are not counted.
 */

/** What a raw job's end is reduced to for its developer. */
export type Outcome = "succeeded" | "failed" | "limit-hit";

/** One declared field of the status channel and its capacity per job. */
export interface ChannelField {
  field: string;
  values: string;
  bits: number;
  why: string;
}

/** Time buckets per job: three edges inside the wall limit, the wall limit itself, and an overflow. */
export const TIME_BUCKETS = 5;
/** Outcomes a developer can tell apart. */
export const OUTCOMES = 3;
/** Seconds a wall-killed job may take beyond its wall limit: the owner's SIGKILL grace plus staging. */
export const RELEASE_SLACK_S = 2 + 10;

/** The declared budget: outcome and time bucket together (they are shown jointly). */
export const BITS_PER_JOB = Math.log2(OUTCOMES * TIME_BUCKETS);

/** The channel's fields, for the README table, `job status --json` and the channel test. */
export const STATUS_FIELDS: readonly ChannelField[] = Object.freeze([
  { field: "state", values: "succeeded | failed | limit-hit (`killed`)", bits: Math.log2(OUTCOMES), why: "the model can choose to succeed, throw or exhaust a limit" },
  { field: "seconds", values: `one of ${TIME_BUCKETS} bucket edges; the answer itself is held until that edge`, bits: Math.log2(TIME_BUCKETS), why: "run time is model-controlled; only its bucket is observable" },
  { field: "reason, error", values: "only for failures decided before any data is read (compile errors, import refusals, a refused SQL job text)", bits: 0, why: "a function of the code the developer sent, not of the data" },
  { field: "outputs", values: "not shown (names, kinds, counts, rows and sizes are staged)", bits: 0, why: "model-chosen" },
  { field: "logs, error message, error type, error position", values: "not shown (staged)", bits: 0, why: "model-chosen" },
]);

/**
 * Reasons that can only arise before the job reads any data: their value is a function of
 * the submitted code (and the limits the developer asked for), so showing them costs 0 bits.
 */
const PRE_DATA_REASONS: Record<"model" | "sql", ReadonlySet<string>> = {
  model: new Set(["MODEL_SYNTAX", "MODEL_IMPORT_DENIED", "MODEL_TOO_LARGE", "MODEL_TOO_DEEP"]),
  sql: new Set(["SQL_DENIED", "SQL_SYNTAX"]),
};

/** True when `reason` of a job of `kind` is decided by the code alone (then it may be shown). */
export function isPreDataReason(kind: string, reason: string | null | undefined): boolean {
  if (!reason) return false;
  return (PRE_DATA_REASONS[kind as "model" | "sql"] ?? new Set()).has(reason);
}

/** The developer-visible outcome of a stored job state. */
export function outcomeOf(state: string): Outcome | "running" {
  if (state === "succeeded") return "succeeded";
  if (state === "killed") return "limit-hit";
  if (state === "failed" || state === "cancelled") return "failed";
  return "running";
}

/**
 * The bucket edges (whole seconds after submission) for a job with this wall limit:
 * 1 s, two geometric steps up to the wall limit (plus slack), that limit, then an
 * overflow edge at twice it. The edges depend only on the limit the developer chose.
 */
export function bucketEdges(wallMs: number): number[] {
  const w = Math.max(2, Math.ceil(wallMs / 1000) + RELEASE_SLACK_S);
  const step = Math.cbrt(w);
  const edges = [1, Math.ceil(step), Math.ceil(step * step), w, 2 * w];
  for (let i = 1; i < edges.length; i++) edges[i] = Math.max(edges[i], edges[i - 1] + 1);
  return edges;
}

/**
 * When the developer may learn a job's end: the first bucket edge at or after it. Past the
 * overflow edge the time is rounded up to a whole multiple of it (a pathological owner stall).
 */
export function releaseAt(startedAt: Date, finishedAt: Date, wallMs: number): { at: Date; seconds: number } {
  const elapsed = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  const edges = bucketEdges(wallMs);
  let seconds = edges.find((e) => e >= elapsed);
  if (seconds === undefined) {
    const last = edges[edges.length - 1];
    seconds = Math.ceil(elapsed / last) * last;
  }
  return { at: new Date(startedAt.getTime() + seconds * 1000), seconds };
}

/**
 * The operator's own authorization (一级运营主体授权, GZ 7, ZJ 11): which datasets the
 * government authorized it to operate and for which term. It bounds every developer
 * agreement (lifecycle/terms.ts) and, once it lapses, the domain stops processing
 * (lifecycle/standing.ts). Recorded at `init` or by an admin; each record is audited and
 * the latest is in force. A domain without a record is unbounded and says so.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import type { Domain } from "../domain/domain.js";
import { all } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { ensureLifecycleTables } from "./schema.js";
import { operatorStanding } from "./standing.js";
import { MAX_SPAN_YEARS, shiftDate } from "./terms.js";

export const OperatorAuthorizationInput = z.object({
  start: DateSchema,
  end: DateSchema,
  /** Dataset ids, or ["*"] for every dataset the domain holds. */
  datasets: z.array(z.union([IdSchema, z.literal("*")])).min(1, "name the authorized datasets, or * for all"),
  reference: z.string().trim().min(1, "cite the authorizing document (--reference)").max(500),
});
export type OperatorAuthorization = z.infer<typeof OperatorAuthorizationInput> & { id: string; recordedAt: string; recordedBy: string };

/** Inserts a record (init and the admin command share it); the caller holds the mutation. */
export async function insertOperatorAuthorization(domain: Domain, actor: string, raw: unknown): Promise<OperatorAuthorization> {
  const input = parseInput(OperatorAuthorizationInput, raw, "authorization");
  if (input.end < input.start) throw new ShuyuError("invalid", "INVALID_TERM", `end ${input.end} is before start ${input.start}`);
  const limit = shiftDate(input.start, { years: MAX_SPAN_YEARS });
  if (input.end > limit) throw new ShuyuError("invalid", "TERM_TOO_LONG", `an authorization lasts at most ${MAX_SPAN_YEARS} years (GZ 7): end on or before ${limit}`, { details: { limit } });
  await ensureLifecycleTables(domain.control);
  const datasets = [...new Set(input.datasets)];
  // Agreements in force must still fit (their remaining term and datasets): a narrower record would strand them.
  const outlast = (await all<{ id: string; datasets: string; start: string; end: string }>(
    domain.control,
    "SELECT id, datasets, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\" FROM agreements WHERE state IN ('active','suspended')",
  )).filter((a) => a.end > input.end || (!datasets.includes("*") && (JSON.parse(a.datasets) as string[]).some((d) => !datasets.includes(d))));
  if (outlast.length) {
    throw new ShuyuError("invalid", "AGREEMENTS_OUTSIDE", `agreement(s) ${outlast.map((a) => a.id).join(", ")} reach beyond this authorization; end or narrow them first`, { details: { agreements: outlast.map((a) => a.id) } });
  }
  const id = `opa-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(3).toString("hex")}`;
  const at = now().toISOString();
  await domain.control.run("INSERT INTO operator_authorization VALUES (?, ?, ?::DATE, ?::DATE, ?, ?::TIMESTAMP, ?)", [id, JSON.stringify(datasets), input.start, input.end, input.reference, at, actor]);
  await domain.audit({ actor, action: "operator.authorize", object: `operator-authorization:${id}`, details: { datasets, start: input.start, end: input.end, reference: input.reference } });
  return { id, datasets, start: input.start, end: input.end, reference: input.reference, recordedAt: at, recordedBy: actor };
}

/** An admin records the operator's authorization (renewal or first record). */
export async function recordOperatorAuthorization(s: Session, raw: unknown): Promise<OperatorAuthorization> {
  authorize(s.principal, "operator.authorize");
  return s.domain.mutate(() => insertOperatorAuthorization(s.domain, s.principal.accountId, raw));
}

/** The authorization in force, its history and whether the domain may process today. */
export async function showOperatorAuthorization(s: Session): Promise<{ current: OperatorAuthorization | null; history: OperatorAuthorization[]; state: "in-force" | "not-recorded" | "lapsed" | "not-yet"; today: string; message?: string }> {
  authorize(s.principal, "operator.read");
  await ensureLifecycleTables(s.domain.control);
  const rows = await all<{ id: string; datasets: string; start: string; end: string; reference: string; recorded_at: Date; recorded_by: string }>(
    s.domain.control,
    "SELECT id, datasets, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\", reference, recorded_at, recorded_by FROM operator_authorization ORDER BY recorded_at, id",
  );
  const history = rows.map((r) => ({ id: r.id, datasets: JSON.parse(r.datasets) as string[], start: r.start, end: r.end, reference: r.reference, recordedAt: r.recorded_at.toISOString(), recordedBy: r.recorded_by }));
  const v = await operatorStanding(s);
  const state = !v ? "not-recorded" : v.ok ? "in-force" : v.code === "OPERATOR_NOT_AUTHORIZED" ? "not-yet" : "lapsed";
  return {
    current: history.at(-1) ?? null, history, state, today: today(),
    ...(v && !v.ok ? { message: v.message } : !v ? { message: "no operator authorization recorded: agreements are not bounded by one (record it with 'shuyu operator authorize')" } : {}),
  };
}

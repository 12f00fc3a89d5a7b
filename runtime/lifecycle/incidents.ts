/**
 * Security incidents (HB 34(3), HB 35, ZJ 14(1), HLJ 27, GY 39): opening one stops
 * processing in its scope at once — running jobs are cancelled (their output is never
 * staged), egress in the scope is frozen and API products pause, because every gate's
 * state check (standing.ts) refuses while an incident covering it is open. Closing needs
 * a rectification report and the deadline set for the rectification (GZ 26, HLJ 30).
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DateSchema, IdSchema, parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import { all, one } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { ensureLifecycleTables } from "./schema.js";

export const INCIDENT_SCOPES = ["org", "scenario", "dataset", "domain"] as const;

export const OpenIncidentInput = z
  .object({
    scope: z.enum(INCIDENT_SCOPES, { message: `scope is one of ${INCIDENT_SCOPES.join("|")}` }),
    id: IdSchema.optional(),
    reason: z.string().trim().min(1, "state what happened (--reason)").max(4000),
  })
  .refine((v) => (v.scope === "domain") === (v.id === undefined), { message: "--id names the organisation, scenario or dataset (and is not given for --scope domain)" });

export const CloseIncidentInput = z.object({
  report: z.string().trim().min(10, "a rectification report states what was found and done (at least 10 characters)").max(20_000),
  deadline: DateSchema,
});

/** An incident as stored and shown. */
export interface Incident {
  id: string;
  scope: (typeof INCIDENT_SCOPES)[number];
  target: string;
  reason: string;
  state: "open" | "closed";
  openedAt: string;
  openedBy: string;
  effects: { cancelledJobs: string[]; frozenRequests: string[]; pausedApiProducts: string[] };
  closedAt: string | null;
  closedBy: string | null;
  report: string | null;
  deadline: string | null;
}

type Row = { id: string; scope: Incident["scope"]; target: string; reason: string; state: Incident["state"]; opened_at: Date; opened_by: string; effects: string; closed_at: Date | null; closed_by: string | null; report: string | null; deadline: string | null };

const toIncident = (r: Row): Incident => ({
  id: r.id, scope: r.scope, target: r.target, reason: r.reason, state: r.state, openedAt: r.opened_at.toISOString(), openedBy: r.opened_by,
  effects: JSON.parse(r.effects) as Incident["effects"], closedAt: r.closed_at?.toISOString() ?? null, closedBy: r.closed_by, report: r.report, deadline: r.deadline,
});

const SELECT = "SELECT id, scope, target, reason, state, opened_at, opened_by, effects, closed_at, closed_by, report, strftime(deadline, '%Y-%m-%d') AS deadline FROM incidents";

/** Loads an incident or NOT_FOUND. */
export async function loadIncident(s: Pick<Session, "domain">, id: string): Promise<Incident> {
  await ensureLifecycleTables(s.domain.control);
  const r = await one<Row>(s.domain.control, `${SELECT} WHERE id = ?`, [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `incident '${id}' does not exist`, { details: { what: "incident", id } });
  return toIncident(r);
}

/** Scenario ids an incident's scope covers. */
async function scenariosIn(s: Pick<Session, "domain">, scope: Incident["scope"], target: string): Promise<string[]> {
  const rows = await all<{ id: string; org: string; grants: string }>(s.domain.control, "SELECT id, org, grants FROM scenarios");
  return rows
    .filter((r) => scope === "domain" || (scope === "org" && r.org === target) || (scope === "scenario" && r.id === target) || (scope === "dataset" && (JSON.parse(r.grants) as { dataset: string }[]).some((g) => g.dataset === target)))
    .map((r) => r.id);
}

/** Opens an incident and stops processing in its scope at once. */
export async function openIncident(s: Session, raw: unknown): Promise<Incident> {
  authorize(s.principal, "incident.open");
  const input = parseInput(OpenIncidentInput, raw, "incident");
  const target = input.scope === "domain" ? s.domain.info.id : input.id!;
  return s.domain.mutate(async () => {
    await ensureLifecycleTables(s.domain.control);
    const table = { org: "orgs", scenario: "scenarios", dataset: "dataset_meta", domain: "" }[input.scope];
    if (table && !(await one(s.domain.control, `SELECT 1 FROM ${table} WHERE id = ?`, [target]))) {
      throw new ShuyuError("invalid", "NOT_FOUND", `${input.scope} '${target}' does not exist`, { details: { what: input.scope, id: target } });
    }
    const scenarios = await scenariosIn(s, input.scope, target);
    const inList = scenarios.length ? scenarios.map(() => "?").join(", ") : "NULL";
    const running = (await all<{ id: string }>(s.domain.control, `SELECT id FROM jobs WHERE state IN ('queued','running') AND scenario IN (${inList}) ORDER BY id`, scenarios)).map((r) => r.id);
    const id = `inc-${now().toISOString().slice(0, 10).replace(/-/g, "")}-${randomBytes(3).toString("hex")}`;
    for (const j of running) await s.domain.control.run("UPDATE jobs SET state = 'cancelled', reason = ?, finished_at = ?::TIMESTAMP WHERE id = ?", [`INCIDENT ${id}`, now().toISOString(), j]);
    const frozen = (await all<{ id: string }>(s.domain.control, `SELECT id FROM egress WHERE state IN ('submitted','checked','approved') AND scenario IN (${inList}) ORDER BY id`, scenarios)).map((r) => r.id);
    const paused = (await all<{ id: string }>(s.domain.control, `SELECT id FROM api_products WHERE state = 'listed' AND scenario IN (${inList}) ORDER BY id`, scenarios)).map((r) => r.id);
    const effects = { cancelledJobs: running, frozenRequests: frozen, pausedApiProducts: paused };
    await s.domain.control.run("INSERT INTO incidents VALUES (?, ?, ?, ?, 'open', ?::TIMESTAMP, ?, ?, NULL, NULL, NULL, NULL)", [id, input.scope, target, input.reason, now().toISOString(), s.principal.accountId, JSON.stringify(effects)]);
    await s.domain.audit({ actor: s.principal.accountId, action: "incident.open", object: `incident:${id}`, details: { scope: input.scope, target, reason: input.reason, ...effects } });
    return loadIncident(s, id);
  });
}

/** Closes an open incident with the rectification report and its deadline; processing resumes. */
export async function closeIncident(s: Session, id: string, raw: unknown): Promise<Incident> {
  authorize(s.principal, "incident.close");
  const input = parseInput(CloseIncidentInput, raw, "incident");
  return s.domain.mutate(async () => {
    const inc = await loadIncident(s, id);
    if (inc.state !== "open") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `incident '${id}' is ${inc.state}`);
    if (input.deadline < inc.openedAt.slice(0, 10)) throw new ShuyuError("invalid", "INVALID_DEADLINE", `the rectification deadline ${input.deadline} is before the incident opened (${inc.openedAt.slice(0, 10)})`);
    await s.domain.control.run("UPDATE incidents SET state = 'closed', closed_at = ?::TIMESTAMP, closed_by = ?, report = ?, deadline = ?::DATE WHERE id = ?", [now().toISOString(), s.principal.accountId, input.report, input.deadline, id]);
    await s.domain.audit({ actor: s.principal.accountId, action: "incident.close", object: `incident:${id}`, details: { deadline: input.deadline, report: input.report, today: today() } });
    return loadIncident(s, id);
  });
}

/** Every incident, newest first. */
export async function listIncidents(s: Session): Promise<Incident[]> {
  authorize(s.principal, "incident.read");
  await ensureLifecycleTables(s.domain.control);
  return (await all<Row>(s.domain.control, `${SELECT} ORDER BY opened_at DESC, id DESC`)).map(toIncident);
}

/**
 * Whitelists (HB 28): datasets, scenario templates (an exact purpose text) and exempt
 * organisations. A scenario on the whitelist takes the fast-review path — the operator's
 * approval alone — and is still reviewed on its own, with the basis recorded.
 */
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { WhitelistInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import { all } from "../domain/db.js";
import type { Session } from "../services/session.js";

/** One whitelist entry. */
export interface WhitelistEntry { kind: "dataset" | "template" | "org"; target: string; note: string; addedBy: string; addedAt: string }

async function entries(s: Pick<Session, "domain">): Promise<WhitelistEntry[]> {
  return (await all<{ kind: WhitelistEntry["kind"]; target: string; note: string; added_by: string; added_at: Date }>(s.domain.control, "SELECT * FROM whitelist ORDER BY kind, target"))
    .map((r) => ({ kind: r.kind, target: r.target, note: r.note, addedBy: r.added_by, addedAt: r.added_at.toISOString() }));
}

/** Adds (or replaces) a whitelist entry. */
export async function addWhitelist(s: Session, raw: unknown): Promise<WhitelistEntry> {
  authorize(s.principal, "whitelist.set");
  const input = parseInput(WhitelistInput, raw, "whitelist");
  return s.domain.mutate(async () => {
    await s.domain.control.run("INSERT OR REPLACE INTO whitelist VALUES (?, ?, ?, ?, ?::TIMESTAMP)", [input.kind, input.target, input.note, s.principal.accountId, now().toISOString()]);
    await s.domain.audit({ actor: s.principal.accountId, action: "whitelist.add", object: `whitelist:${input.kind}:${input.target}`, details: { note: input.note } });
    return (await entries(s)).find((e) => e.kind === input.kind && e.target === input.target)!;
  });
}

/** Removes a whitelist entry. */
export async function removeWhitelist(s: Session, kind: string, target: string): Promise<{ kind: string; target: string; removed: true }> {
  authorize(s.principal, "whitelist.set");
  return s.domain.mutate(async () => {
    if (!(await entries(s)).some((e) => e.kind === kind && e.target === target)) throw new ShuyuError("invalid", "NOT_FOUND", `no whitelist entry ${kind} ${target}`, { details: { what: "whitelist entry", id: `${kind}:${target}` } });
    await s.domain.control.run("DELETE FROM whitelist WHERE kind = ? AND target = ?", [kind, target]);
    await s.domain.audit({ actor: s.principal.accountId, action: "whitelist.remove", object: `whitelist:${kind}:${target}`, details: {} });
    return { kind, target, removed: true };
  });
}

/** The whitelist. */
export async function listWhitelist(s: Session): Promise<WhitelistEntry[]> {
  authorize(s.principal, "whitelist.read");
  return entries(s);
}

/** Why a scenario may take the fast-review path, or undefined: its organisation is exempt, its purpose is a whitelisted template, or every dataset it uses is whitelisted. */
export async function fastReviewBasis(s: Pick<Session, "domain">, sc: { org: string; purpose: string; grants: { dataset: string }[] }): Promise<string | undefined> {
  const list = await entries(s);
  const has = (kind: WhitelistEntry["kind"], target: string) => list.some((e) => e.kind === kind && e.target === target);
  if (has("org", sc.org)) return `exempt organisation ${sc.org}`;
  if (has("template", sc.purpose)) return "whitelisted scenario template";
  if (sc.grants.length > 0 && sc.grants.every((g) => has("dataset", g.dataset))) return `whitelisted datasets ${sc.grants.map((g) => g.dataset).join(", ")}`;
  return undefined;
}

/**
 * Product-use agreements (HB 27, HB 31): who may use which product, for what, how it is
 * delivered, at what price (or free for public-interest use), under which conditions and
 * for how long. Filed in the domain; only their holders use a product of another organisation.
 */
import { randomBytes } from "node:crypto";
import { authorize } from "../../policies/authz/engine.js";
import { seesAllOrgs } from "../../policies/authz/object-rules.js";
import { ShuyuError } from "../../policies/errors.js";
import { UseAgreementInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now, today } from "../clock.js";
import { all, one } from "../domain/db.js";
import { getOrg } from "../services/orgs.js";
import type { Session } from "../services/session.js";
import { productRef } from "./products.js";

/** A filed product-use agreement. */
export interface UseAgreement {
  id: string; product: string; org: string; useScenario: string; delivery: "api" | "package"; priceFen: number; publicInterest: boolean;
  conditions: string; start: string; end: string; state: "active" | "terminated"; reason: string | null; createdBy: string; createdAt: string;
}

type Row = { id: string; product: string; buyer_org: string; use_scenario: string; delivery: UseAgreement["delivery"]; price_fen: bigint; public_interest: boolean; conditions: string; start: string; end: string; state: UseAgreement["state"]; reason: string | null; created_by: string; created_at: Date };
const SELECT = "SELECT *, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\" FROM use_agreements";
const toUse = (r: Row): UseAgreement => ({
  id: r.id, product: r.product, org: r.buyer_org, useScenario: r.use_scenario, delivery: r.delivery, priceFen: Number(r.price_fen), publicInterest: r.public_interest,
  conditions: r.conditions, start: r.start, end: r.end, state: r.state, reason: r.reason, createdBy: r.created_by, createdAt: r.created_at.toISOString(),
});

async function loadUse(s: Pick<Session, "domain">, id: string): Promise<UseAgreement> {
  const r = await one<Row>(s.domain.control, `${SELECT} WHERE id = ?`, [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `use agreement '${id}' does not exist`, { details: { what: "use agreement", id } });
  return toUse(r);
}

/** Files a use agreement between the operator and a buyer organisation for one product. */
export async function addUseAgreement(s: Session, raw: unknown): Promise<UseAgreement> {
  authorize(s.principal, "use.add");
  const input = parseInput(UseAgreementInput, raw, "use");
  const p = await productRef(s, input.product);
  const buyer = await getOrg(s, input.org);
  if (buyer.kind === "regulator") throw new ShuyuError("invalid", "NOT_A_BUYER", `organisation '${buyer.id}' is the supervising authority; it reads, it does not use products`);
  if (p.state !== "listed") throw new ShuyuError("invalid", "PRODUCT_NOT_LISTED", `product '${p.id}' is ${p.state}; use agreements are made for listed products`, { details: { state: p.state } });
  if (input.delivery === "package" && p.kind !== "package") throw new ShuyuError("invalid", "DELIVERY_MISMATCH", `product '${p.id}' is a data interface: its delivery is api`);
  if (input.delivery === "api" && p.kind !== "api") throw new ShuyuError("invalid", "DELIVERY_MISMATCH", `product '${p.id}' is a sealed package: its delivery is package`);
  const reg = await one<{ pricing: string; price_fen: bigint }>(s.domain.control, "SELECT pricing, price_fen FROM product_register WHERE product = ?", [p.id]);
  const priceFen = input.publicInterest ? 0 : input.priceFen ?? Number(reg?.price_fen ?? 0);
  const id = input.id ?? `use-${today().replace(/-/g, "")}-${randomBytes(4).toString("hex")}`;
  return s.domain.mutate(async () => {
    if (await one(s.domain.control, "SELECT 1 FROM use_agreements WHERE id = ?", [id])) throw new ShuyuError("invalid", "ALREADY_EXISTS", `use agreement '${id}' already exists`);
    await s.domain.control.run("INSERT INTO use_agreements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::DATE, ?::DATE, 'active', NULL, ?, ?::TIMESTAMP)", [
      id, p.id, buyer.id, input.useScenario, input.delivery, priceFen, input.publicInterest, input.conditions, input.start, input.end, s.principal.accountId, now().toISOString(),
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "use.add", object: `use-agreement:${id}`, details: { product: p.id, org: buyer.id, delivery: input.delivery, priceFen, publicInterest: input.publicInterest, start: input.start, end: input.end } });
    return loadUse(s, id);
  });
}

/** Terminates a use agreement: its holder's next call or download is refused. */
export async function terminateUseAgreement(s: Session, id: string, reason: string): Promise<UseAgreement> {
  authorize(s.principal, "use.change");
  if (!reason?.trim()) throw new ShuyuError("invalid", "REASON_REQUIRED", "a termination states its reason: --reason TEXT");
  return s.domain.mutate(async () => {
    const u = await loadUse(s, id);
    if (u.state !== "active") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `use agreement '${id}' is ${u.state}`);
    await s.domain.control.run("UPDATE use_agreements SET state = 'terminated', reason = ? WHERE id = ?", [reason, id]);
    await s.domain.audit({ actor: s.principal.accountId, action: "use.terminate", object: `use-agreement:${id}`, details: { reason } });
    return loadUse(s, id);
  });
}

/** Use agreements the principal may see: its organisation's, or all for operator staff and supervision. */
export async function listUseAgreements(s: Session): Promise<UseAgreement[]> {
  authorize(s.principal, "use.read");
  const rows = (await all<Row>(s.domain.control, `${SELECT} ORDER BY created_at, id`)).map(toUse);
  return rows.filter((u) => seesAllOrgs(s.principal) || u.org === s.principal.orgId);
}

/** The use agreement in force today for this organisation, product and delivery, if any (never writes). */
export async function useInForce(s: Pick<Session, "domain">, product: string, org: string, delivery: "api" | "package"): Promise<UseAgreement | undefined> {
  const d = today();
  const r = await one<Row>(s.domain.control, `${SELECT} WHERE product = ? AND buyer_org = ? AND delivery = ? AND state = 'active' AND start_date <= ?::DATE AND end_date >= ?::DATE ORDER BY created_at DESC LIMIT 1`, [product, org, delivery, d, d]);
  return r ? toUse(r) : undefined;
}

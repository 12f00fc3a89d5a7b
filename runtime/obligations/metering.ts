/**
 * Fees (ZJ 11, ZJ 23, ZJ 25, HB 29, GY 33): every answered call and every delivery is
 * metered with the fee its use agreement sets (free for public-interest use and for the
 * product's own organisation), and the activity report's market section (HB 37) sums them.
 */
import { randomBytes } from "node:crypto";
import type { DuckDBValue } from "@duckdb/node-api";
import { authorize } from "../../policies/authz/engine.js";
import { PeriodInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import type { Domain } from "../domain/domain.js";
import { GenerationCache } from "../domain/generation-cache.js";
import { all } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { productRef } from "./products.js";
import { useInForce } from "./use-agreements.js";

/** One use to meter. */
export interface Use {
  product: string;
  org: string;
  account: string;
  kind: "call" | "delivery";
}

/** The fee (fen) of one use: the use agreement's price, 0 for the product's own organisation or public-interest use. */
async function feeOf(s: Pick<Session, "domain">, u: Use): Promise<number> {
  const p = await productRef(s, u.product);
  if (p.org === u.org) return 0;
  const use = await useInForce(s, u.product, u.org, u.kind === "call" ? "api" : "package");
  return use && !use.publicInterest ? use.priceFen : 0;
}

/** Records one use; call inside a mutation. Returns the fee charged. */
export async function meterUse(s: Pick<Session, "domain">, u: Use): Promise<number> {
  const fee = await feeOf(s, u);
  await s.domain.control.run("INSERT INTO usage_records VALUES (?, ?, ?, ?, ?, ?, ?::TIMESTAMP)", [`use-${randomBytes(8).toString("hex")}`, u.product, u.org, u.account, u.kind, fee, now().toISOString()]);
  return fee;
}

/**
 * Call metering written with each batch of calls (CallBatcher): the usage records go into
 * the transaction that records the batch's audit head, so a call is metered durably before
 * it is answered at no extra transaction. Fees come from a cache kept while no control row
 * changes (Domain.generation): a new or terminated use agreement prices the very next call.
 */
export class CallMeter {
  private readonly fees: GenerationCache<number>;

  constructor(private readonly domain: Domain) {
    this.fees = new GenerationCache(domain);
  }

  /** The usage rows for these uses (fees looked up, nothing written yet). */
  async rows(uses: Use[]): Promise<DuckDBValue[][]> {
    const s = { domain: this.domain };
    const fees = await Promise.all(uses.map((u) => this.fees.get([u.product, u.org, u.kind].join("\u0000"), () => feeOf(s, u))));
    const at = now().toISOString();
    return uses.map((u, k) => [`use-${randomBytes(8).toString("hex")}`, u.product, u.org, u.account, u.kind, fees[k], at]);
  }

  /** Writes rows from `rows()`; call inside a mutation. */
  async write(rows: DuckDBValue[][]): Promise<void> {
    if (rows.length) await this.domain.insertSealed("usage_records", 7, rows);
  }
}

/** The market section (HB 37, ZJ 26): per product, calls, deliveries, distinct using organisations and revenue in a period. */
export async function marketSection(s: Pick<Session, "domain">, period: { from?: string; to?: string } = {}) {
  const from = period.from ?? "0001-01-01";
  const to = period.to ?? "9999-12-31";
  const rows = await all<{ product: string; calls: bigint; deliveries: bigint; users: bigint; revenue: bigint }>(
    s.domain.control,
    `SELECT product, count(*) FILTER (WHERE kind = 'call') AS calls, count(*) FILTER (WHERE kind = 'delivery') AS deliveries,
            count(DISTINCT org) AS users, coalesce(sum(fee_fen), 0) AS revenue
     FROM usage_records WHERE used_at >= ?::DATE AND used_at < ?::DATE + INTERVAL 1 DAY GROUP BY product ORDER BY product`,
    [from, to],
  );
  const products = rows.map((r) => ({ product: r.product, calls: Number(r.calls), deliveries: Number(r.deliveries), users: Number(r.users), revenueFen: Number(r.revenue) }));
  return {
    period: { from, to },
    products,
    totals: { calls: products.reduce((a, p) => a + p.calls, 0), deliveries: products.reduce((a, p) => a + p.deliveries, 0), revenueFen: products.reduce((a, p) => a + p.revenueFen, 0) },
  };
}

/** `usage report`: the market section for operator staff and supervision. */
export async function usageReport(s: Session, raw: unknown = {}) {
  authorize(s.principal, "usage.read");
  return marketSection(s, parseInput(PeriodInput, raw, "period"));
}

/**
 * Fees (ZJ 11, ZJ 23, ZJ 25, HB 29, GY 33): every answered call and every delivery is
 * metered with the fee its use agreement sets (free for public-interest use and for the
 * product's own organisation), and the activity report's market section (HB 37) sums them.
 */
import { randomBytes } from "node:crypto";
import { authorize } from "../../policies/authz/engine.js";
import { PeriodInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { now } from "../clock.js";
import type { Domain } from "../domain/domain.js";
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

/** Group commit for call metering: calls that arrive together are written in one transaction. */
export class CallMeter {
  private pending: Use[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly domain: Domain) {}

  /** Queues one answered call; resolves once it is written (flushes are chained, so none is left behind). */
  record(u: Use): Promise<void> {
    this.pending.push(u);
    const run = (this.running ?? Promise.resolve()).then(() => this.flush());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async flush(): Promise<void> {
    const items = this.pending.splice(0);
    if (items.length === 0) return;
    await this.domain.mutate(async () => {
      for (const u of items) await meterUse({ domain: this.domain }, u);
    });
  }

  /** Waits for queued records. */
  async close(): Promise<void> {
    await this.running;
    await this.flush();
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

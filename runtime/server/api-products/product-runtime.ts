import { createHash, randomBytes } from "node:crypto";
import type { DuckDBValue } from "@duckdb/node-api";
import { z } from "zod";
import { authorize } from "../../../policies/authz/engine.js";
import type { Principal } from "../../../policies/authz/principal.js";
import { ShuyuError } from "../../../policies/errors.js";
import { parseInput } from "../../../policies/schemas/common.js";
import { canonicalJson } from "../../canonical-json.js";
import type { Domain } from "../../domain/domain.js";
import { one } from "../../domain/db.js";
import type { Seal } from "../../domain/seal.js";
import { readLibraryManifest } from "../../services/scenarios.js";
import { standing, type Standing } from "../../lifecycle/standing.js";
import { consentBasis, obligationBase, subjectConsent } from "../../obligations/access.js";
import { GenerationCache } from "../../domain/generation-cache.js";
import { ConsentLookup } from "../../obligations/consent-lookup.js";
import { subjectDigest } from "../../obligations/consent.js";
import { CallMeter } from "../../obligations/metering.js";
import { subjectBinding, type SubjectBinding } from "../../obligations/subject-params.js";
import { DailyQuota, RateLimiter } from "../rate-limit.js";
import { CallBatcher, type CallRecord } from "./call-batcher.js";
import { gateCallOutput } from "./call-gate.js";
import { ProductQueryEngine } from "./query-engine.js";
import { loadApiProduct, type ApiProduct } from "./service.js";
import type { SignedResponse } from "./signed-response.js";

interface Loaded {
  product: ApiProduct;
  engine: ProductQueryEngine;
  params: z.ZodType<Record<string, string | number>>;
  /** Whether calls are about a person, and which parameters name them (consent is checked per call). */
  binding: SubjectBinding;
}

type Live = { ok: true } | { ok: false; error: ShuyuError };

export const CallInput = z.object({ params: z.record(z.string(), z.unknown()) });

function paramSchema(p: ApiProduct): z.ZodType<Record<string, string | number>> {
  const shape: Record<string, z.ZodType> = {};
  for (const d of p.spec.params) shape[d.name] = d.type === "number" ? z.number().finite() : z.string().min(1).max(d.maxLength);
  return z.strictObject(shape) as unknown as z.ZodType<Record<string, string | number>>;
}

/**
 * Answers calls of listed API products: checks the product is live (its scenario and
 * agreement still in force), the caller's parameters, rate and quota; runs the
 * product's prepared SQL; gates the output; and has the batcher audit and sign it.
 */
export class ApiProductRuntime {
  private readonly loaded = new Map<string, Promise<Loaded>>();
  private readonly rates = new RateLimiter({ perSecond: 1, burst: 1 });
  private readonly quota = new DailyQuota();
  readonly batcher: CallBatcher;
  private readonly meter: CallMeter;
  /**
   * What decides a call but not its data subject (the product's scenario, agreement and
   * organisation in force; the caller's admission and use agreement; the consent basis),
   * kept only while no control row changes (Domain.generation) and for the day: a suspension,
   * termination or delisting applies to the very next call, without ~8 control queries per call.
   */
  private readonly live: GenerationCache<Live>;
  private readonly callerStanding: GenerationCache<Standing & { scenario?: string }>;
  private readonly basis: GenerationCache<Standing>;
  private readonly consents: ConsentLookup;

  constructor(private readonly domain: Domain, seal: Seal) {
    this.meter = new CallMeter(domain);
    this.batcher = new CallBatcher(domain, seal, this.meter);
    this.live = new GenerationCache(domain);
    this.callerStanding = new GenerationCache(domain);
    this.basis = new GenerationCache(domain);
    this.consents = new ConsentLookup(domain);
  }

  private async load(id: string): Promise<Loaded> {
    let p = this.loaded.get(id);
    if (!p) {
      p = (async () => {
        const product = await loadApiProduct(this.domain, id);
        if (product.state === ("delisted" as string)) throw new ShuyuError("denied", "PRODUCT_DELISTED", `API product '${id}' was delisted (recalled); it answers no calls (GY 31)`, { details: { product: id } });
        if (product.state !== "listed") throw new ShuyuError("denied", "PRODUCT_NOT_LISTED", `API product '${id}' is ${product.state}; only a reviewed, listed product answers calls`);
        const dir = this.domain.paths.library(product.scenario);
        const manifest = readLibraryManifest(dir);
        const binding = await subjectBinding(manifest, product.spec.sql, product.spec.params.length);
        const engine = await ProductQueryEngine.open(dir, manifest, product.spec.sql, product.spec.params.map((p) => p.type));
        return { product, engine, params: paramSchema(product), binding };
      })();
      this.loaded.set(id, p);
      p.catch(() => this.loaded.delete(id));
    }
    return p;
  }

  private async liveness(p: ApiProduct): Promise<Live> {
    const r = await one<{ product: string; scenario: string; agreement: string }>(
      this.domain.control,
      `SELECT p.state AS product, s.state AS scenario, a.state AS agreement FROM api_products p
       JOIN scenarios s ON s.id = p.scenario JOIN agreements a ON a.id = s.agreement WHERE p.id = ?`,
      [p.id],
    );
    if (r?.product === "delisted") return { ok: false, error: new ShuyuError("denied", "PRODUCT_DELISTED", `API product '${p.id}' was delisted (recalled); it answers no calls (GY 31)`, { details: { product: p.id } }) };
    if (r?.product !== "listed") return { ok: false, error: new ShuyuError("denied", "PRODUCT_NOT_LISTED", `API product '${p.id}' is ${r?.product ?? "gone"}`) };
    if (r.scenario !== "approved") return { ok: false, error: new ShuyuError("denied", "PRODUCT_SUSPENDED", `API product '${p.id}' answers no calls: its scenario '${p.scenario}' is ${r.scenario}`, { details: { scenario: p.scenario, state: r.scenario } }) };
    if (r.agreement !== "active") return { ok: false, error: new ShuyuError("denied", "PRODUCT_SUSPENDED", `API product '${p.id}' answers no calls: its agreement is ${r.agreement}`, { details: { agreement: r.agreement } }) };
    const v = await standing({ domain: this.domain }, { step: "product.call", scenario: p.scenario });
    if (!v.ok) return { ok: false, error: new ShuyuError("denied", "PRODUCT_SUSPENDED", `API product '${p.id}' answers no calls: ${v.message}`, { details: { ...v.details, cause: v.code } }) };
    return { ok: true };
  }

  /** One call: returns the signed response, or throws after auditing the refusal. */
  async call(principal: Principal, id: string, raw: unknown): Promise<SignedResponse> {
    authorize(principal, "product.call");
    const body = parseInput(CallInput, raw, "call");
    const callId = `call-${randomBytes(8).toString("hex")}`;
    const paramsSm3 = createHash("sm3").update(canonicalJson(body.params)).digest("hex");
    const record: CallRecord = { call: callId, caller: principal.accountId, product: id, paramsSm3, resultClass: "refused" };
    try {
      const l = await this.load(id);
      const live = await this.live.get(id, () => this.liveness(l.product));
      if (!live.ok) throw live.error;
      const params = parseInput(l.params, body.params, "params");
      const b = l.binding;
      const consent = b.personal
        ? { dataset: b.dataset, digest: b.params.every((i) => i !== undefined) ? subjectDigest(this.domain.paths.keys, b.kind, b.params.map((i) => params[l.product.spec.params[i!].name])) : undefined }
        : undefined;
      const s = { domain: this.domain };
      const callerKey = [id, principal.orgId, principal.orgKind, principal.accountId].join("\u0000");
      const base = await this.callerStanding.get(callerKey, () =>
        obligationBase(s, { step: "product.call", product: id, callerOrg: principal.orgId, callerKind: principal.orgKind, delivery: "api", accounts: [principal.accountId] }),
      );
      let ob: Standing = base;
      if (base.ok && consent) {
        if (!consent.digest) ob = await subjectConsent(s, { consent, product: id }, base.scenario); // unbound: refused before the basis, as obligationStanding does
        else {
          ob = await this.basis.get(base.scenario ?? "", () => consentBasis(s, base.scenario));
          // The data subject's own authorization is looked up on every call: a withdrawal applies to the next one.
          if (ob.ok) ob = await subjectConsent(s, { consent, product: id }, base.scenario, (...a) => this.consents.inForce(...a));
        }
      }
      if (!ob.ok) throw new ShuyuError("denied", ob.code, `product.call: ${ob.message}`, { details: { ...ob.details, step: "product.call" } });
      const key = `${principal.accountId}\u0000${id}`;
      this.rates.take(key, { perSecond: l.product.spec.rules.perSecond, burst: l.product.spec.rules.burst });
      this.quota.take(key, l.product.spec.rules.quotaPerDay);
      const rows = await l.engine.run(l.product.spec.params.map((d) => params[d.name] as DuckDBValue));
      const gated = gateCallOutput(rows, l.product.spec);
      const answer = { product: id, call: callId, time: new Date().toISOString(), caller: principal.accountId, paramsSm3, result: gated.result, resultClass: gated.resultClass };
      const signed = await this.batcher.submit({ ...record, resultClass: gated.resultClass }, answer, { product: id, org: principal.orgId, account: principal.accountId, kind: "call" });
      return signed!;
    } catch (err) {
      if (err instanceof ShuyuError) {
        await this.batcher.submit({ ...record, resultClass: err.code === "OUTPUT_BLOCKED" ? "blocked" : "refused", code: err.code });
      }
      throw err;
    }
  }

  /** Seals pending calls and closes every product engine. */
  async close(): Promise<void> {
    await this.batcher.close();
    for (const p of this.loaded.values()) (await p.catch(() => undefined))?.engine.close();
    this.loaded.clear();
  }
}

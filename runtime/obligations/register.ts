/**
 * The product register (HB 26(2), ZJ 22, GZ 18, HLJ 20(4), GY 31): each product's
 * name, description, form, scenario, sources, price and registration number; a signed
 * registration record (存证) to hand to an external registration platform; and recall.
 *
 * Registration record, `shuyu-registration/1` (canonical JSON, keys sorted):
 *   { format, domain, registrationNo, product: { id, kind, form, name, description, org, orgName, scenario, purpose,
 *     sources: [{ dataset, version, columns }], pricing, priceFen, costBasis, state, packageSm3? }, registeredAt, issuedAt }
 * plus `signature`: { alg: "SM2-with-SM3", id: "1234567812345678", certSm3, certificatePem, value (base64 DER over the
 * canonical JSON of everything but `signature`) }.
 */
import { sign, verify } from "../../crypto/sm2/index.js";
import { parseCertificate } from "../../crypto/x509/certificate.js";
import { sm3Hex } from "../../crypto/sm3.js";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { DelistInput, RegisterProductInput } from "../../policies/obligations/schemas.js";
import { parseInput } from "../../policies/schemas/common.js";
import { canonicalJson } from "../canonical-json.js";
import { now } from "../clock.js";
import { all, one } from "../domain/db.js";
import { loadSeal } from "../domain/seal.js";
import { loadScenario } from "../services/scenarios.js";
import type { Session } from "../services/session.js";
import { productRef, productRefs, setProductState, type ProductRef } from "./products.js";

/** One entry of the product catalog. */
export interface RegisteredProduct extends ProductRef {
  registrationNo: string | null;
  description: string | null;
  pricing: string | null;
  priceFen: number | null;
  costBasis: string | null;
  registeredAt: string | null;
  reason: string | null;
  sources: { dataset: string; columns: string[] }[];
}

type RegRow = { product: string; name: string; description: string; pricing: string; price_fen: bigint; cost_basis: string; reg_no: string; state: string; reason: string | null; registered_at: Date };

/** The catalog of every product with its registration (null fields when not yet registered). */
export async function productCatalog(s: Pick<Session, "domain">): Promise<RegisteredProduct[]> {
  const regs = new Map((await all<RegRow>(s.domain.control, "SELECT * FROM product_register")).map((r) => [r.product, r]));
  const grants = new Map((await all<{ id: string; grants: string }>(s.domain.control, "SELECT id, grants FROM scenarios")).map((r) => [r.id, JSON.parse(r.grants) as { dataset: string; columns: string[] }[]]));
  return (await productRefs(s)).map((p) => {
    const r = regs.get(p.id);
    return {
      ...p, name: r?.name ?? p.name, registrationNo: r?.reg_no ?? null, description: r?.description ?? null, pricing: r?.pricing ?? null, priceFen: r ? Number(r.price_fen) : null,
      costBasis: r?.cost_basis ?? null, registeredAt: r?.registered_at.toISOString() ?? null, reason: r?.reason ?? null,
      sources: (grants.get(p.scenario) ?? []).map((g) => ({ dataset: g.dataset, columns: g.columns })),
    };
  });
}

/** The product catalog (operator, supervision, reviewers; others see listed products and their own). */
export async function listCatalogProducts(s: Session): Promise<RegisteredProduct[]> {
  authorize(s.principal, "product.read");
  const all = await productCatalog(s);
  const wide = s.principal.orgKind === "operator" || s.principal.orgKind === "regulator";
  return all.filter((p) => wide || p.org === s.principal.orgId || p.state === "listed");
}

/** Registers a listed product: name, description, price and a registration number (operator admin). */
export async function registerProduct(s: Session, raw: unknown): Promise<RegisteredProduct> {
  authorize(s.principal, "product.register");
  const input = parseInput(RegisterProductInput, raw, "registration");
  const p = await productRef(s, input.product);
  if (p.state !== "listed") throw new ShuyuError("invalid", "PRODUCT_NOT_LISTED", `product '${p.id}' is ${p.state}; only a reviewed, listed product is registered`);
  return s.domain.mutate(async () => {
    const before = await one<{ reg_no: string }>(s.domain.control, "SELECT reg_no FROM product_register WHERE product = ?", [p.id]);
    const year = now().toISOString().slice(0, 4);
    const n = Number((await one<{ n: bigint }>(s.domain.control, "SELECT count(*) AS n FROM product_register"))!.n) + 1;
    const regNo = before?.reg_no ?? `SY-${year}-${String(n).padStart(6, "0")}`;
    await s.domain.control.run("INSERT OR REPLACE INTO product_register VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'listed', NULL, ?, ?::TIMESTAMP, NULL)", [
      p.id, p.kind, input.name, input.description, input.pricing, input.priceFen, input.costBasis, regNo, s.principal.accountId, now().toISOString(),
    ]);
    await s.domain.audit({ actor: s.principal.accountId, action: "product.register", object: `product:${p.id}`, details: { registrationNo: regNo, name: input.name, pricing: input.pricing, priceFen: input.priceFen } });
    return (await productCatalog(s)).find((x) => x.id === p.id)!;
  });
}

/** Recalls one product (GY 31): calls and deliveries stop at once; audited with the reason. */
export async function delistProduct(s: Session, raw: unknown): Promise<RegisteredProduct> {
  authorize(s.principal, "product.delist");
  const input = parseInput(DelistInput, raw, "delist");
  return s.domain.mutate(async () => {
    const p = await productRef(s, input.product);
    if (p.state === "delisted") throw new ShuyuError("invalid", "ILLEGAL_TRANSITION", `product '${p.id}' is already delisted`);
    await setProductState(s, p, "delisted");
    await s.domain.control.run("UPDATE product_register SET state = 'delisted', reason = ?, delisted_at = ?::TIMESTAMP WHERE product = ?", [input.reason, now().toISOString(), p.id]);
    if (!(await one(s.domain.control, "SELECT 1 FROM product_register WHERE product = ?", [p.id]))) {
      await s.domain.control.run("INSERT INTO product_register VALUES (?, ?, ?, '', 'cost', 0, '', '', 'delisted', ?, ?, ?::TIMESTAMP, ?::TIMESTAMP)", [p.id, p.kind, p.name, input.reason, s.principal.accountId, now().toISOString(), now().toISOString()]);
    }
    await s.domain.audit({ actor: s.principal.accountId, action: "product.delist", object: `product:${p.id}`, details: { reason: input.reason, before: p.state } });
    return (await productCatalog(s)).find((x) => x.id === p.id)!;
  });
}

/** The signed registration record (存证) of a registered product, for an external registration platform. */
export async function registrationRecord(s: Session, id: string): Promise<Record<string, unknown>> {
  authorize(s.principal, "product.registration");
  const p = (await productCatalog(s)).find((x) => x.id === id);
  if (!p) throw new ShuyuError("invalid", "NOT_FOUND", `product '${id}' does not exist`, { details: { what: "product", id } });
  if (!p.registrationNo) throw new ShuyuError("invalid", "NOT_REGISTERED", `product '${id}' is not registered: shuyu product register ${id} …`);
  const sc = await loadScenario(s, p.scenario);
  const org = await one<{ name: string }>(s.domain.control, "SELECT name FROM orgs WHERE id = ?", [p.org]);
  const pkg = p.kind === "package" ? await one<{ package_sm3: string }>(s.domain.control, "SELECT package_sm3 FROM products WHERE id = ?", [id]) : undefined;
  const versions = new Map((sc.library?.datasets ?? []).map((d) => [d.dataset, d.version]));
  const body = {
    format: "shuyu-registration/1", domain: s.domain.info.id, registrationNo: p.registrationNo,
    product: {
      id: p.id, kind: p.kind, form: p.form, name: p.name, description: p.description, org: p.org, orgName: org?.name ?? p.org, scenario: p.scenario, purpose: sc.purpose,
      sources: p.sources.map((x) => ({ dataset: x.dataset, version: versions.get(x.dataset) ?? null, columns: x.columns })), pricing: p.pricing, priceFen: p.priceFen, costBasis: p.costBasis,
      state: p.state, ...(pkg ? { packageSm3: pkg.package_sm3 } : {}),
    },
    registeredAt: p.registeredAt, issuedAt: now().toISOString(),
  };
  const seal = loadSeal(s.domain.paths.keys);
  const value = Buffer.from(sign(Buffer.from(canonicalJson(body)), seal.privateKey)).toString("base64");
  await s.domain.audit({ actor: s.principal.accountId, action: "product.registration", object: `product:${id}`, details: { registrationNo: p.registrationNo } });
  return { ...body, signature: { alg: "SM2-with-SM3", id: "1234567812345678", certSm3: seal.fingerprint, certificatePem: seal.certificatePem, value } };
}

/** Checks a registration record with nothing but itself (and optionally a pinned certificate SM3). */
export function verifyRegistrationRecord(record: Record<string, unknown>, pinnedCertSm3?: string): { valid: true; registrationNo: string } | { valid: false; reason: string } {
  const { signature, ...body } = record as { signature?: { certificatePem?: string; value?: string; certSm3?: string } };
  if (!signature?.certificatePem || !signature.value) return { valid: false, reason: "no signature" };
  const cert = parseCertificate(signature.certificatePem);
  const certSm3 = sm3Hex(cert.der);
  if (pinnedCertSm3 && pinnedCertSm3.toLowerCase() !== certSm3) return { valid: false, reason: `certificate ${certSm3} is not the pinned one` };
  const ok = verify(Buffer.from(canonicalJson(body)), Buffer.from(signature.value, "base64"), cert.publicKey);
  return ok ? { valid: true, registrationNo: String((body as { registrationNo?: string }).registrationNo) } : { valid: false, reason: "the SM2 signature does not verify" };
}

import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { authorize } from "../../policies/authz/engine.js";
import { ShuyuError } from "../../policies/errors.js";
import { one } from "../domain/db.js";
import type { Session } from "../services/session.js";
import { checkNow } from "./gate.js";
import { meterUse } from "../obligations/metering.js";

/**
 * Package delivery (DESIGN §6 `package download`): a listed product's sealed package,
 * handed only to its own organisation (or operator staff) while the organisation,
 * agreement, scenario and account still stand.
 */
export async function downloadPackage(s: Session, productId: string): Promise<{ product: string; sm3: string; bytes: Buffer }> {
  const p = await one<{ id: string; org: string; scenario: string; state: string; package: string; package_sm3: string }>(s.domain.control, "SELECT * FROM products WHERE id = ?", [productId]);
  if (!p) throw new ShuyuError("invalid", "NOT_FOUND", `product '${productId}' does not exist`, { details: { what: "product", id: productId } });
  // Another organisation's developer needs a use agreement in force (HB 27, HB 31): the state check decides.
  authorize(s.principal, "product.download");
  if (p.state !== "listed" && p.state !== "delisted") throw new ShuyuError("denied", "PRODUCT_NOT_LISTED", `product '${productId}' is ${p.state}; only a listed product is delivered`, { details: { state: p.state } });
  await checkNow(s, { step: "package.download", scenario: p.scenario, accounts: [s.principal.accountId], product: p.id, callerOrg: s.principal.orgId, callerKind: s.principal.orgKind, delivery: "package" });
  if (!existsSync(p.package)) throw new ShuyuError("internal", "PACKAGE_MISSING", `the package of product '${productId}' is missing from outbox/`);
  const bytes = readFileSync(p.package);
  const sm3 = createHash("sm3").update(bytes).digest("hex");
  if (sm3 !== p.package_sm3) throw new ShuyuError("internal", "PACKAGE_CHANGED", `the package of product '${productId}' no longer matches its registered SM3`);
  await s.domain.mutate(async () => {
    const fee = await meterUse(s, { product: productId, org: s.principal.orgId, account: s.principal.accountId, kind: "delivery" });
    await s.domain.audit({ actor: s.principal.accountId, action: "product.download", object: `product:${productId}`, details: { sm3, feeFen: fee } });
  });
  return { product: productId, sm3, bytes };
}

/**
 * One view over the two kinds of product (sealed packages from egress, data interfaces
 * published from SQL jobs), so use agreements, the register and recall treat them alike.
 */
import { ShuyuError } from "../../policies/errors.js";
import { all, one } from "../domain/db.js";
import type { Session } from "../services/session.js";

/** A product of either kind, as the obligations need it. */
export interface ProductRef {
  id: string;
  kind: "package" | "api";
  form: string;
  org: string;
  scenario: string;
  state: string;
  name: string;
}

const UNION = `
SELECT id, 'package' AS kind, form, org, scenario, state, id AS name FROM products
UNION ALL SELECT id, 'api' AS kind, 'api' AS form, org, scenario, state, name FROM api_products`;

/** The product or NOT_FOUND. */
export async function productRef(s: Pick<Session, "domain">, id: string): Promise<ProductRef> {
  const r = await one<ProductRef>(s.domain.control, `SELECT * FROM (${UNION}) WHERE id = ?`, [id]);
  if (!r) throw new ShuyuError("invalid", "NOT_FOUND", `product '${id}' does not exist`, { details: { what: "product", id } });
  return r;
}

/** Every product (both kinds). */
export async function productRefs(s: Pick<Session, "domain">): Promise<ProductRef[]> {
  return all<ProductRef>(s.domain.control, `SELECT * FROM (${UNION}) ORDER BY id`);
}

/** Sets a product's state in its own table. */
export async function setProductState(s: Pick<Session, "domain">, p: ProductRef, state: string): Promise<void> {
  await s.domain.control.run(`UPDATE ${p.kind === "api" ? "api_products" : "products"} SET state = ? WHERE id = ?`, [state, p.id]);
}

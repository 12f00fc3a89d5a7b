/**
 * Public disclosure (HLJ 20(5), HB 22, ZJ 21): what anyone may read without an account —
 * the authorizations in force (who, which data, scope, term), the approved scenarios
 * (purpose, data used, organisation) and the listed products. Nothing else: no accounts,
 * jobs, requests, consents, prices of use agreements or data values.
 */
import { all } from "../domain/db.js";
import type { Domain } from "../domain/domain.js";
import { productCatalog } from "./register.js";

/** The disclosure document (`GET /api/public/disclosure`, `shuyu disclosure --json`). */
export interface Disclosure {
  domain: string;
  operator: { name: string; authorizations: { reference: string; datasets: string[]; start: string; end: string }[] };
  authorizations: { org: string; orgName: string; datasets: { id: string; name: string }[]; start: string; end: string; state: string }[];
  scenarios: { id: string; org: string; orgName: string; purpose: string; data: { dataset: string; name: string; columns: string[] }[]; approvedAt: string | null; expires: string }[];
  products: { id: string; name: string; form: string; org: string; orgName: string; scenario: string; description: string | null; registrationNo: string | null; pricing: string | null; priceFen: number | null }[];
  /** Developer applications in their publicity period (GZ 9, ZJ 9). */
  publicity: { org: string; orgName: string; qualifications: string; until: string }[];
  generatedAt: string;
}

/** Builds the public disclosure from the current rows (read-only; no session: it is public). */
export async function publicDisclosure(domain: Pick<Domain, "control" | "info">): Promise<Disclosure> {
  const s = { domain } as Parameters<typeof productCatalog>[0];
  const orgs = new Map((await all<{ id: string; name: string; kind: string }>(domain.control, "SELECT id, name, kind FROM orgs")).map((o) => [o.id, o]));
  const names = new Map((await all<{ id: string; name: string }>(domain.control, "SELECT id, max(name) AS name FROM datasets GROUP BY id")).map((d) => [d.id, d.name]));
  // Social data is never disclosed beyond its own organisation (HB 24(3)): its ids are withheld here too.
  const social = new Set((await all<{ dataset: string }>(domain.control, "SELECT dataset FROM social_sources")).map((r) => r.dataset));
  const op = [...orgs.values()].find((o) => o.kind === "operator");
  const opAuth = await all<{ reference: string; datasets: string; start: string; end: string }>(
    domain.control, "SELECT reference, datasets, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\" FROM operator_authorization ORDER BY start_date",
  ).catch(() => []);
  const ags = await all<{ org: string; datasets: string; start: string; end: string; state: string }>(
    domain.control, "SELECT org, datasets, strftime(start_date, '%Y-%m-%d') AS start, strftime(end_date, '%Y-%m-%d') AS \"end\", state FROM agreements WHERE state IN ('active', 'suspended') ORDER BY start_date, id",
  );
  const scs = await all<{ id: string; org: string; purpose: string; grants: string; decided_at: Date | null; expires: string }>(
    domain.control, "SELECT id, org, purpose, grants, decided_at, strftime(expires, '%Y-%m-%d') AS expires FROM scenarios WHERE state = 'approved' ORDER BY decided_at, id",
  );
  const orgName = (id: string) => orgs.get(id)?.name ?? id;
  const products = (await productCatalog(s)).filter((p) => p.state === "listed");
  return {
    domain: domain.info.id,
    operator: { name: op?.name ?? "", authorizations: opAuth.map((a) => ({ reference: a.reference, datasets: JSON.parse(a.datasets) as string[], start: a.start, end: a.end })) },
    authorizations: ags.map((a) => ({
      org: a.org, orgName: orgName(a.org), datasets: (JSON.parse(a.datasets) as string[]).filter((d) => !social.has(d)).map((d) => ({ id: d, name: names.get(d) ?? d })), start: a.start, end: a.end, state: a.state,
    })),
    scenarios: scs.map((c) => ({
      id: c.id, org: c.org, orgName: orgName(c.org), purpose: c.purpose,
      data: (JSON.parse(c.grants) as { dataset: string; columns: string[] }[]).filter((g) => !social.has(g.dataset)).map((g) => ({ dataset: g.dataset, name: names.get(g.dataset) ?? g.dataset, columns: g.columns })),
      approvedAt: c.decided_at?.toISOString() ?? null, expires: c.expires,
    })),
    products: products.map((p) => ({ id: p.id, name: p.name, form: p.form, org: p.org, orgName: orgName(p.org), scenario: p.scenario, description: p.description, registrationNo: p.registrationNo, pricing: p.pricing, priceFen: p.priceFen })),
    publicity: (await all<{ org: string; qualifications: string; until: string }>(domain.control, "SELECT org, qualifications, strftime(publicity_until, '%Y-%m-%d') AS until FROM admissions WHERE state = 'publicity' ORDER BY applied_at"))
      .map((a) => ({ org: a.org, orgName: orgName(a.org), qualifications: a.qualifications, until: a.until })),
    generatedAt: new Date().toISOString(),
  };
}

import type { FastifyInstance } from "fastify";
import type { Domain } from "../domain/domain.js";
import { publicDisclosure } from "../obligations/disclosure.js";
import { html, layout, table } from "./console/html.js";

/**
 * The public disclosure (HLJ 20(5), HB 22): `GET /api/public/disclosure` (JSON) and
 * `GET /public` (a page), both without authentication. They show only what
 * publicDisclosure() builds: authorizations, approved scenarios, listed products and
 * applications in publicity.
 */
export function registerPublicDisclosure(app: FastifyInstance, domain: Domain, send: (reply: import("fastify").FastifyReply, value: unknown) => unknown): void {
  app.route({
    method: "GET",
    url: "/api/public/disclosure",
    config: { doc: { summary: "Public disclosure: authorizations, approved scenarios, listed products (no authentication; HLJ 20(5), HB 22)", auth: "none", produces: "json" } },
    handler: async (_req, reply) => send(reply, await publicDisclosure(domain)),
  });
  app.route({
    method: "GET",
    url: "/public",
    config: { doc: { summary: "Public disclosure page (no authentication)", auth: "none", produces: "html" } },
    handler: async (_req, reply) => {
      const d = await publicDisclosure(domain);
      const body = html`
        <h1>公开信息 Public disclosure — ${d.operator.name}</h1>
        ${table("授权 Authorizations", ["organisation", "datasets", "start", "end", "state"], d.authorizations.map((a) => [a.orgName, a.datasets.map((x) => x.name).join(", "), a.start, a.end, a.state]))}
        ${table("已批准场景 Approved scenarios", ["scenario", "organisation", "purpose", "data used", "until"], d.scenarios.map((c) => [c.id, c.orgName, c.purpose, c.data.map((g) => `${g.name}: ${g.columns.join(", ")}`).join("; "), c.expires]))}
        ${table("上架产品 Listed products", ["product", "name", "form", "organisation", "registration", "pricing"], d.products.map((p) => [p.id, p.name, p.form, p.orgName, p.registrationNo ?? "", p.pricing === "free" ? "free (public interest)" : p.priceFen === null ? "" : `${(p.priceFen / 100).toFixed(2)} yuan`]))}
        ${table("公示 Admission publicity", ["organisation", "qualifications", "until"], d.publicity.map((a) => [a.orgName, a.qualifications, a.until]))}`;
      return reply.type("text/html; charset=utf-8").header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .send(layout({ lang: "zh", title: "公开信息", nav: html`<nav aria-label="main"><a href="/">console</a></nav>`, body, switchLabel: "" }));
    },
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { Principal } from "../../../policies/authz/principal.js";
import { roleAllows } from "../../../policies/authz/actions.js";
import { ShuyuError, asShuyuError } from "../../../policies/errors.js";
import { parseInput } from "../../../policies/schemas/common.js";
import { authenticate } from "../../auth/authenticate.js";
import type { Domain } from "../../domain/domain.js";
import { listAgreements } from "../../services/agreements.js";
import { auditLog, verifyAudit } from "../../services/audit.js";
import { listCatalog, showCatalog } from "../../services/catalog.js";
import { listEgress, listProducts, reviewEgress, showEgress } from "../../services/egress.js";
import { egressDossier } from "../../services/egress-dossier.js";
import { jobLogs, jobStatus, listJobs } from "../../services/jobs.js";
import { recordInternalError } from "../../jobs/internal-errors.js";
import { listOrgs } from "../../services/orgs.js";
import { approveScenario, listScenarios, rejectScenario } from "../../services/scenarios.js";
import type { Session } from "../../services/session.js";
import { listApiProducts } from "../api-products/service.js";
import { downloadPackage } from "../../lifecycle/delivery.js";
import { cookies, SESSION_COOKIE } from "../request-auth.js";
import { barChart } from "./bar-chart.js";
import type { ConsoleSessions } from "./sessions.js";
import { html, layout, table, type Raw } from "./html.js";
import { stateWord, words, type Lang, type Word } from "./i18n.js";

interface Ctx {
  s: Session;
  lang: Lang;
  t: (w: Word) => string;
  csrf: string;
}

/** A page renders HTML, redirects, or hands over a file (a package download). */
type Page = (ctx: Ctx, req: FastifyRequest) => Promise<{ title: Word; body: Raw } | { redirect: string } | { file: { name: string; type: string; bytes: Buffer; sm3: string } }>;

const LANG_COOKIE = "shuyu_lang";

/** Which console pages each permission opens, in menu order. */
const MENU: { path: string; word: Word; allowed: (p: Principal) => boolean }[] = [
  { path: "/console/catalog", word: "catalog", allowed: (p) => roleAllows(p.roles, "catalog.read") },
  { path: "/console/scenarios", word: "scenarios", allowed: (p) => p.roles.includes("developer") },
  { path: "/console/jobs", word: "jobs", allowed: (p) => p.roles.includes("developer") },
  { path: "/console/products", word: "products", allowed: (p) => roleAllows(p.roles, "product.read") },
  { path: "/console/egress", word: "egress", allowed: (p) => p.roles.includes("reviewer") },
  { path: "/console/egress", word: "myRequests", allowed: (p) => p.roles.includes("developer") && !p.roles.includes("reviewer") },
  { path: "/console/audit", word: "audit", allowed: (p) => roleAllows(p.roles, "audit.read") },
  { path: "/console/operator", word: "operator", allowed: (p) => p.roles.includes("admin") || p.roles.includes("provider") },
];

const ReviewForm = z.object({ decision: z.enum(["approve", "reject", "return"]), reason: z.string().trim().min(1, "state a reason").max(2000), csrf: z.string() });
const DecideForm = z.object({ reason: z.string().max(2000).optional(), csrf: z.string() });

/** An ISO instant as Asia/Shanghai local time (the console's clock), or a dash. */
export function shanghai(isoTime: string | Date | null | undefined): string {
  if (!isoTime) return "—";
  const d = typeof isoTime === "string" ? new Date(isoTime) : isoTime;
  return d.toLocaleString("sv-SE", { timeZone: "Asia/Shanghai", hour12: false }) + " (UTC+8)";
}

/** Number formatting follows the page's language. */
const ctxLocale = (t: (w: Word) => string) => (t("back") === "Back" ? "en-US" : "zh-CN");

/** Console routes: server-rendered pages over the same service functions, with a cookie session and CSRF tokens. */
export function registerConsole(app: FastifyInstance, o: { domain: Domain; sessions: ConsoleSessions; sendError: (r: FastifyReply, e: unknown) => FastifyReply }): void {
  /** A CSRF token for this session's forms (@fastify/csrf-protection: bound to the session id, secret in an HttpOnly cookie). */
  const csrfFor = (reply: FastifyReply, sessionId: string | undefined) => reply.generateCsrf({ userInfo: sessionId ?? "" });
  const langOf = (req: FastifyRequest): Lang => (cookies(req)[LANG_COOKIE] === "en" ? "en" : "zh");

  const frame = (req: FastifyRequest, reply: FastifyReply, status: number, title: string, body: Raw, p?: Principal) => {
    const lang = langOf(req);
    const t = words(lang);
    const nav = p
      ? html`<nav aria-label="main">${MENU.filter((m) => m.allowed(p)).map((m) => html`<a href="${m.path}">${t(m.word)}</a>`)}</nav>
<span>${t("signedInAs")}: ${p.name} (${p.accountId}, ${p.roles.join(",")})</span>
<form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="${csrfFor(reply, cookies(req)[SESSION_COOKIE])}"><button type="submit">${t("logout")}</button></form>`
      : html``;
    return reply
      .code(status)
      .type("text/html; charset=utf-8")
      .send(layout({ lang, title, nav, body, switchLabel: t("switchLang") }));
  };

  const sessionOf = async (req: FastifyRequest): Promise<{ s: Session; id: string } | undefined> => {
    const id = cookies(req)[SESSION_COOKIE];
    const token = o.sessions.token(id);
    if (!token || !id) return undefined;
    try {
      return { s: { domain: o.domain, principal: await authenticate(o.domain, token) }, id };
    } catch {
      return undefined;
    }
  };

  /** Same-origin check on top of SameSite=Strict and the CSRF token. */
  const sameOrigin = (req: FastifyRequest) => {
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`) {
      throw new ShuyuError("denied", "CSRF", "cross-site form posts are refused");
    }
  };

  const page = (method: "GET" | "POST", url: string, summary: string, fn: Page) =>
    app.route({
      method,
      url,
      config: { doc: { summary, auth: "cookie", produces: "html" } },
      // Every console form post carries the session's CSRF token; a post without it never reaches the page.
      ...(method === "POST" ? { preHandler: app.csrfProtection } : {}),
      handler: async (req, reply) => {
        const sess = await sessionOf(req);
        if (!sess) return reply.redirect("/", 303);
        const lang = langOf(req);
        const ctx: Ctx = { s: sess.s, lang, t: words(lang), csrf: csrfFor(reply, sess.id) };
        try {
          if (method === "POST") {
            sameOrigin(req);
          }
          const r = await fn(ctx, req);
          if ("redirect" in r) return reply.redirect(r.redirect, 303);
          if ("file" in r) {
            return reply.type(r.file.type).header("content-disposition", `attachment; filename="${r.file.name.replace(/[^A-Za-z0-9._-]/g, "_")}"`).header("x-shuyu-sm3", r.file.sm3).send(r.file.bytes);
          }
          return frame(req, reply, 200, ctx.t(r.title), r.body, sess.s.principal);
        } catch (err) {
          const e = asShuyuError(err);
          // An internal error's text can quote raw values: the log and the page get its id only.
          const errorId = e.kind === "internal" ? (typeof e.details.errorId === "string" ? e.details.errorId : recordInternalError(o.domain, e.cause ?? err)) : "";
          if (e.kind === "internal") req.log.error({ errorId, code: e.code }, "console page failed");
          const status = e.kind === "internal" ? 500 : e.httpStatus;
          return frame(req, reply, status, ctx.t("error"), html`<p class="block" role="alert"><strong>${e.code}</strong>: ${e.kind === "internal" ? `internal error ${errorId}` : e.message}</p><p><a href="/">${ctx.t("back")}</a></p>`, sess.s.principal);
        }
      },
    });

  app.route({
    method: "GET",
    url: "/",
    config: { doc: { summary: "The web console: login, or the home page for the signed-in role", auth: "none", produces: "html" } },
    handler: async (req, reply) => {
      const t = words(langOf(req));
      const sess = await sessionOf(req);
      if (!sess) {
        return frame(req, reply, 200, t("login"), html`<form method="post" action="/login">
<label for="token">${t("token")}</label><input id="token" name="token" type="password" autocomplete="off" required size="60" aria-describedby="token-help">
<p id="token-help">${t("tokenHelp")}</p><button type="submit">${t("login")}</button></form>`);
      }
      const first = MENU.find((m) => m.allowed(sess.s.principal));
      return reply.redirect(first?.path ?? "/console/catalog", 303);
    },
  });
  app.route({
    method: "POST",
    url: "/login",
    config: { doc: { summary: "Console login with an account token (sets an HttpOnly SameSite=Strict cookie)", auth: "none", produces: "html" } },
    handler: async (req, reply) => {
      const t = words(langOf(req));
      const token = String((req.body as { token?: unknown } | undefined)?.token ?? "").trim();
      try {
        sameOrigin(req);
        await authenticate(o.domain, token);
      } catch (err) {
        const e = asShuyuError(err);
        return frame(req, reply, e.kind === "internal" ? 500 : e.httpStatus, t("login"), html`<p class="block" role="alert">${e.code}: ${e.kind === "internal" ? "internal error" : e.message}</p><p><a href="/">${t("back")}</a></p>`);
      }
      // The cookie carries a random session id, never the token; it expires with the session.
      const id = o.sessions.open(token);
      reply.setCookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: "strict", path: "/", maxAge: o.sessions.maxAgeSeconds, secure: req.protocol === "https" });
      csrfFor(reply, id); // sets the CSRF secret cookie now, so the first form already works
      return reply.redirect("/", 303);
    },
  });
  app.route({
    method: "POST",
    url: "/logout",
    config: { doc: { summary: "Console logout", auth: "cookie", produces: "html" } },
    preHandler: app.csrfProtection,
    handler: async (req, reply) => {
      o.sessions.close(cookies(req)[SESSION_COOKIE]);
      return reply.clearCookie(SESSION_COOKIE, { path: "/" }).redirect("/", 303);
    },
  });
  app.route({
    method: "GET",
    url: "/lang/:lang",
    config: { doc: { summary: "Switch the console language (zh or en)", auth: "none", produces: "html" } },
    handler: async (req, reply) => {
      const lang = (req.params as { lang: string }).lang === "en" ? "en" : "zh";
      return reply.setCookie(LANG_COOKIE, lang, { sameSite: "strict", path: "/", maxAge: 31536000 }).redirect("/", 303);
    },
  });

  page("GET", "/console/catalog", "Console: the catalog", async ({ s, t }) => {
    const rows = await listCatalog(s);
    return {
      title: "catalog",
      body: table(t("catalog"), [t("id"), t("name"), t("provider"), t("grade"), t("rows"), t("state"), t("sample")], rows.map((r) => [r.id, r.name, r.provider, r.grade, r.rowCount, r.authorization.status, html`<a href="/console/catalog/${r.id}">${t("showSample")}: ${r.id}</a>`])),
    };
  });
  page("GET", "/console/catalog/:id", "Console: one catalog entry with desensitized sample rows", async ({ s, t }, req) => {
    const d = await showCatalog(s, (req.params as { id: string }).id, { sample: true, rows: 20 });
    const smp = d.sample!;
    return {
      title: "sample",
      body: html`<h2>${d.id} — ${d.name}</h2>
${table(t("columns"), [t("name"), t("kind"), t("tags")], d.columnDetails.map((c) => [c.name, c.type, c.tags.join(", ")]))}
<p class="warn">${t("sampleNote")}</p>
${table(t("sample"), smp.columns.map((c) => c.name), smp.rows.map((r) => r.map((v) => (v instanceof Date ? v.toISOString() : v))))}
<p><a href="/console/catalog">${t("back")}</a></p>`,
    };
  });
  page("GET", "/console/scenarios", "Console: scenarios", async ({ s, t }) => {
    const rows = await listScenarios(s);
    return {
      title: "scenarios",
      body: rows.length ? table(t("scenarios"), [t("id"), t("state"), t("purpose"), t("grants"), t("expires")], rows.map((r) => [r.id, r.state + (r.reason ? ` — ${r.reason}` : ""), r.purpose, r.grants.map((g) => `${g.dataset}: ${g.columns.join(", ")}`).join("; "), r.expires])) : html`<p>${t("none")}</p>`,
    };
  });
  page("GET", "/console/jobs", "Console: jobs", async ({ s, t }) => {
    const rows = await listJobs(s);
    return {
      title: "jobs",
      body: rows.length
        ? table(t("jobs"), [t("id"), t("kind"), t("mode"), t("state"), t("createdAt"), t("outputs"), t("errorLine")], rows.map((j) => [
          html`<a href="/console/jobs/${j.id}">${j.id}</a>`, j.kind, j.mode, stateWord(t, "st", j.state) + (j.reason ? ` — ${j.reason}` : ""), shanghai(j.createdAt),
          j.view === "developer" && j.mode === "raw" ? t("staged") : j.outputs.map((x) => `${x.part} ${x.kind}${x.name !== undefined ? ` ${x.name}` : ""}${x.rows !== undefined ? ` ${x.rows} rows` : ""}`).join("; "),
          j.error ? `${j.error.type} ${j.error.code}${j.error.line ? ` @ line ${j.error.line}${j.error.column ? `:${j.error.column}` : ""}` : ""}` : "",
        ]))
        : html`<p>${t("none")}</p>`,
    };
  });
  page("GET", "/console/jobs/:id", "Console: one job — state, times, errors, and a dev run's logs", async ({ s, t }, req) => {
    const id = (req.params as { id: string }).id;
    const j = await jobStatus(s, id);
    const logs = await jobLogs(s, id);
    return {
      title: "jobDetail",
      body: html`<h2>${j.id} (${j.mode} ${j.kind}, ${j.scenario}): ${stateWord(t, "st", j.state)}${j.reason ? ` — ${j.reason}` : ""}</h2>
${table(t("jobDetail"), [t("createdAt"), t("startedAt"), t("finishedAt"), t("error")], [[shanghai(j.createdAt), shanghai(j.startedAt), shanghai(j.finishedAt), j.error ? `${j.error.type} ${j.error.code}${j.error.line ? ` @ line ${j.error.line}` : ""}` : "—"]])}
${j.outputs.length ? table(t("outputs"), [t("kind"), t("name"), t("rows")], j.outputs.map((o) => [o.kind, o.name ?? o.part, o.rows ?? ""])) : ""}
${logs.logs === null ? html`<p class="warn">${t("rawLogsNote")}</p>` : html`<h3>${t("logs")}</h3><pre>${logs.logs.join("\n") || t("none")}</pre>`}
<p><a href="/console/jobs">${t("back")}</a></p>`,
    };
  });
  page("GET", "/console/products", "Console: released products and data interfaces", async ({ s, t }) => {
    const rows = await listProducts(s);
    const apis = await listApiProducts(s);
    // The download link is shown where delivery is allowed: the requesting organisation's developers, operator admins.
    const mayDownload = (org: string) => roleAllows(s.principal.roles, "product.download") && (s.principal.orgKind === "operator" || org === s.principal.orgId);
    const pkg = (p: (typeof rows)[number]) => {
      const name = p.package.split("/").pop() ?? p.id;
      return p.state === "listed" && mayDownload(p.org) ? html`<a href="/console/products/${p.id}/package" download="${name}">${t("download")} ${name}</a>` : name;
    };
    return {
      title: "products",
      body: html`${rows.length ? table(t("products"), [t("id"), t("form"), t("scenarios"), t("state"), t("package"), "SM3"], rows.map((p) => [p.id, p.form, p.scenario, stateWord(t, "st", p.state), pkg(p), p.sm3])) : html`<p>${t("none")}</p>`}
${apis.length ? table(t("apiProducts"), [t("id"), t("name"), t("scenarios"), t("state")], apis.map((p) => [p.id, p.name, p.scenario, p.state])) : ""}`,
    };
  });
  page("GET", "/console/products/:id/package", "Console: download a listed product's sealed package (its own organisation only; audited)", async ({ s }, req) => {
    const id = (req.params as { id: string }).id;
    const r = await downloadPackage(s, id);
    const listed = (await listProducts(s)).find((p) => p.id === id);
    return { file: { name: listed?.package.split("/").pop() ?? `${id}.tar`, type: "application/octet-stream", bytes: r.bytes, sm3: r.sm3 } };
  });
  page("GET", "/console/egress", "Console: the egress review queue", async ({ s, t }) => {
    const rows = await listEgress(s);
    return {
      title: "egress",
      body: rows.length
        ? table(t("egress"), [t("id"), t("job"), t("form"), t("state"), t("findings"), ""], rows.map((r) => [
          r.id, r.job, r.form, stateWord(t, "st", r.state),
          r.findings.filter((f) => f.severity !== "pass").map((f) => `[${f.severity}] ${f.rule}`).join("; ") || "—",
          html`<a href="/console/egress/${r.id}">${t("open")} ${r.id}</a>`,
        ]))
        : html`<p>${t("none")}</p>`,
    };
  });
  page("GET", "/console/egress/:id", "Console: one egress request — reviewers get the dossier (purpose, requester, code, marks, paged output with flagged cells, sorted findings); the requester a read-only page", async ({ s, t, csrf }, req) => {
    const id = (req.params as { id: string }).id;
    const pageNo = Math.max(1, Number((req.query as { page?: string }).page ?? 1) || 1);
    const r = await showEgress(s, id);
    const reviewerView = s.principal.roles.includes("reviewer") || s.principal.orgKind === "operator";
    const blocks = r.findings.filter((f) => f.severity === "block");
    const returned = r.reviews.filter((v) => v.decision === "return").at(-1);
    const head = html`<h2>${r.id} (${t("job")} <a href="/console/jobs/${r.job}">${r.job}</a>, ${t("form")} ${r.form}, ${t("grade")} ${r.grade}): ${stateWord(t, "st", r.state)}</h2>
<p>${t("approvalsOf")}: ${r.approvals} / ${r.reviewsNeeded}${r.reviewsNeeded > 1 ? html` — ${t("secondReviewer")}` : ""}; ${t("createdAt")} ${shanghai(r.requestedAt)}${r.decidedAt ? `; ${t("decided")} ${shanghai(r.decidedAt)}` : ""}</p>
${returned ? html`<p class="warn" role="status">${t("returnedWhy")} ${returned.reason}</p>` : ""}
${blocks.length ? html`<div class="block" role="alert"><p>${t("blockedWhy")}</p><ul>${blocks.map((b) => html`<li><strong>${b.rule}</strong>: ${b.detail}</li>`)}</ul></div>` : ""}`;
    const reviews = r.reviews.length ? table(t("reviews"), [t("actor"), t("org"), t("action"), t("reason")], r.reviews.map((v) => [v.by, v.org, v.decision, v.reason])) : "";
    const released = r.package ? html`<p class="ok">${t("released")}: ${r.package.split("/").pop()}</p>` : "";
    if (!reviewerView) {
      // The requester's own request: what the gate said and what was decided, no decision buttons.
      return {
        title: "egress",
        body: html`${head}<p class="warn">${t("readOnly")}</p>
${table(t("findings"), [t("rule"), t("severity"), t("detail")], r.findings.map((f) => [f.rule, stateWord(t, "sev", f.severity), f.detail]))}
${reviews}${released}<p><a href="/console/egress">${t("back")}</a></p>`,
      };
    }
    const d = await egressDossier(s, id, { page: pageNo, pageSize: 50 });
    const pager = (pages: number, cur: number) => pages > 1 ? html`<p>${cur > 1 ? html`<a href="/console/egress/${r.id}?page=${cur - 1}">${t("previous")}</a> ` : ""}${t("page")} ${cur} / ${pages}${cur < pages ? html` <a href="/console/egress/${r.id}?page=${cur + 1}">${t("next")}</a>` : ""}</p>` : "";
    return {
      title: "egress",
      body: html`${head}
${table(t("egress"), [t("purpose"), t("requester"), t("job")], [[d.purpose, `${d.requester.name} (${d.requester.account}), ${d.requester.orgName} (${d.requester.org})`, `${d.job.kind}, SM3 ${d.job.codeSm3.slice(0, 16)}…`]])}
<h3>${t("code")}</h3><pre>${d.job.code ?? "—"}</pre>
${table(t("findings"), [t("rule"), t("severity"), t("detail")], d.findings.map((f) => [f.rule, f.severity === "pass" ? stateWord(t, "sev", f.severity) : html`<mark>${stateWord(t, "sev", f.severity)}</mark>`, f.detail]))}
${d.tables.map((tb) => {
  const flagged = new Set(tb.flagged.map(([i, c]) => `${i}\u0000${c}`));
  return html`<h3>${tb.name}: ${t("mark")} ${tb.mark ?? "—"}, ${t("rows")} ${tb.rows.toLocaleString(ctxLocale(t))}</h3>
${tb.flagged.length ? html`<p>${t("flaggedNote")}</p>` : ""}
${table(tb.name, tb.columns.map((c) => c.name), tb.page.rows.map((row, i) => row.map((v, j) => (flagged.has(`${i}\u0000${tb.columns[j].name}`) ? html`<mark>${v}</mark>` : v))))}
${tb.mark === null || tb.mark.includes("aggregate") ? barChart(tb.name, tb.columns, tb.page.rows) : ""}
${pager(tb.page.pages, tb.page.number)}`;
})}
${reviews}${released}
${d.canDecide ? html`<form method="post" action="/console/egress/${r.id}/review">
<input type="hidden" name="csrf" value="${csrf}">
<label for="reason">${t("reason")}</label><textarea id="reason" name="reason" required rows="3" cols="60"></textarea>
<p><button type="submit" name="decision" value="approve">${t("approve")}</button> <button type="submit" name="decision" value="return">${t("returnForChanges")}</button> <button type="submit" name="decision" value="reject">${t("reject")}</button></p></form>` : ""}
<p><a href="/console/egress">${t("back")}</a></p>`,
    };
  });
  page("POST", "/console/egress/:id/review", "Console: approve or reject an egress request", async ({ s }, req) => {
    const id = (req.params as { id: string }).id;
    const f = parseInput(ReviewForm, req.body, "review");
    await reviewEgress(s, id, f.decision, f.reason);
    return { redirect: `/console/egress/${encodeURIComponent(id)}` };
  });
  page("GET", "/console/audit", "Console: the audit log with filters", async ({ s, t, csrf }, req) => {
    const q = req.query as Record<string, string>;
    const filter = Object.fromEntries(Object.entries({ actor: q.actor, action: q.action, object: q.object, since: q.since, until: q.until }).filter(([, v]) => v));
    // 50 entries a page, newest first; the service returns the newest `limit` in chain order.
    const per = 50;
    const pageNo = Math.max(1, Number(q.page ?? 1) || 1);
    const upTo = (await auditLog(s, { ...filter, limit: per * pageNo + 1 })).reverse();
    const rows = upTo.slice(per * (pageNo - 1), per * pageNo);
    const more = upTo.length > per * pageNo;
    const qs = (n: number) => new URLSearchParams({ ...filter, page: String(n) } as Record<string, string>).toString();
    const field = (name: "actor" | "action" | "object" | "since" | "until") => html`<label for="f-${name}">${t(name)}</label><input id="f-${name}" name="${name}" value="${q[name] ?? ""}">`;
    return {
      title: "audit",
      body: html`<form method="post" action="/console/audit/verify"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">${t("verifyChain")}</button></form>
<form method="get" action="/console/audit">${field("actor")}${field("action")}${field("object")}${field("since")}${field("until")}<p><button type="submit">${t("filter")}</button></p></form>
${table(t("audit"), ["seq", t("time"), t("actor"), t("action"), t("object"), t("details")], rows.map((e) => [e.seq, shanghai(e.time), e.actor, e.action, e.object, html`<details><summary>${JSON.stringify(e.details).slice(0, 80)}</summary><pre>${JSON.stringify(e.details, null, 2)}</pre></details>`]))}
<p>${pageNo > 1 ? html`<a href="/console/audit?${qs(pageNo - 1)}">${t("previous")}</a> ` : ""}${t("page")} ${pageNo}${more ? html` <a href="/console/audit?${qs(pageNo + 1)}">${t("next")}</a>` : ""}</p>`,
    };
  });
  page("POST", "/console/audit/verify", "Console: verify the audit chain", async ({ s, t }) => {
    const r = await verifyAudit(s);
    return {
      title: "audit",
      body: r.ok ? html`<p class="ok" role="status">${t("chainOk")}: ${r.entries}</p><p><a href="/console/audit">${t("back")}</a></p>` : html`<p class="block" role="alert">${t("chainBad")} ${r.firstBadSeq}: ${r.problem}</p>`,
    };
  });
  page("GET", "/console/operator", "Console: organisations, agreements and scenario approvals", async ({ s, t, csrf }) => {
    const p = s.principal;
    const orgs = roleAllows(p.roles, "org.list") ? await listOrgs(s) : [];
    const agreements = roleAllows(p.roles, "agreement.read") ? await listAgreements(s) : [];
    const scenarios = (await listScenarios(s)).filter((x) => x.state === "submitted");
    const decide = (id: string) => html`<form class="inline" method="post" action="/console/scenarios/${id}/approve"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">${t("approve")} ${id}</button></form>
<form class="inline" method="post" action="/console/scenarios/${id}/reject"><input type="hidden" name="csrf" value="${csrf}"><label for="rr-${id}">${t("reason")}</label><input id="rr-${id}" name="reason" required><button type="submit">${t("reject")} ${id}</button></form>`;
    return {
      title: "operator",
      body: html`${orgs.length ? table(t("orgs"), [t("id"), t("name"), t("kind"), t("state")], orgs.map((x) => [x.id, x.name, x.kind, x.state])) : ""}
${agreements.length ? table(t("agreements"), [t("id"), t("org"), t("datasets"), t("start"), t("end"), t("state")], agreements.map((a) => [a.id, a.org, a.datasets.join(", "), a.start, a.end, a.state])) : ""}
${scenarios.length ? table(t("approvals"), [t("id"), t("org"), t("purpose"), t("grants"), t("waitingFor"), ""], scenarios.map((x) => [
  x.id, x.org, x.purpose, x.grants.map((g) => `${g.dataset}: ${g.columns.join(", ")}`).join("; "),
  x.approvals.required.filter((r) => (r === "operator" ? !x.approvals.operator : !x.approvals.providers[r])).join(", "), decide(x.id),
])) : html`<p>${t("approvals")}: ${t("none")}</p>`}`,
    };
  });
  page("POST", "/console/scenarios/:id/approve", "Console: approve a scenario", async ({ s }, req) => {
    const f = parseInput(DecideForm, req.body, "approve");
    await approveScenario(s, (req.params as { id: string }).id, f.reason || undefined);
    return { redirect: "/console/operator" };
  });
  page("POST", "/console/scenarios/:id/reject", "Console: reject a scenario", async ({ s }, req) => {
    const f = parseInput(DecideForm, req.body, "reject");
    await rejectScenario(s, (req.params as { id: string }).id, f.reason);
    return { redirect: "/console/operator" };
  });
}

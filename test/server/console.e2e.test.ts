import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, consoleLogin, serve, world } from "./world.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/**
 * CJK characters of the page that render as the missing-glyph box: each is drawn on a canvas in
 * the page's own font and compared with a code point no font has (U+10FFFD, private use).
 */
async function missingGlyphs(page: Page): Promise<string[]> {
  // A string: the test is compiled without the DOM library; this runs in the page.
  return page.evaluate(`(() => {
    const font = getComputedStyle(document.body).fontFamily;
    const c = document.createElement("canvas");
    c.width = 48;
    c.height = 48;
    const g = c.getContext("2d");
    const draw = (ch) => {
      g.clearRect(0, 0, 48, 48);
      g.font = "36px " + font;
      g.fillText(ch, 4, 40);
      return Array.from(g.getImageData(0, 0, 48, 48).data).join(",");
    };
    const tofu = draw("\\u{10FFFD}");
    return [...new Set([...document.body.innerText])].filter((ch) => /[\\u3400-\\u9fff]/.test(ch) && draw(ch) === tofu);
  })()`);
}

/** Screenshots a page into the temp folder and fails on any missing CJK glyph. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(tmpdir(), `shuyu-console-${name}.png`), fullPage: true });
  expect(await missingGlyphs(page), `${name}: CJK characters without a glyph (install fonts-noto-cjk)`).toEqual([]);
}

// CI installs Debian's chromium before `npm ci` (.ci/run); without it there is no browser to drive.
// In CI the browser is installed by .ci/run, so a missing one is a failure there, not a skip.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)("web console in headless Chromium", () => {
  let w: Awaited<ReturnType<typeof world>>;
  let srv: Awaited<ReturnType<typeof serve>>;
  let ctx: BrowserContext;
  let profile: string;
  let egressId: string;
  beforeAll(async () => {
    w = await world();
    srv = await serve(w.env.dir);
    const job = await api(srv.url, "POST", "/api/jobs", w.tokens.dev, { scenario: "hy", sql: "SELECT gender, count(*) AS n, avg(income)::INTEGER AS mean_income FROM people GROUP BY gender ORDER BY gender" });
    expect(job.json.state, JSON.stringify(job.json)).toBe("succeeded");
    const eg = await api(srv.url, "POST", "/api/egress", w.tokens.dev, { job: job.json.id, form: "dataset" });
    expect(eg.status, JSON.stringify(eg.json)).toBe(201);
    expect(eg.json.state).toBe("checked");
    egressId = eg.json.id;
    profile = mkdtempSync(join(tmpdir(), "shuyu-chromium-"));
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  }, 180_000);
  afterAll(async () => {
    await ctx?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await srv?.close();
    w?.env.cleanup();
  });

  it("R6: a reviewer logs in with a token, approves a request with a reason, and the developer sees the released package", async () => {
    const page = await ctx.newPage();
    await page.goto(srv.url + "/");
    await page.getByLabel("账户令牌").fill(w.tokens.reviewer);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("link", { name: "出域审查队列" }).click();
    await page.getByRole("link", { name: `查看 ${egressId}` }).click();
    // the dossier: purpose, the SQL, the output table with its rows, and all three decisions
    await expect(page.getByRole("table", { name: "result" }).count()).resolves.toBe(1);
    await expect(page.locator("pre").first().textContent()).resolves.toMatch(/GROUP BY gender/);
    await expect(page.getByRole("button", { name: "退回修改" }).count()).resolves.toBe(1);
    await page.getByLabel("理由（必填）").fill("汇总统计，未见个人信息");
    await shoot(page, "review");
    await page.getByRole("button", { name: "批准" }).click();
    await expect(page.locator("p.ok").textContent()).resolves.toMatch(/已发布/);
    const products = await api(srv.url, "GET", "/api/products", w.tokens.dev);
    expect(products.json).toHaveLength(1);
    const cookie = (await ctx.cookies()).find((c) => c.name === "shuyu_session")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });

    await page.getByRole("button", { name: "退出" }).click();
    await page.getByRole("link", { name: "English" }).click();
    await page.getByLabel("Account token").fill(w.tokens.dev);
    await page.getByLabel("Account token").press("Enter");
    await page.getByRole("link", { name: "Products" }).click();
    await expect(page.getByRole("cell", { name: products.json[0].id, exact: true }).count()).resolves.toBe(1);
    // the developer downloads the package from the console: the bytes are the registered package (same SM3), and it is audited
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: /^Download / }).click()]);
    const saved = join(profile, "delivered.tar");
    await download.saveAs(saved);
    expect(createHash("sm3").update(readFileSync(saved)).digest("hex")).toBe(products.json[0].sm3);
    expect((await api(srv.url, "GET", "/api/audit?action=product.download", w.tokens.auditor)).json.at(-1)).toMatchObject({ actor: "alice", object: `product:${products.json[0].id}` });
    // nobody outside the requesting organisation gets it, link or no link
    const reviewerCookie = await consoleLogin(srv.url, w.tokens.reviewer);
    expect((await fetch(`${srv.url}/console/products/${products.json[0].id}/package`, { headers: { cookie: reviewerCookie }, redirect: "manual" })).status).toBe(403);
    await page.getByRole("link", { name: "Jobs" }).click();
    await expect(page.getByRole("cell", { name: "succeeded" }).count()).resolves.toBeGreaterThan(0);
    await shoot(page, "jobs");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(srv.url + "/console/jobs");
    // at 390 px the page itself does not scroll sideways: wide tables scroll inside their box
    await expect(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")).resolves.toBe(true);
    await shoot(page, "jobs-390");
    await page.close();
  });

  it("a form posted without the CSRF token changes nothing; an auditor verifies the chain with a button", async () => {
    const page = await ctx.newPage();
    await page.goto(srv.url + "/");
    await page.getByRole("button", { name: /退出|Log out/ }).click().catch(() => undefined);
    await page.goto(srv.url + "/");
    await page.getByLabel(/账户令牌|Account token/).fill(w.tokens.auditor);
    await page.getByLabel(/账户令牌|Account token/).press("Enter");
    await page.getByRole("link", { name: /审计日志|Audit log/ }).click();
    await shoot(page, "audit");
    await page.getByRole("button", { name: /校验审计链|Verify chain/ }).click();
    await expect(page.getByRole("status").textContent()).resolves.toMatch(/\d+/);
    const before = (await api(srv.url, "GET", "/api/audit?action=audit.verify", w.tokens.auditor)).json.length;
    const forged = await ctx.request.post(srv.url + "/console/audit/verify", { form: { csrf: "wrong" }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    const crossSite = await ctx.request.post(srv.url + "/console/audit/verify", { form: { csrf: "wrong" }, headers: { origin: "http://evil.example" }, maxRedirects: 0 });
    expect(crossSite.status()).toBe(403);
    expect((await api(srv.url, "GET", "/api/audit?action=audit.verify", w.tokens.auditor)).json.length).toBe(before);
    await page.close();
  });
});

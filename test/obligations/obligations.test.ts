import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readEntries } from "../../runtime/audit/chain.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { publishApiProduct, reviewApiProduct } from "../../runtime/server/api-products/service.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { as, cli, writeCsv } from "../helpers/fixture.js";
import { api, serve, VERIFY_SQL, world, type Json } from "../server/world.js";

const COUNT_SQL = "SELECT count(*)::INTEGER AS n FROM people WHERE gender = $1";
const NAME_ONLY_SQL = "SELECT CASE WHEN count(*) > 0 THEN 'match' ELSE 'no_match' END AS result FROM people WHERE name = $1";

/**
 * The obligations of issue 15 through the real CLI (and, at the end, the HTTP server) on
 * one domain: a 核验 product and a count product of dev1's scenario `hy`, and a second
 * developer organisation dev2 (bob) that wants to use them.
 */
// Each test makes many real CLI runs; on a loaded machine each takes seconds.
describe("obligations: product use, consent, register, disclosure, admission, whitelists, fees, calendar, social data", { timeout: 400_000 }, () => {
  let w: Awaited<ReturnType<typeof world>>;
  const ids = { verify: "", count: "", nameOnly: "" };
  let bob = "";
  const run = async (token: string, ...args: string[]): Promise<{ code: number; json: Json; stderr: string }> => {
    const r = await cli(["--domain", w.env.dir, "--token", token, "--json", ...args]);
    let json: Json;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      json = r.stdout;
    }
    return { code: r.code, json, stderr: r.stderr };
  };

  beforeAll(async () => {
    w = await world();
    await as(w.env.dir, w.tokens.admin, (s) => addOrg(s, { id: "dev2", name: "开发二", kind: "developer" }));
    bob = (await as(w.env.dir, w.tokens.admin, (s) => addAccount(s, { id: "bob", name: "刘六", org: "dev2", roles: ["developer"] }))).token;
    const publish = async (sql: string, params: unknown[], spec: Record<string, unknown>) => {
      const job = await as(w.env.dir, w.tokens.dev, (s) => submitJob(s, { scenario: "hy", sql, params: JSON.stringify(params) }));
      const p = await as(w.env.dir, w.tokens.dev, (s) => publishApiProduct(s, { job: job.id, sql, ...spec }));
      await as(w.env.dir, w.tokens.reviewer, (s) => reviewApiProduct(s, p.id, { decision: "approve", reason: "只输出声明的字段" }));
      return p.id;
    };
    const matchOut = [{ name: "result", kind: "class", values: ["match", "no_match"] }];
    ids.verify = await publish(VERIFY_SQL, [w.rows[0][0], w.rows[0][1]], { name: "姓名身份证号核验", params: [{ name: "name", type: "string" }, { name: "id_number", type: "string" }], output: matchOut });
    ids.count = await publish(COUNT_SQL, ["F"], { name: "性别人数", params: [{ name: "gender", type: "string" }], output: [{ name: "n", kind: "count" }], rules: { minCount: 1 } });
    ids.nameOnly = await publish(NAME_ONLY_SQL, [w.rows[0][0]], { name: "姓名核验", params: [{ name: "name", type: "string" }], output: matchOut });
  }, 240_000);
  afterAll(async () => {
    await closeSharedPool();
    w?.env.cleanup();
  });

  it("R6 HB 26(2), ZJ 22, GZ 18, HLJ 20(4): the operator registers a product (name, description, price, number); the signed registration record verifies and a changed byte does not", async () => {
    const reg = await run(w.tokens.admin, "product", "register", ids.count, "--name", "性别人数查询", "--description", "按性别返回人数（小于阈值不答）", "--pricing", "cost", "--price-fen", "30", "--cost-basis", "算力与运维成本分摊");
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.json).toMatchObject({ id: ids.count, registrationNo: expect.stringMatching(/^SY-\d{4}-\d{6}$/), priceFen: 30, sources: [{ dataset: "people" }] });
    const bad = await run(w.tokens.admin, "product", "register", ids.verify, "--name", "核验", "--description", "免费核验服务", "--pricing", "free", "--price-fen", "5", "--cost-basis", "公益");
    expect(bad).toMatchObject({ code: 3, json: { error: { code: "INVALID_REGISTRATION" } } });
    expect((await run(w.tokens.dev, "product", "register", ids.verify, "--name", "核验", "--description", "自行登记", "--pricing", "free", "--cost-basis", "公益")).json.error.code).toBe("PERMISSION_DENIED");
    expect((await run(w.tokens.admin, "product", "register", ids.verify, "--name", "姓名身份证号核验", "--description", "返回是否一致", "--pricing", "free", "--cost-basis", "公益性使用免费")).code).toBe(0);

    const file = join(w.env.dir, "..", "registration.json");
    expect((await run(w.tokens.admin, "product", "registration", ids.count, "--out", file)).code).toBe(0);
    const record = JSON.parse(readFileSync(file, "utf8"));
    expect(record).toMatchObject({ format: "shuyu-registration/1", product: { id: ids.count, form: "api", purpose: expect.any(String), priceFen: 30, sources: [{ dataset: "people", version: 1 }] }, signature: { alg: "SM2-with-SM3" } });
    expect(await run(w.tokens.admin, "product", "verify-registration", file)).toMatchObject({ code: 0, json: { valid: true, registrationNo: record.registrationNo } });
    writeFileSync(file, JSON.stringify({ ...record, product: { ...record.product, priceFen: 1 } }));
    expect(await run(w.tokens.admin, "product", "verify-registration", file)).toMatchObject({ code: 3, json: { error: { code: "SIGNATURE_INVALID" } } });
    const catalog = await run(w.tokens.dev, "product", "catalog");
    expect(catalog.json.find((p: Json) => p.id === ids.count)).toMatchObject({ name: "性别人数查询", registrationNo: record.registrationNo, state: "listed", scenario: "hy" });
  });

  it("R6 HB 27, HB 31, ZJ 25: another organisation's developer calling a product without a use agreement is refused; with one it answers and is metered at the agreed price; ending it refuses the next call", async () => {
    const call = (token: string, id: string, params: unknown) => run(token, "product", "call", id, "--params", JSON.stringify(params));
    const refused = await call(bob, ids.count, { gender: "F" });
    expect(refused).toMatchObject({ code: 2, json: { error: { code: "USE_AGREEMENT_REQUIRED", details: { org: "dev2" } } } });
    // the product's own organisation uses it under its own scenario
    expect((await call(w.tokens.dev, ids.count, { gender: "F" })).code).toBe(0);
    const use = ["use", "add", "--product", ids.count, "--org", "dev2", "--use-scenario", "公共服务规划测算", "--conditions", "仅用于规划，不得转售", "--start", "2026-01-01", "--end", "2027-12-31"];
    expect((await run(w.tokens.admin, ...use, "--delivery", "package")).json.error.code).toBe("DELIVERY_MISMATCH");
    expect((await run(w.tokens.admin, ...use, "--delivery", "api", "--public-interest", "--price-fen", "5")).json.error.code).toBe("INVALID_USE");
    expect((await run(bob, ...use, "--delivery", "api")).json.error.code).toBe("PERMISSION_DENIED");
    const made = await run(w.tokens.admin, ...use, "--delivery", "api", "--id", "use-bob");
    expect(made).toMatchObject({ code: 0, json: { id: "use-bob", priceFen: 30, publicInterest: false, state: "active" } });
    const ok = await call(bob, ids.count, { gender: "F" });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json.answer.result.n).toBeGreaterThan(0);
    const usage = await run(w.tokens.admin, "usage", "report");
    expect(usage.json.products.find((p: Json) => p.product === ids.count)).toMatchObject({ calls: 2, users: 2, revenueFen: 30 });
    expect((await run(bob, "use", "list")).json.map((u: Json) => u.id)).toEqual(["use-bob"]);
    expect((await run(w.tokens.admin, "use", "terminate", "use-bob", "--reason", "违反使用条件")).json.state).toBe("terminated");
    expect((await call(bob, ids.count, { gender: "F" })).json.error.code).toBe("USE_AGREEMENT_REQUIRED");
    const refusals = readEntries(join(w.env.dir, "audit", "chain.jsonl")).filter((e) => e.action === "product.calls").flatMap((e) => (e.details as { calls: { caller: string; code?: string }[] }).calls);
    expect(refusals.filter((c) => c.caller === "bob").map((c) => c.code ?? "answered")).toEqual(["USE_AGREEMENT_REQUIRED", "answered", "USE_AGREEMENT_REQUIRED"]);
  });

  it("R4 GZ 23, ZJ 20, HB 27(2): a 核验 call about a person without that person's authorization is refused; with it it answers; a revoked authorization is refused on the next call; the ID number is never stored", async () => {
    const [name, idn] = w.rows[7];
    const call = (id = ids.verify, params: unknown = { name, id_number: idn }) => run(bob, "product", "call", id, "--params", JSON.stringify(params));
    expect((await run(w.tokens.admin, "use", "add", "--product", ids.verify, "--org", "dev2", "--use-scenario", "开户实名核验", "--delivery", "api", "--public-interest", "--conditions", "仅核验本人", "--start", "2026-01-01", "--end", "2027-12-31")).code).toBe(0);
    expect((await call()).json.error.code).toBe("LEGAL_BASIS_MISSING");
    expect((await run(w.tokens.admin, "consent", "basis", "hy", "--basis", "consent", "--note", "核验须经本人授权")).code).toBe(0);
    // another organisation's developer verifying a stranger's name and ID number: refused
    expect((await call()).json.error).toMatchObject({ code: "CONSENT_REQUIRED", kind: "denied" });
    const consent = ["consent", "record", "--dataset", "people", "--subject", idn, "--scope", `product:${ids.verify}`, "--granted", "2026-01-01", "--evidence", "授权书 SQ-2026-0007"];
    expect((await run(w.tokens.admin, ...consent, "--expires", "2025-12-31")).json.error.code).toBe("INVALID_CONSENT");
    expect((await run(w.tokens.admin, "consent", "record", "--dataset", "people", "--subject", `${idn},x`, "--scope", "*", "--granted", "2026-01-01", "--expires", "2027-01-01", "--evidence", "x1")).json.error.code).toBe("SUBJECT_KEY_SHAPE");
    const rec = await run(w.tokens.admin, ...consent, "--expires", "2027-12-31");
    expect(rec.code, rec.stderr).toBe(0);
    expect((await call()).json.answer.result).toEqual({ result: "match" });
    // the authorization is this person's only: the next person is refused
    expect((await call(ids.verify, { name: w.rows[8][0], id_number: w.rows[8][1] })).json.error.code).toBe("CONSENT_REQUIRED");
    // a product that names a person without binding the subject key cannot be matched to any authorization
    expect((await run(w.tokens.admin, "use", "add", "--product", ids.nameOnly, "--org", "dev2", "--use-scenario", "姓名核验", "--delivery", "api", "--public-interest", "--conditions", "无附加条件", "--start", "2026-01-01", "--end", "2027-12-31")).code).toBe(0);
    expect((await call(ids.nameOnly, { name })).json.error.code).toBe("CONSENT_SUBJECT_UNBOUND");
    expect((await run(w.tokens.admin, "consent", "revoke", rec.json.id, "--reason", "本人撤回授权")).json.state).toBe("revoked");
    expect((await call()).json.error.code).toBe("CONSENT_REQUIRED");
    const list = await run(w.tokens.admin, "consent", "list");
    expect(list.json[0]).toMatchObject({ subjectDigest: expect.stringMatching(/^[0-9a-f]{64}$/), state: "revoked" });
    expect(JSON.stringify(list.json) + JSON.stringify(readEntries(join(w.env.dir, "audit", "chain.jsonl")))).not.toContain(idn);
  });

  it("R6 GY 31: product delist ID --reason recalls one product: calls stop at once, the recall is audited, a second delisting is refused", async () => {
    expect((await run(w.tokens.dev, "product", "delist", ids.count, "--reason", "x")).json.error.code).toBe("PERMISSION_DENIED");
    const d = await run(w.tokens.admin, "product", "delist", ids.count, "--reason", "数据源更新，产品召回");
    expect(d).toMatchObject({ code: 0, json: { state: "delisted", reason: "数据源更新，产品召回" } });
    expect((await run(w.tokens.dev, "product", "call", ids.count, "--params", '{"gender":"F"}')).json.error.code).toBe("PRODUCT_DELISTED");
    expect((await run(w.tokens.admin, "product", "delist", ids.count, "--reason", "again")).json.error.code).toBe("ILLEGAL_TRANSITION");
    expect(readEntries(join(w.env.dir, "audit", "chain.jsonl")).filter((e) => e.action === "product.delist").map((e) => e.object)).toEqual([`product:${ids.count}`]);
  });

  it("R3 GZ 9, ZJ 9, ZJ 14(5), GZ 20, ZJ 31, HB 24(1): once admission is required a non-admitted organisation is refused; admission waits for the publicity period; personnel need a confidentiality agreement", async () => {
    expect((await run(w.tokens.admin, "admission", "policy", "--require")).json.required).toBe(true);
    try {
      const call = () => run(bob, "product", "call", ids.verify, "--params", JSON.stringify({ name: w.rows[7][0], id_number: w.rows[7][1] }));
      // neither developer organisation is admitted yet: dev1's own jobs stop, and so do its products
      const job = () => run(w.tokens.dev, "job", "submit", "--scenario", "hy", "--sql", COUNT_SQL, "--params", '["F"]');
      expect((await job()).json.error).toMatchObject({ code: "ORG_NOT_ADMITTED", details: { org: "dev1" } });
      expect((await call()).json.error).toMatchObject({ code: "PRODUCT_SUSPENDED", details: { cause: "ORG_NOT_ADMITTED" } });
      const apply = (token: string, org: string) => run(token, "admission", "apply", "--org", org, "--qualifications", "营业执照、ISO 27001 证书、数据安全负责人", "--publicity-days", "7");
      const a2 = await apply(bob, "dev2");
      expect(a2).toMatchObject({ code: 0, json: { state: "publicity", org: "dev2" } });
      const a1 = await apply(w.tokens.admin, "dev1");
      expect((await run(bob, "admission", "apply", "--org", "dev1", "--qualifications", "冒名申请材料")).json.error.code).toBe("PERMISSION_DENIED");
      const pub = JSON.parse((await cli(["--domain", w.env.dir, "--json", "disclosure"])).stdout);
      expect(pub.publicity.map((p: Json) => p.org).sort()).toEqual(["dev1", "dev2"]);
      expect((await run(w.tokens.admin, "admission", "decide", a2.json.id, "--admit", "--reason", "材料齐全")).json.error.code).toBe("PUBLICITY_NOT_OVER");
      const later = new Date(Date.parse(a2.json.publicityUntil + "T00:00:00Z") + 86_400_000).toISOString();
      for (const a of [a1, a2]) {
        const admitted = await cli(["--domain", w.env.dir, "--token", w.tokens.admin, "--json", "admission", "decide", a.json.id, "--admit", "--reason", "公示期满无异议"], { SHUYU_NOW: later });
        expect(JSON.parse(admitted.stdout)).toMatchObject({ state: "admitted" });
      }
      expect((await job()).json.error).toMatchObject({ code: "CONFIDENTIALITY_MISSING", details: { account: "alice" } });
      expect((await call()).json.error).toMatchObject({ code: "CONFIDENTIALITY_MISSING", details: { account: "bob" } });
      expect((await run(w.tokens.admin, "personnel", "record", "bob", "--confidentiality", "BM-2026-018", "--signed-on", "2026-01-05")).json.error.code).toBe("INVALID_PERSONNEL");
      for (const acc of ["bob", "alice"]) expect((await run(w.tokens.admin, "personnel", "record", acc, "--confidentiality", `BM-2026-${acc}`, "--signed-on", "2026-01-05", "--id-verified")).code).toBe(0);
      expect((await job()).json.state).toBe("succeeded");
      expect((await call()).json.error.code).toBe("CONSENT_REQUIRED"); // admitted and filed: the next obligation decides
      expect((await run(w.tokens.admin, "admission", "evaluate", "--org", "dev2", "--period", "2026-H1", "--score", "88", "--text", "按时整改，无违规")).code).toBe(0);
      const listed = await run(bob, "admission", "list");
      expect(listed.json).toMatchObject({ required: true, admissions: [{ org: "dev2", state: "admitted" }], evaluations: [{ org: "dev2", score: 88 }] });
      const removed = await run(w.tokens.admin, "admission", "decide", a2.json.id, "--remove", "--reason", "考核不合格");
      expect(removed.json.state).toBe("removed");
      expect((await call()).json.error.code).toBe("ORG_NOT_ADMITTED");
    } finally {
      expect((await run(w.tokens.admin, "admission", "policy", "--no-require")).json.required).toBe(false);
    }
  });

  it("R4 HB 28: a whitelisted scenario takes the recorded fast-review path (the operator alone), still one scenario one review; others wait for the provider", async () => {
    const submit = (id: string) => run(w.tokens.dev, "scenario", "submit", "--id", id, "--purpose", "按性别统计收入分布用于公共服务规划", "--grant", "people:gender,income");
    expect((await submit("slow")).code).toBe(0);
    expect((await run(w.tokens.admin, "scenario", "approve", "slow")).json.state).toBe("submitted");
    expect((await run(w.tokens.admin, "whitelist", "add", "--kind", "table", "--target", "people", "--note", "x")).json.error.code).toBe("INVALID_WHITELIST");
    expect((await run(w.tokens.admin, "whitelist", "add", "--kind", "dataset", "--target", "people", "--note", "统计口径数据，已评估")).code).toBe(0);
    expect((await submit("fast")).code).toBe(0);
    expect((await run(w.tokens.admin, "scenario", "approve", "fast")).json.state).toBe("approved");
    const entry = readEntries(join(w.env.dir, "audit", "chain.jsonl")).filter((e) => e.action === "scenario.approve" && e.object === "scenario:fast").pop()!;
    expect(entry.details).toMatchObject({ fastReview: "whitelisted datasets people", waitingFor: [] });
    expect((await run(w.tokens.dev, "whitelist", "list")).json).toMatchObject([{ kind: "dataset", target: "people" }]);
    expect((await run(w.tokens.admin, "whitelist", "remove", "--kind", "dataset", "--target", "people")).code).toBe(0);
  });

  it("R8 HLJ 19, GZ 21, HB 25: the operator raises a quality issue to a provider; the deadline counts working days of the holiday calendar in Asia/Shanghai, not UTC", async () => {
    expect((await run(w.tokens.admin, "calendar", "set", "--holiday", "2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07", "--name", "国庆节")).code).toBe(0);
    expect((await run(w.tokens.admin, "calendar", "set", "--workday", "2026-10-10", "--name", "国庆调休")).code).toBe(0);
    expect((await run(w.tokens.admin, "calendar", "set", "--holiday", "2026-13-01", "--name", "x")).json.error.code).toBe("INVALID_CALENDAR");
    // 2026-09-29 17:00 UTC is already Wednesday 2026-09-30 in Shanghai: 3 working days are 10-08, 10-09 and Saturday 10-10 (调休).
    const r = await cli(["--domain", w.env.dir, "--token", w.tokens.admin, "--json", "feedback", "submit", "--dataset", "people", "--text", "收入字段存在负值，请核实"], { SHUYU_NOW: "2026-09-29T17:00:00Z" });
    expect(JSON.parse(r.stdout)).toMatchObject({ due: "2026-10-10", org: "operator", provider: "gaj", state: "open" });
    expect((await run(w.tokens.admin, "calendar", "show")).json).toMatchObject({ timeZone: "Asia/Shanghai", days: expect.arrayContaining([{ day: "2026-10-10", kind: "workday", name: "国庆调休" }]) });
    expect((await run(w.tokens.prov, "feedback", "list")).json.map((f: Json) => f.org)).toContain("operator");
  });

  it("R10 R4 HB 24(3), ZJ 20, HLJ 25: a developer's social data is imported with its lawful source, marked in the catalog, fused only inside its own scenario granting both, never visible to another organisation", async () => {
    const file = writeCsv(join(w.env.dir, "..", "members.csv"), ["id_number", "spend"], w.rows.slice(0, 50).map((r, i) => [r[1], 100 + i]));
    const imp = await run(w.tokens.admin, "social", "import", "--id", "members", "--file", file, "--org", "dev1", "--lawful-source", "会员服务协议第 5 条（用户同意）", "--grade", "2", "--subject", "id_number");
    expect(imp.code, imp.stderr).toBe(0);
    expect((await run(w.tokens.admin, "social", "import", "--id", "m2", "--file", file, "--org", "gaj", "--lawful-source", "不是开发主体", "--grade", "2")).json.error.code).toBe("NOT_A_DEVELOPER");
    const mine = await run(w.tokens.dev, "catalog", "list");
    expect(mine.json.find((e: Json) => e.id === "members")).toMatchObject({ social: { org: "dev1", lawfulSource: expect.stringContaining("会员服务协议") } });
    expect((await run(bob, "catalog", "list")).json.map((e: Json) => e.id)).not.toContain("members");
    expect((await run(bob, "catalog", "show", "members")).json.error.code).toBe("NOT_FOUND");
    const foreign = await run(bob, "scenario", "submit", "--id", "steal", "--purpose", "借用他人会员数据做用户画像分析", "--grant", "members:id_number,spend");
    expect(foreign.json.error.code).toBe("NOT_FOUND");
    expect((await run(w.tokens.admin, "agreement", "add", "--org", "dev2", "--datasets", "members", "--start", "2026-01-01", "--end", "2027-12-31")).json.error.code).toBe("NOT_FOUND");
    expect((await run(w.tokens.admin, "agreement", "add", "--id", "agr-fuse", "--org", "dev1", "--datasets", "people,members", "--start", "2026-01-01", "--end", "2027-12-31")).code).toBe(0);
    const fuse = await run(w.tokens.dev, "scenario", "submit", "--id", "fuse", "--purpose", "会员消费与人口性别结构的融合统计", "--grant", "people:id_number,gender", "--grant", "members:id_number,spend");
    expect(fuse.code, fuse.stderr).toBe(0);
    await run(w.tokens.admin, "scenario", "approve", "fuse");
    expect((await run(w.tokens.prov, "scenario", "approve", "fuse")).json.state).toBe("approved");
    const job = await run(w.tokens.dev, "job", "submit", "--scenario", "fuse", "--sql", "SELECT p.gender, count(DISTINCT p.id_number)::INTEGER AS n, sum(m.spend) AS spend FROM people p JOIN members m ON p.id_number = m.id_number GROUP BY p.gender");
    expect(job.json.state, JSON.stringify(job.json)).toBe("succeeded");
    const d = (await cli(["--domain", w.env.dir, "--json", "disclosure"])).stdout;
    expect(d).toContain("会员消费与人口性别结构的融合统计");
    expect(d).not.toContain("members");
  });

  it("R7 HLJ 20(5), R4 HB 22: the public disclosure (CLI without a token, HTTP without authentication) lists authorizations, approved scenarios and listed products — nothing else", async () => {
    const r = await cli(["--domain", w.env.dir, "--json", "disclosure"]);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(Object.keys(d).sort()).toEqual(["authorizations", "domain", "generatedAt", "operator", "products", "publicity", "scenarios"]);
    expect(d.authorizations).toContainEqual({ org: "dev1", orgName: "开发一", datasets: [{ id: "people", name: "people" }], start: "2026-01-01", end: "2028-12-31", state: "active" });
    expect(d.scenarios.find((c: Json) => c.id === "hy")).toMatchObject({ orgName: "开发一", purpose: "身份核验：姓名与身份证号是否一致", data: [{ dataset: "people", columns: ["name", "id_number", "gender", "income"] }] });
    expect(d.scenarios.map((c: Json) => c.id)).not.toContain("slow"); // submitted, not approved
    expect(d.products.map((p: Json) => p.id).sort()).toEqual([ids.nameOnly, ids.verify].sort()); // the delisted one is gone
    const text = JSON.stringify(d);
    for (const secret of [w.tokens.dev, "alice", "bob", "use-bob", "SQ-2026-0007", w.rows[7][1], "BM-2026-bob"]) expect(text).not.toContain(secret);

    const srv = await serve(w.env.dir);
    try {
      const pub = await api(srv.url, "GET", "/api/public/disclosure");
      expect(pub.status).toBe(200);
      expect(pub.json.scenarios.map((c: Json) => c.id)).toEqual(d.scenarios.map((c: Json) => c.id));
      const page = await fetch(`${srv.url}/public`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("身份核验：姓名与身份证号是否一致");
      expect(html).not.toContain("alice");
      // the HTTP forms of the new actions go through the same policy engine
      expect((await api(srv.url, "POST", "/api/use-agreements", bob, { product: ids.verify, org: "dev2", useScenario: "自批", delivery: "api", conditions: "无", start: "2026-01-01", end: "2026-12-31" })).json.error.code).toBe("PERMISSION_DENIED");
      expect((await api(srv.url, "GET", "/api/consents", w.tokens.auditor)).status).toBe(200);
      expect((await api(srv.url, "POST", "/api/consents", w.tokens.admin, { dataset: "people", subject: [], scope: "*", granted: "2026-01-01", expires: "2026-02-01", evidence: "x1" })).json.error.code).toBe("INVALID_CONSENT");
      const market = await api(srv.url, "GET", "/api/usage", w.tokens.auditor);
      expect(market.json.totals.revenueFen).toBe(30);
    } finally {
      await srv.close();
    }
    const activity = await run(w.tokens.admin, "report", "activity", "--from", "2026-01-01", "--to", "2030-12-31");
    expect(activity.json.market).toMatchObject({ totals: { revenueFen: 30 } });
  });
});

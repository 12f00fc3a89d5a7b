import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { ProductQueryEngine } from "../../runtime/server/api-products/query-engine.js";
import { API_ROUTES } from "../../runtime/server/api-routes.js";
import { openApiDocument } from "../../runtime/server/openapi.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { addAgreement } from "../../runtime/services/agreements.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { devJob, specFor, submitJob } from "../../runtime/services/jobs.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { approveScenario, readLibraryManifest, showScenario, submitScenario } from "../../runtime/services/scenarios.js";
import { setSubjectKey } from "../../runtime/services/subjects.js";
import { DEFAULT_LIMITS } from "../../sandbox/index.js";
import { as, newDomain, writeCsv } from "../helpers/fixture.js";

/** The contract's formula, computed here without DuckDB: 60 bits of SHA-256(secret ‖ kind ‖ key). */
function expectedSid(secret: string, kind: string, key: string[], domain: "raw" | "sample" = "raw"): bigint {
  const fields = [secret, ...(domain === "sample" ? ["sample"] : []), kind, ...key];
  return BigInt("0x" + createHash("sha256").update(fields.join("\u001f")).digest("hex").slice(0, 15));
}

async function rowsOf(conn: DuckDBConnection, file: string, sql = "SELECT * FROM f"): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql.replace("FROM f", `FROM read_parquet('${file}')`))).getRowObjectsJS();
}

/** A domain with two person datasets over the same 120 people, a record dataset and an approved join-only scenario. */
async function world(seed: number) {
  const env = await newDomain();
  const admin = env.adminToken;
  await as(env.dir, admin, (s) => addOrg(s, { id: "prov", name: "人社局", kind: "provider" }));
  await as(env.dir, admin, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
  const prov = (await as(env.dir, admin, (s) => addAccount(s, { id: "pw", name: "王提供", org: "prov", roles: ["provider"] }))).token;
  const dev = (await as(env.dir, admin, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
  const rng = createRng(seed);
  const ids = Array.from({ length: 120 }, () => fakeResidentId(rng));
  const base = join(env.dir, "..");
  // the same people, written in lower case in one file: canonical keys still meet
  const people = writeCsv(join(base, "people.csv"), ["id_number", "name", "gender", "income"], ids.map((id, i) => [id, fakePersonName(rng), i % 2 ? "女" : "男", 2000 + i * 10]));
  const claims = writeCsv(join(base, "claims.csv"), ["id_number", "cost"], Array.from({ length: 360 }, (_, i) => [ids[i % 120].toLowerCase(), 10 + i]));
  const trips = writeCsv(join(base, "trips.csv"), ["line", "seq", "riders"], Array.from({ length: 90 }, (_, i) => [["1路", "2路", "3路"][i % 3], i % 30, (i * 7) % 40]));
  await as(env.dir, admin, (s) => ingestDataset(s, { id: "people", file: people, provider: "prov", grade: 2, subject: ["id_number"] }));
  await as(env.dir, admin, (s) => ingestDataset(s, { id: "claims", file: claims, provider: "prov", grade: 2 }));
  await as(env.dir, admin, (s) => ingestDataset(s, { id: "trips", file: trips, provider: "prov", grade: 2 }));
  await as(env.dir, admin, (s) => addAgreement(s, { id: "agr1", org: "dev1", datasets: ["people", "claims", "trips"], start: "2026-01-01", end: "2028-12-31" }));
  const secret = readFileSync(join(env.dir, "keys", "subject.key"), "utf8").trim();
  return { env, admin, prov, dev, ids, secret };
}

describe("grants need a confirmed subject key; join-only columns; libraries carry __sid", () => {
  let w: Awaited<ReturnType<typeof world>>;
  let db: DuckDBInstance;
  let c: DuckDBConnection;
  beforeAll(async () => {
    w = await world(41);
    db = await DuckDBInstance.create(":memory:");
    c = await db.connect();
  }, 120_000);
  afterAll(async () => {
    await closeSharedPool();
    c.closeSync();
    db.closeSync();
    w.env.cleanup();
  });

  it("a dataset whose subject key is only proposed cannot be granted: SUBJECT_KEY_MISSING names it and the fixing command", async () => {
    const submit = () => as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "costs", purpose: "按人统计医疗费用支出分布情况", grants: ["people:gender", "claims:cost"] }));
    const err = await submit().catch((e) => e);
    expect(err).toMatchObject({ code: "SUBJECT_KEY_MISSING", details: { dataset: "claims", proposed: { kind: "person", columns: ["id_number"] } } });
    expect(err.message).toContain("dataset 'claims' has no confirmed subject key");
    expect(err.message).toContain("shuyu dataset tag claims --subject id_number");
    // a join-only grant is a grant too
    await expect(
      as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "costs", purpose: "按人统计医疗费用支出分布情况", grants: ["people:gender"], joinOnly: ["claims:id_number"] })),
    ).rejects.toMatchObject({ code: "SUBJECT_KEY_MISSING", details: { dataset: "claims" } });
    await as(w.env.dir, w.admin, (s) => setSubjectKey(s, { dataset: "claims", columns: ["id_number"] }));
    expect((await submit()).state).toBe("submitted");
  });

  it("the HTTP route's schema takes joinOnly", async () => {
    const doc = (await openApiDocument(API_ROUTES.map((r) => ({ ...r, auth: "bearer" as const })), { title: "t", version: "0" })) as {
      paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, unknown> } }> } }>>;
    };
    expect(Object.keys(doc.paths["/api/scenarios"].post.requestBody.content["application/json"].schema.properties)).toContain("joinOnly");
    expect(doc.paths["/api/datasets/{id}/subject"] ?? doc.paths["/api/datasets/:id/subject"]).toBeDefined();
  });

  it("join-only columns are granted, stored as joinOnly, in the manifest's roles and the job spec", async () => {
    const sc = await as(w.env.dir, w.dev, (s) =>
      submitScenario(s, { id: "join", purpose: "关联参保与医疗费用，按性别统计费用", grants: ["people:gender,income", "claims:cost"], joinOnly: ["people:id_number", "claims:id_number"] }),
    );
    expect(sc.grants).toEqual([
      { dataset: "people", columns: ["gender", "income", "id_number"], joinOnly: ["id_number"] },
      { dataset: "claims", columns: ["cost", "id_number"], joinOnly: ["id_number"] },
    ]);
    await as(w.env.dir, w.admin, (s) => approveScenario(s, "join"));
    const done = await as(w.env.dir, w.prov, (s) => approveScenario(s, "join"));
    expect(done.state).toBe("approved");
    expect((await as(w.env.dir, w.dev, (s) => showScenario(s, "join"))).grants[1].joinOnly).toEqual(["id_number"]);
    const dir = join(w.env.dir, "libraries", "join");
    const manifest = readLibraryManifest(dir);
    expect(manifest.datasets[0]).toMatchObject({
      dataset: "people", columns: ["gender", "income", "id_number"], sid: "__sid",
      subject: { kind: "person", columns: ["id_number"] },
      // discovery's name hint made income sensitive
      roles: { gender: "quasi", income: "sensitive", id_number: "join-only" },
    });
    const spec = specFor("job-x", dir, manifest, { scenario: done, kind: "sql", code: "SELECT 1", params: [], limits: DEFAULT_LIMITS });
    expect(spec.views[1]).toEqual({
      // dataset: the catalog id the ledger tags each subject with (runtime/ledger).
      name: "claims", file: join(dir, "claims.parquet"), columns: ["cost", "id_number"], dataset: "claims", roles: { cost: "measure", id_number: "join-only" }, sidColumn: "__sid",
      subject: { kind: "person", columns: ["id_number"] },
    });
  });

  it("every library row has __sid = 60 bits of SHA-256(secret ‖ kind ‖ canonical key); one person has one id in both datasets", async () => {
    const dir = join(w.env.dir, "libraries", "join");
    const people = await rowsOf(c, join(dir, "people.parquet"), "SELECT id_number, __sid FROM f");
    const claims = await rowsOf(c, join(dir, "claims.parquet"), "SELECT id_number, __sid FROM f");
    expect(people).toHaveLength(120);
    expect(claims).toHaveLength(360);
    for (const r of people) expect(r.__sid).toBe(expectedSid(w.secret, "person", [String(r.id_number).toUpperCase()]));
    const byId = new Map(people.map((r) => [String(r.id_number).toUpperCase(), r.__sid]));
    for (const r of claims) expect(r.__sid).toBe(byId.get(String(r.id_number).toUpperCase()));
    expect(new Set(people.map((r) => r.__sid)).size).toBe(120);
    // the key need not be granted: the file has __sid all the same
    const sc = await as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "noid", purpose: "按性别统计参保人员收入分布", grants: ["people:gender,income"] }));
    await as(w.env.dir, w.admin, (s) => approveScenario(s, sc.id));
    await as(w.env.dir, w.prov, (s) => approveScenario(s, sc.id));
    const cols = (await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${join(w.env.dir, "libraries", "noid", "people.parquet")}')`)).getRowObjectsJS().map((r) => r.column_name);
    expect(cols).toEqual(["gender", "income", "__sid"]);
    const sids = (await rowsOf(c, join(w.env.dir, "libraries", "noid", "people.parquet"), "SELECT __sid FROM f")).map((r) => r.__sid);
    expect(new Set(sids)).toEqual(new Set(people.map((r) => r.__sid)));
  });

  it("a multi-column record key hashes its columns' text joined by the unit separator", async () => {
    await as(w.env.dir, w.admin, (s) => setSubjectKey(s, { dataset: "trips", columns: ["line", "seq"], kind: "record" }));
    const sc = await as(w.env.dir, w.dev, (s) => submitScenario(s, { id: "trips", purpose: "统计各线路每班次乘客数量", grants: ["trips:line,seq,riders"] }));
    await as(w.env.dir, w.admin, (s) => approveScenario(s, sc.id));
    await as(w.env.dir, w.prov, (s) => approveScenario(s, sc.id));
    const rows = await rowsOf(c, join(w.env.dir, "libraries", "trips", "trips.parquet"), "SELECT line, seq, __sid FROM f");
    for (const r of rows) expect(r.__sid).toBe(expectedSid(w.secret, "record", [String(r.line), String(r.seq)]));
  });

  it("the sample twin's __sid hash its fake keys (under a sample tag), never a raw subject's id", async () => {
    const raw = new Set((await rowsOf(c, join(w.env.dir, "libraries", "join", "people.parquet"), "SELECT __sid FROM f")).map((r) => r.__sid));
    const sample = await rowsOf(c, join(w.env.dir, "samples", "join", "people.parquet"), "SELECT id_number, __sid FROM f");
    expect(sample.length).toBeGreaterThan(50);
    const rawIds = new Set(w.ids);
    for (const r of sample) {
      expect(rawIds.has(String(r.id_number))).toBe(false);
      expect(raw.has(r.__sid as bigint)).toBe(false);
      expect(r.__sid).toBe(expectedSid(w.secret, "person", [String(r.id_number).toUpperCase()], "sample"));
    }
    // not granted, the key is still faked for the twin: no raw subject's id there either
    const noid = await rowsOf(c, join(w.env.dir, "samples", "noid", "people.parquet"), "SELECT __sid FROM f");
    expect(noid.length).toBeGreaterThan(50);
    for (const r of noid) expect(raw.has(r.__sid as bigint)).toBe(false);
  });

  it("models and SQL jobs cannot read __sid: the views hold the granted columns only", async () => {
    // each attack beside the same job asking for a granted column, which succeeds
    const job = (spec: { sql?: string; model?: string }) => as(w.env.dir, w.dev, (s) => submitJob(s, { scenario: "join", ...spec }));
    expect((await job({ sql: "SELECT gender FROM people" })).state).toBe("succeeded");
    expect((await job({ sql: "SELECT __sid FROM people" })).state).toBe("failed");
    const { writeFileSync } = await import("node:fs");
    const model = (col: string) => {
      const file = join(w.env.dir, "..", `m-${col.replace(/\W/g, "")}.js`);
      writeFileSync(file, `export default async (ctx) => ({ tables: { t: (await ctx.query("SELECT ${col}, count(*) AS n FROM people p JOIN claims c ON p.id_number = c.id_number GROUP BY 1")).columns } });`);
      return file;
    };
    expect((await job({ model: model("p.gender") })).state).toBe("succeeded");
    expect((await job({ model: model("p.__sid") })).state).toBe("failed");
    // on the sample, where the output is visible: a star expands to the granted columns only
    const dev = await as(w.env.dir, w.dev, (s) => devJob(s, { scenario: "noid", sql: "SELECT * FROM people LIMIT 3" }));
    expect(dev.outcome.state).toBe("succeeded");
    expect(Object.values(dev.outcome.outputs.tables)[0].columns.map((col) => col.name)).toEqual(["gender", "income"]);
    for (const sql of [
      "SELECT __sid FROM people",
      "SELECT COLUMNS('__.*') FROM people",
      `SELECT __sid FROM read_parquet('${join(w.env.dir, "samples", "noid", "people.parquet")}')`,
      "SELECT __sid FROM 'people.parquet'",
    ]) {
      const r = await as(w.env.dir, w.dev, (s) => devJob(s, { scenario: "noid", sql }));
      expect(r.outcome.state, sql).toBe("failed");
    }
    // A whole row packed into a struct holds the view's columns, not the file's. (The SQL guard's
    // role rules may refuse struct packing outright; either way no __sid comes out.)
    const packed = await as(w.env.dir, w.dev, (s) => devJob(s, { scenario: "noid", sql: "SELECT people AS j FROM people LIMIT 1" }));
    if (packed.outcome.state !== "failed") {
      const cell = String((Object.values(packed.outcome.outputs.tables)[0].columns[0].values as string[])[0]);
      expect(cell).toMatch(/^\{'gender': .*, 'income': \d+\}$/);
      expect(cell).not.toContain("__sid");
    }
    // API products' engines load the granted columns only
    const dir = join(w.env.dir, "libraries", "join");
    const engine = await ProductQueryEngine.open(dir, readLibraryManifest(dir), "SELECT count(*) AS n FROM people WHERE id_number = ?");
    engine.close();
    await expect(ProductQueryEngine.open(dir, readLibraryManifest(dir), "SELECT __sid FROM people WHERE id_number = ?")).rejects.toMatchObject({ code: "PRODUCT_SQL_INVALID" });
  });
});

describe("another domain's secret gives other subject ids for the same people", () => {
  it("same people, same key, different subject.key → no id in common", async () => {
    const a = await world(77);
    const b = await world(77);
    try {
      expect(a.secret).not.toBe(b.secret);
      const sids: bigint[][] = [];
      for (const x of [a, b]) {
        await as(x.env.dir, x.dev, (s) => submitScenario(s, { id: "inc", purpose: "按性别统计参保人员收入分布", grants: ["people:gender,income"] }));
        await as(x.env.dir, x.admin, (s) => approveScenario(s, "inc"));
        await as(x.env.dir, x.prov, (s) => approveScenario(s, "inc"));
        const db = await DuckDBInstance.create(":memory:");
        const conn = await db.connect();
        sids.push((await rowsOf(conn, join(x.env.dir, "libraries", "inc", "people.parquet"), "SELECT __sid FROM f ORDER BY income")).map((r) => r.__sid as bigint));
        conn.closeSync();
        db.closeSync();
      }
      expect(a.ids).toEqual(b.ids);
      expect(sids[0]).toHaveLength(120);
      const inA = new Set(sids[0]);
      expect(sids[1].filter((x) => inA.has(x))).toEqual([]);
    } finally {
      a.env.cleanup();
      b.env.cleanup();
    }
  }, 120_000);
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakeMobile, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { addAccount } from "../../runtime/services/accounts.js";
import { auditLog, verifyAudit } from "../../runtime/services/audit.js";
import { listCatalog, showCatalog } from "../../runtime/services/catalog.js";
import { ingestDataset, purgeVersions, tagColumn } from "../../runtime/services/datasets.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { as, cli, newDomain, writeCsv } from "../helpers/fixture.js";

describe("R2 ingest, catalog, grading and safe samples", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let dev: string;
  let csv: string;
  const raw: string[][] = [];
  beforeAll(async () => {
    env = await newDomain();
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "gaj", name: "公安局", kind: "provider" }));
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "dev1", name: "开发一", kind: "developer" }));
    dev = (await as(env.dir, env.adminToken, (s) => addAccount(s, { id: "alice", name: "张三", org: "dev1", roles: ["developer"] }))).token;
    const rng = createRng(99);
    for (let i = 0; i < 400; i++) raw.push([fakePersonName(rng), fakeResidentId(rng), fakeMobile(rng), String(18 + (i % 60))]);
    csv = writeCsv(join(env.dir, "..", "p.csv"), ["姓名", "身份证号", "手机", "年龄"], raw);
  });
  afterAll(() => env.cleanup());

  const cliAdmin = (...args: string[]) => cli(["--domain", env.dir, "--token", env.adminToken, "--json", ...args]);

  it("bad input: grade 7, a ragged CSV, a 0-byte file, a missing path, an unknown provider — exit 3, nothing half-written", async () => {
    const ragged = join(env.dir, "..", "ragged.csv");
    writeFileSync(ragged, "a,b,c\n1,2,3\n4,5\n6,7,8\n");
    const empty = join(env.dir, "..", "empty.csv");
    writeFileSync(empty, "");
    const cases: [string[], string][] = [
      [["--id", "x", "--file", csv, "--provider", "gaj", "--grade", "7"], "INVALID_DATASET"],
      [["--id", "x", "--file", ragged, "--provider", "gaj", "--grade", "2"], "INGEST_RAGGED_ROW"],
      [["--id", "x", "--file", empty, "--provider", "gaj", "--grade", "2"], "INGEST_EMPTY_FILE"],
      [["--id", "x", "--file", "/nope/missing.csv", "--provider", "gaj", "--grade", "2"], "INGEST_FILE_NOT_FOUND"],
      [["--id", "x", "--file", csv, "--provider", "nobody", "--grade", "2"], "NOT_FOUND"],
      [["--id", "x", "--file", csv, "--provider", "dev1", "--grade", "2"], "NOT_A_PROVIDER"],
      [["--id", "bad id!", "--file", csv, "--provider", "gaj", "--grade", "2"], "INVALID_DATASET"],
    ];
    for (const [args, code] of cases) {
      const r = await cliAdmin("dataset", "ingest", ...args);
      expect(r.code, code).toBe(3);
      expect(JSON.parse(r.stdout).error.code).toBe(code);
    }
    const rr = await cliAdmin("dataset", "ingest", "--id", "x", "--file", ragged, "--provider", "gaj", "--grade", "2");
    expect(JSON.parse(rr.stdout).error.details).toMatchObject({ line: 3 });
    expect((await as(env.dir, env.adminToken, listCatalog)).map((e) => e.id)).not.toContain("x");
    expect((await as(env.dir, env.adminToken, verifyAudit)).ok).toBe(true);
  });

  it("records provider, grade, rows, types, SM3 and proposes PII tags", async () => {
    const r = await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "people", file: csv, provider: "gaj", grade: 4, sharing: "conditional", opening: "closed" }));
    const { createHash } = await import("node:crypto");
    const { readFileSync } = await import("node:fs");
    expect(r).toMatchObject({ version: 1, provider: "gaj", grade: 4, rowCount: 400, sourceSm3: createHash("sm3").update(readFileSync(csv)).digest("hex") });
    const tags = Object.fromEntries(r.proposals.map((p) => [p.column, p.tags]));
    expect(tags["身份证号"]).toContain("pii:resident_id");
    expect(tags["手机"]).toContain("pii:mobile");
    expect(tags["姓名"]).toContain("pii:person_name");
  });

  it("re-ingest makes a new version; old versions stay until purged; the current one cannot be purged", async () => {
    const r = await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "people", file: csv, provider: "gaj", grade: 4 }));
    expect(r.version).toBe(2);
    const d = await as(env.dir, env.adminToken, (s) => showCatalog(s, "people"));
    expect(d.versionHistory.map((v) => [v.version, v.state])).toEqual([[2, "current"], [1, "superseded"]]);
    expect(await as(env.dir, env.adminToken, (s) => purgeVersions(s, "people"))).toEqual([1]);
    await expect(as(env.dir, env.adminToken, (s) => purgeVersions(s, "people"))).rejects.toMatchObject({ code: "NOTHING_TO_PURGE" });
  });

  it("the CLI purges one superseded version by number (not shuyu's own --version), and refuses a bad or current one", async () => {
    await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "people", file: csv, provider: "gaj", grade: 4 }));
    await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "people", file: csv, provider: "gaj", grade: 4 }));
    const run = (...a: string[]) => cli(["--domain", env.dir, "--token", env.adminToken, "--json", "dataset", "purge", "people", ...a]);
    expect((await run("x")).code).toBe(1);
    const current = await run("4");
    expect([current.code, current.stdout + current.stderr]).toEqual([3, expect.stringMatching(/NOTHING_TO_PURGE/)]);
    const one = await run("3");
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({ id: "people", purged: [3] });
    const d = await as(env.dir, env.adminToken, (s) => showCatalog(s, "people"));
    expect(d.versionHistory.map((v) => [v.version, v.state])).toEqual([[4, "current"], [3, "purged"], [2, "superseded"], [1, "purged"]]);
  });

  it("an admin confirms or edits tags; unknown columns and tags are refused; developers cannot tag", async () => {
    const t = await as(env.dir, env.adminToken, (s) => tagColumn(s, { dataset: "people", column: "年龄", tags: ["quasi"] }));
    expect(t.tags).toEqual(["quasi"]);
    await expect(as(env.dir, env.adminToken, (s) => tagColumn(s, { dataset: "people", column: "nope", tags: ["quasi"] }))).rejects.toMatchObject({ code: "UNKNOWN_COLUMN" });
    await expect(as(env.dir, env.adminToken, (s) => tagColumn(s, { dataset: "people", column: "年龄", tags: ["pii:dna"] }))).rejects.toMatchObject({ code: "INVALID_TAG" });
    await expect(as(env.dir, dev, (s) => tagColumn(s, { dataset: "people", column: "年龄", tags: [] }))).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
  });

  it("the sample shows no raw identifier value and no raw row, and every sample view is audited", async () => {
    const rawIds = new Set(raw.flatMap((r) => r.slice(0, 3)));
    const rawRows = new Set(raw.map((r) => r.join("|")));
    for (let i = 0; i < 5; i++) {
      const d = await as(env.dir, dev, (s) => showCatalog(s, "people", { sample: true, rows: 100 }));
      expect(d.sample!.rows.length).toBe(100);
      for (const row of d.sample!.rows) {
        for (const v of row.slice(0, 3)) expect(rawIds.has(String(v))).toBe(false);
        expect(rawRows.has(row.map(String).join("|"))).toBe(false);
      }
    }
    const log = await as(env.dir, env.adminToken, (s) => auditLog(s, { action: "catalog.sample" }));
    expect(log.filter((e) => e.actor === "alice").length).toBe(5);
  });

  it("GY 12: negative-listed data is hidden from developers and cannot be put in an agreement", async () => {
    await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "secret", file: csv, provider: "gaj", grade: 4, negativeList: true }));
    expect((await as(env.dir, dev, listCatalog)).map((e) => e.id)).not.toContain("secret");
    expect((await as(env.dir, env.adminToken, listCatalog)).find((e) => e.id === "secret")?.negativeList).toBe(true);
    await expect(as(env.dir, dev, (s) => showCatalog(s, "secret"))).rejects.toMatchObject({ code: "NOT_FOUND" });
    const r = await cliAdmin("agreement", "add", "--org", "dev1", "--datasets", "secret", "--start", "2026-01-01", "--end", "2027-01-01");
    expect(JSON.parse(r.stdout).error.code).toBe("NEGATIVE_LIST");
  });
});

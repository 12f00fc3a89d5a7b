import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng, fakeMobile, fakePersonName, fakeResidentId, fakeUscc } from "../../policies/pii/fake/index.js";
import { defaultRole, resolveRoles } from "../../policies/subjects/index.js";
import { Domain } from "../../runtime/domain/domain.js";
import { CONTROL_SCHEMA_VERSION } from "../../runtime/domain/control-schema.js";
import { listCatalog, showCatalog } from "../../runtime/services/catalog.js";
import { currentVersion, ingestDataset } from "../../runtime/services/datasets.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { datasetSubject, setColumnRole, setSubjectKey } from "../../runtime/services/subjects.js";
import type { Session } from "../../runtime/services/session.js";
import { as, cli, newDomain, writeCsv } from "../helpers/fixture.js";

describe("column roles default from the PII tags", () => {
  it("pii tags make identifiers, quasi and sensitive tags their roles, untagged numbers measures, other untagged quasi", () => {
    expect(defaultRole(["pii:resident_id"], "VARCHAR")).toBe("identifier");
    expect(defaultRole(["pii:mobile", "quasi"], "BIGINT")).toBe("identifier");
    expect(defaultRole(["quasi"], "INTEGER")).toBe("quasi");
    expect(defaultRole(["sensitive"], "VARCHAR")).toBe("sensitive");
    expect(defaultRole(["quasi", "sensitive"], "VARCHAR")).toBe("sensitive");
    expect(defaultRole([], "DOUBLE")).toBe("measure");
    expect(defaultRole([], "DECIMAL(18,2)")).toBe("measure");
    expect(defaultRole([], "VARCHAR")).toBe("quasi");
    expect(defaultRole([], "DATE")).toBe("quasi");
  });
  it("a subject-key column is an identifier whatever its tags or an admin's role say", () => {
    const roles = resolveRoles(
      [
        { name: "order_no", type: "BIGINT", tags: [], role: "measure" },
        { name: "amount", type: "DOUBLE", tags: [] },
        { name: "city", type: "VARCHAR", tags: [], role: "sensitive" },
      ],
      ["order_no"],
    );
    expect(roles).toEqual({ order_no: "identifier", amount: "measure", city: "sensitive" });
  });
});

describe("subject keys: proposed at ingest, confirmed or edited by the admin, shown in the catalog", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  const rng = createRng(101);
  const files: Record<string, string> = {};
  beforeAll(async () => {
    env = await newDomain();
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "prov", name: "数据局", kind: "provider" }));
    const base = join(env.dir, "..");
    // person: a resident ID on every row (people repeat: several claims each)
    const ids = Array.from({ length: 60 }, () => fakeResidentId(rng));
    files.claims = writeCsv(join(base, "claims.csv"), ["claim_no", "id_number", "mobile", "city", "cost"], Array.from({ length: 240 }, (_, i) => [`C${i}`, ids[i % 60], fakeMobile(rng), ["贵阳", "遵义"][i % 2], 100 + i]));
    // enterprise: a USCC per row, no resident ID
    files.firms = writeCsv(join(base, "firms.csv"), ["credit_code", "industry", "staff"], Array.from({ length: 80 }, (_, i) => [fakeUscc(rng), ["制造", "零售"][i % 2], 10 + i]));
    // record: nothing personal, one unique column
    files.trips = writeCsv(join(base, "trips.csv"), ["line", "trip_no", "riders"], Array.from({ length: 90 }, (_, i) => [["1路", "2路", "3路"][i % 3], 5000 + i, (i * 7) % 40]));
    // record, three unique columns: the one named like a key wins over earlier ones
    files.orders = writeCsv(join(base, "orders.csv"), ["weight", "amount", "order_id"], Array.from({ length: 70 }, (_, i) => [(i + 0.5).toFixed(1), 300 + i, `O-${1000 + i}`]));
    // none: no identifier and nothing unique
    files.counts = writeCsv(join(base, "counts.csv"), ["district", "n"], Array.from({ length: 50 }, (_, i) => [["云岩", "南明"][i % 2], i % 5]));
    // a resident ID column with a gap cannot be the key
    files.gappy = writeCsv(join(base, "gappy.csv"), ["id_number", "name", "income"], Array.from({ length: 40 }, (_, i) => [i === 7 ? "" : fakeResidentId(rng), fakePersonName(rng), 1000 + i]));
  }, 60_000);
  afterAll(() => env.cleanup());

  const ingest = (id: string, extra: Record<string, unknown> = {}) => as(env.dir, env.adminToken, (s) => ingestDataset(s, { id, file: files[id], provider: "prov", grade: 2, ...extra }));

  it("proposes person for a resident-ID column, enterprise for a USCC column, record for a unique column, nothing otherwise — unconfirmed", async () => {
    expect((await ingest("claims")).subject).toMatchObject({ kind: "person", columns: ["id_number"], confirmed: false });
    expect((await ingest("firms")).subject).toMatchObject({ kind: "enterprise", columns: ["credit_code"], confirmed: false });
    expect((await ingest("trips")).subject).toMatchObject({ kind: "record", columns: ["trip_no"], confirmed: false });
    expect((await ingest("orders")).subject).toMatchObject({ kind: "record", columns: ["order_id"], confirmed: false });
    expect((await ingest("counts")).subject).toBeNull();
    const gappy = await ingest("gappy");
    // the only resident-ID column has an empty row, nothing else is unique per row except what the names give
    expect(gappy.subject?.columns ?? []).not.toContain("id_number");
    const stored = await as(env.dir, env.adminToken, (s) => datasetSubject(s, "claims"));
    expect(stored?.proposed?.reason).toMatch(/id_number/);
  });

  it("the CLI ingest summary shows the proposal and the command that confirms it", async () => {
    const r = await cli(["--domain", env.dir, "--token", env.adminToken, "dataset", "ingest", "--id", "claims2", "--file", files.claims, "--provider", "prov", "--grade", "2"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("proposed subject key: person (id_number)");
    expect(r.stdout).toContain("shuyu dataset tag claims2 --subject id_number");
  });

  it("--subject at ingest confirms; a key naming a missing or gappy column refuses the whole ingest", async () => {
    const ok = await ingest("firms", { subject: ["credit_code"] });
    expect(ok.subject).toMatchObject({ kind: "enterprise", columns: ["credit_code"], confirmed: true });
    await expect(ingest("trips", { subject: ["nope"] })).rejects.toMatchObject({ code: "UNKNOWN_COLUMN" });
    await expect(ingest("gappy", { subject: ["id_number"] })).rejects.toMatchObject({ code: "SUBJECT_KEY_NULL" });
    // nothing was ingested by the refused calls: still version 1
    expect((await as(env.dir, env.adminToken, (s) => currentVersion(s, "trips"))).version).toBe(1);
    expect((await as(env.dir, env.adminToken, (s) => currentVersion(s, "gappy"))).version).toBe(1);
    const cliBad = await cli(["--domain", env.dir, "--token", env.adminToken, "dataset", "ingest", "--id", "trips", "--file", files.trips, "--provider", "prov", "--grade", "2", "--subject", "line,nope"]);
    expect(cliBad.code).toBe(3);
    expect(cliBad.stderr).toMatch(/UNKNOWN_COLUMN.*'nope'/);
  });

  it("tag --subject confirms or edits (columns checked, the key must be non-empty); refusals leave the key as it was", async () => {
    const admin = <T>(fn: (s: Session) => Promise<T>) => as(env.dir, env.adminToken, fn);
    await expect(admin((s) => setSubjectKey(s, { dataset: "claims", columns: ["id_numbr"] }))).rejects.toMatchObject({ code: "UNKNOWN_COLUMN" });
    await expect(admin((s) => setSubjectKey(s, { dataset: "gappy", columns: ["id_number"] }))).rejects.toMatchObject({ code: "SUBJECT_KEY_NULL", details: { empty: [{ column: "id_number", rows: 1 }] } });
    await expect(admin((s) => setSubjectKey(s, { dataset: "counts" }))).rejects.toMatchObject({ code: "SUBJECT_KEY_MISSING" });
    await expect(admin((s) => setSubjectKey(s, { dataset: "claims", columns: ["id_number"], kind: "robot" }))).rejects.toMatchObject({ code: "INVALID_SUBJECT" });
    expect(await admin((s) => datasetSubject(s, "claims"))).toMatchObject({ confirmed: false, columns: ["id_number"] });
    // confirming the proposal keeps its kind
    expect(await admin((s) => setSubjectKey(s, { dataset: "claims", columns: ["id_number"] }))).toMatchObject({ kind: "person", confirmed: true });
    // a two-column record key, kind given
    expect(await admin((s) => setSubjectKey(s, { dataset: "counts", columns: ["district", "n"], kind: "record" }))).toMatchObject({ kind: "record", columns: ["district", "n"], confirmed: true });
    // through the CLI: confirm the proposed key as another kind
    const r = await cli(["--domain", env.dir, "--token", env.adminToken, "--json", "dataset", "tag", "trips", "--subject", "trip_no", "--subject-kind", "record"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dataset: "trips", kind: "record", columns: ["trip_no"], confirmed: true });
    const bad = await cli(["--domain", env.dir, "--token", env.adminToken, "dataset", "tag", "gappy", "--subject", "id_number"]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/SUBJECT_KEY_NULL: dataset 'gappy': a subject key must name the subject of every row, but 'id_number' is empty in 1 row/);
  });

  it("tag --column C --role R edits a role; a key column stays an identifier; the catalog shows key, kind and roles", async () => {
    const admin = <T>(fn: (s: Session) => Promise<T>) => as(env.dir, env.adminToken, fn);
    expect(await admin((s) => setColumnRole(s, { dataset: "claims", column: "city", role: "sensitive" }))).toMatchObject({ role: "sensitive", before: "quasi" });
    await expect(admin((s) => setColumnRole(s, { dataset: "claims", column: "id_number", role: "measure" }))).rejects.toMatchObject({ code: "SUBJECT_KEY_ROLE" });
    await expect(admin((s) => setColumnRole(s, { dataset: "claims", column: "nope", role: "measure" }))).rejects.toMatchObject({ code: "UNKNOWN_COLUMN" });
    await expect(admin((s) => setColumnRole(s, { dataset: "claims", column: "cost", role: "secret" }))).rejects.toMatchObject({ code: "INVALID_ROLE" });
    const r = await cli(["--domain", env.dir, "--token", env.adminToken, "dataset", "tag", "claims", "--column", "cost", "--role", "sensitive"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("claims.cost: role sensitive (was measure)");

    const shown = await admin((s) => showCatalog(s, "claims"));
    expect(shown.subject).toEqual({ kind: "person", columns: ["id_number"], confirmed: true });
    expect(shown.roles).toEqual({ claim_no: "quasi", id_number: "identifier", mobile: "identifier", city: "sensitive", cost: "sensitive" });
    expect(shown.columnDetails.find((c) => c.name === "city")).toMatchObject({ role: "sensitive", roleSet: true });
    const listed = await admin(listCatalog);
    expect(listed.find((e) => e.id === "firms")).toMatchObject({ subject: { kind: "enterprise", columns: ["credit_code"], confirmed: true }, roles: { credit_code: "identifier", staff: "measure" } });
    const human = await cli(["--domain", env.dir, "--token", env.adminToken, "catalog", "show", "claims"]);
    expect(human.stdout).toContain("subject key: person (id_number)");
    const json = JSON.parse((await cli(["--domain", env.dir, "--token", env.adminToken, "--json", "catalog", "list"])).stdout);
    expect(json.find((e: { id: string }) => e.id === "trips")).toMatchObject({ subject: { kind: "record", columns: ["trip_no"] }, roles: { trip_no: "identifier", riders: "measure", line: "quasi" } });
  });

  it("a re-ingest keeps a confirmed key that still holds and unconfirms one that does not", async () => {
    const again = await ingest("claims");
    expect(again.subject).toMatchObject({ columns: ["id_number"], confirmed: true });
    // trips re-ingested from the gappy file: trip_no is gone, so the confirmed key no longer holds
    const broken = await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "trips", file: files.gappy, provider: "prov", grade: 2 }));
    expect(broken.subject?.confirmed).toBe(false);
    expect(broken.subject?.note).toMatch(/trip_no/);
  });
});

describe("an older domain opens: the control store is migrated and the subject secret made on first use", () => {
  it("a version-1 control store without the subject tables gains them, audited, and keeps working", async () => {
    const env = await newDomain();
    try {
      // Turn the fresh domain into what an earlier shuyu made.
      const d = await Domain.open(env.dir);
      await d.control.run("DROP TABLE dataset_subjects; DROP TABLE column_roles; UPDATE meta SET value = '1' WHERE key = 'schema_version'; DROP TABLE row_macs");
      d.close();
      rmSync(join(env.dir, "keys", "subject.key"));
      // An earlier shuyu had no row MACs either (a store edited under a MAC key would be CONTROL_TAMPERED).
      rmSync(join(env.dir, "keys", "control.key"));
      const reopened = await Domain.open(env.dir);
      try {
        const v = (await reopened.control.runAndReadAll("SELECT value FROM meta WHERE key = 'schema_version'")).getRowsJS()[0][0];
        expect(Number(v)).toBe(CONTROL_SCHEMA_VERSION);
        const tables = (await reopened.control.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_name IN ('dataset_subjects', 'column_roles') ORDER BY 1")).getRowsJS().flat();
        expect(tables).toEqual(["column_roles", "dataset_subjects"]);
        expect((await reopened.auditEntries()).some((e) => e.action === "domain.migrate")).toBe(true);
      } finally {
        reopened.close();
      }
      const { subjectSecret } = await import("../../runtime/domain/subject-secret.js");
      expect(existsSync(join(env.dir, "keys", "subject.key"))).toBe(false);
      const secret = subjectSecret(join(env.dir, "keys"));
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(join(env.dir, "keys", "subject.key")).mode & 0o777).toBe(0o600);
      expect(subjectSecret(join(env.dir, "keys"))).toBe(secret);
    } finally {
      env.cleanup();
    }
  });
});

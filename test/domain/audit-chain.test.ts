import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { readEntries, verifyChain } from "../../runtime/audit/chain.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { verifyAudit } from "../../runtime/services/audit.js";
import { as, atTime, cli, newDomain } from "../helpers/fixture.js";

describe("R7 audit chain: SM3-linked, tamper-evident", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  afterEach(() => env?.cleanup());

  async function domainWithEntries() {
    env = await newDomain();
    for (const id of ["p1", "p2", "d1", "d2"]) {
      await as(env.dir, env.adminToken, (s) => addOrg(s, { id, name: `org ${id}`, kind: id.startsWith("p") ? "provider" : "developer" }));
    }
    return `${env.dir}/audit/chain.jsonl`;
  }

  const lines = (file: string) => readFileSync(file, "utf8").trimEnd().split("\n");
  const save = (file: string, ls: string[]) => writeFileSync(file, ls.join("\n") + "\n");

  it("verifies an untouched chain and links every entry to the previous hash", async () => {
    const file = await domainWithEntries();
    const entries = readEntries(file);
    expect(entries.length).toBeGreaterThanOrEqual(7);
    for (let i = 1; i < entries.length; i++) expect(entries[i].prev).toBe(entries[i - 1].hash);
    const r = await as(env.dir, env.adminToken, verifyAudit);
    expect(r).toMatchObject({ ok: true });
  });

  it("detects an edited entry and names its seq", async () => {
    const file = await domainWithEntries();
    const ls = lines(file);
    const e = JSON.parse(ls[4]);
    e.details.name = "edited";
    ls[4] = JSON.stringify(e);
    save(file, ls);
    expect(verifyChain(readEntries(file))).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it("detects an edited entry even when its hash is recomputed (the next link breaks)", async () => {
    const file = await domainWithEntries();
    const entries = readEntries(file);
    const { entryHash } = await import("../../runtime/audit/chain.js");
    const e = { ...entries[3], details: { ...entries[3].details, name: "forged" } };
    e.hash = entryHash(e);
    const ls = lines(file);
    ls[3] = JSON.stringify(e);
    save(file, ls);
    expect(verifyChain(readEntries(file))).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it("detects a deleted entry", async () => {
    const file = await domainWithEntries();
    const ls = lines(file);
    ls.splice(2, 1);
    save(file, ls);
    expect(verifyChain(readEntries(file))).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it("detects an inserted entry", async () => {
    const file = await domainWithEntries();
    const ls = lines(file);
    ls.splice(3, 0, ls[3]);
    save(file, ls);
    expect(verifyChain(readEntries(file))).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it("detects reordered entries", async () => {
    const file = await domainWithEntries();
    const ls = lines(file);
    [ls[4], ls[5]] = [ls[5], ls[4]];
    save(file, ls);
    expect(verifyChain(readEntries(file))).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it("detects a cut-off tail against the head recorded in the control store", async () => {
    const file = await domainWithEntries();
    const ls = lines(file);
    save(file, ls.slice(0, -2));
    const r = await as(env.dir, env.adminToken, verifyAudit);
    expect(r.ok).toBe(false);
    expect(r.firstBadSeq).toBe(ls.length - 1);
  });

  it("audit verify exits 3 and names the first bad seq from the CLI", async () => {
    const file = await domainWithEntries();
    const ls = lines(file);
    ls[2] = ls[2].replace('"admin"', '"root"');
    save(file, ls);
    const r = await cli(["--domain", env.dir, "--token", env.adminToken, "--json", "audit", "verify"]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it("warns when an entry is dated before the one it follows (a clock moved back)", async () => {
    const file = await domainWithEntries();
    await atTime("2001-01-01T00:00:00Z", () => as(env.dir, env.adminToken, (s) => addOrg(s, { id: "late", name: "backdated", kind: "developer" })));
    const r = verifyChain(readEntries(file));
    expect(r.ok).toBe(true);
    expect(r.timeWarnings?.map((w) => w.time)).toEqual(["2001-01-01T00:00:00.000Z"]);
  });
});

/** Re-ingesting the very same file warns (same SM3) and still stores the version; a changed file does not warn. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { as, newDomain, writeCsv } from "../helpers/fixture.js";

describe("ingest of an identical file", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  beforeAll(async () => {
    env = await newDomain();
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "p1", name: "提供方", kind: "provider" }));
  });
  afterAll(() => env.cleanup());

  it("warns naming the earlier version, keeps the new one; a different file has no warning", async () => {
    const file = writeCsv(join(env.dir, "..", "r.csv"), ["rid", "v"], Array.from({ length: 30 }, (_, i) => [`R${i}`, i]));
    const ingest = () => as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "recs", file, provider: "p1", grade: 1 }));
    expect((await ingest()).warnings).toEqual([]);
    const again = await ingest();
    expect(again.version).toBe(2);
    expect(again.warnings).toEqual(["this file is identical (same SM3) to version 1 of recs; version 2 was stored anyway"]);
    writeFileSync(file, "rid,v\nR0,1\nR1,2\n");
    expect((await ingest()).warnings).toEqual([]);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRng } from "../../policies/pii/fake/index.js";
import { fakeColumns } from "../../policies/sample/fake-column.js";
import { openTempDb, type TempDb } from "./raw-tables.js";

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
});
afterAll(() => db.close());

describe("fakeColumns under adversarial raw data (R2)", () => {
  it("escapes a raw name column that covers every common-looking name", async () => {
    // The "raw" side is every candidate of up to three characters: each common name clashes.
    const everyShortName = "SELECT w FROM unnest($1::VARCHAR[]) AS x(w) WHERE length(w) <= 3";
    const [names] = await fakeColumns(db.conn, everyShortName, [
      { type: "person_name", isNull: Array.from({ length: 50 }, () => false), ipv6Share: 0, rng: createRng(1) },
    ]);
    expect(names).toHaveLength(50);
    for (const n of names) expect(n).toMatch(/^\p{Script=Han}{4,5}$/u);
  });

  it("fails loudly, not silently, when no fake can avoid the raw values", async () => {
    const everything = "SELECT w FROM unnest($1::VARCHAR[]) AS x(w)";
    await expect(
      fakeColumns(db.conn, everything, [{ type: "mobile", isNull: [false, true], ipv6Share: 0, rng: createRng(2) }]),
    ).rejects.toMatchObject({ code: "SAMPLE_FAKE_COLLISIONS" });
  });

  it("keeps NULL cells NULL and fills each column with its own type", async () => {
    const none = "SELECT NULL::VARCHAR WHERE false";
    const [ids, ips] = await fakeColumns(db.conn, none, [
      { type: "resident_id", isNull: [false, true, false], ipv6Share: 0, rng: createRng(3) },
      { type: "ip", isNull: [false, false, false, false], ipv6Share: 1, rng: createRng(4) },
    ]);
    expect(ids[1]).toBeNull();
    expect(ids[0]).toMatch(/^\d{17}[\dX]$/);
    for (const ip of ips) expect(ip).toContain(":");
  });
});

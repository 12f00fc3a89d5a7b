import { describe, expect, it } from "vitest";
import type { LibraryManifest } from "../../runtime/library/materialise.js";
import { subjectBinding } from "../../runtime/obligations/subject-params.js";

const manifest: LibraryManifest = {
  scenario: "hy", kind: "raw", createdAt: "2026-01-01T00:00:00Z",
  datasets: [
    { dataset: "people", version: 1, view: "people", file: "people.parquet", columns: ["name", "id_number", "gender", "income"], rows: 10, sm3: "", sid: "__sid",
      roles: { name: "identifier", id_number: "identifier", gender: "quasi", income: "measure" }, subject: { kind: "person", columns: ["id_number"] } },
    { dataset: "firms", version: 1, view: "firms", file: "firms.parquet", columns: ["uscc", "city"], rows: 10, sm3: "", sid: "__sid",
      roles: { uscc: "identifier", city: "quasi" }, subject: { kind: "enterprise", columns: ["uscc"] } },
  ],
};

/** A 核验 product is found from its SQL, failing closed: every way of touching a person's identifier with parameters counts. */
describe("R4 GZ 23: which data interfaces answer about a person", () => {
  const cases: [string, string, number, "none" | "bound" | "unbound"][] = [
    ["plain equality binds the key", "SELECT count(*) AS n FROM people WHERE name = $1 AND id_number = $2", 2, "bound"],
    ["a cast parameter still binds", "SELECT count(*) AS n FROM people WHERE $1::VARCHAR = id_number", 1, "bound"],
    ["IN (…) touches the key without binding it", "SELECT count(*) AS n FROM people WHERE id_number IN ($1)", 1, "unbound"],
    ["a function over the key touches it", "SELECT count(*) AS n FROM people WHERE upper(id_number) = $1", 1, "unbound"],
    ["LIKE on the key touches it", "SELECT count(*) AS n FROM people WHERE id_number LIKE $1", 1, "unbound"],
    ["a name alone is personal, the key unbound", "SELECT count(*) AS n FROM people WHERE name = $1", 1, "unbound"],
    ["an identifier in a subquery is found", "SELECT count(*) AS n FROM (SELECT * FROM people WHERE name = $1) t", 1, "unbound"],
    ["count(DISTINCT id) with a quasi parameter is not personal", "SELECT count(DISTINCT id_number) AS n FROM people WHERE gender = $1", 1, "none"],
    ["no parameters: not a per-person call", "SELECT count(*) AS n FROM people WHERE id_number = '110101199003077777'", 0, "none"],
    ["enterprise identifiers are not personal information", "SELECT count(*) AS n FROM firms WHERE uscc = $1", 1, "none"],
  ];
  for (const [what, sql, params, want] of cases) {
    it(`R4 GZ 23: ${what}`, async () => {
      const b = await subjectBinding(manifest, sql, params);
      const got = !b.personal ? "none" : b.params.every((p) => p !== undefined) ? "bound" : "unbound";
      expect(got).toBe(want);
    });
  }
});

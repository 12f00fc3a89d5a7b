import { isIP } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShuyuError } from "../../policies/errors.js";
import { isValidLuhn, isValidMobile, isValidResidentId, isValidUscc } from "../../policies/pii/checksums.js";
import { createRng } from "../../policies/pii/fake/index.js";
import { buildSample, RARE_K, type SampleResult } from "../../policies/sample/index.js";
import { createRawTable, MENU, openTempDb, type RawTable, type TempDb } from "./raw-tables.js";

let db: TempDb;
beforeAll(async () => {
  db = await openTempDb();
});
afterAll(() => db.close());

/** Text form for comparisons; anything that reads as a finite number compares by value. */
function norm(v: unknown): string {
  if (v === null || v === undefined) return "\u0000NULL";
  const s = String(v);
  const x = Number(s);
  return s.trim() !== "" && Number.isFinite(x) ? `n:${x}` : `s:${s}`;
}

async function rawRows(t: RawTable): Promise<string[][]> {
  const sql = `SELECT ${t.columns.map((c) => `CAST("${c.name}" AS VARCHAR)`).join(", ")} FROM "${t.table}"`;
  return (await db.conn.runAndReadAll(sql)).getRowsJS() as string[][];
}

const VALIDATORS: Record<string, (s: string) => boolean> = {
  "pii:resident_id": isValidResidentId,
  "pii:mobile": isValidMobile,
  "pii:bank_card": (s) => /^62\d{14,17}$/.test(s) && isValidLuhn(s),
  "pii:uscc": isValidUscc,
  "pii:email": (s) => /^[^@\s]+@[a-z0-9.]+\.[a-z]+$/.test(s),
  "pii:ip": (s) => isIP(s) !== 0,
  "pii:plate": (s) => /^\p{Script=Han}[A-Z][A-Z0-9]{5,6}$/u.test(s),
  "pii:person_name": (s) => /^\p{Script=Han}{2,4}$/u.test(s),
  "pii:address": (s) => /^\p{Script=Han}+.*\d+号/u.test(s),
};

/** Asserts every property the sample promises for raw table `t`. */
async function checkSample(t: RawTable, s: SampleResult, requested: number): Promise<void> {
  const raw = await rawRows(t);
  const rawRowKeys = new Set(raw.map((r) => r.map(norm).join("\u0001")));
  const piiIdx = t.columns.map((c, k) => (c.tags.some((x) => x.startsWith("pii:")) ? k : -1)).filter((k) => k >= 0);
  const rawIds = new Set<string>();
  for (const r of raw) for (const k of piiIdx) if (r[k] !== null) rawIds.add(String(r[k]).toLowerCase());

  expect(s.columns.map((c) => c.name)).toEqual(t.columns.map((c) => c.name));
  expect(s.rows.length).toBeLessThanOrEqual(Math.min(requested, t.rowCount));
  for (const row of s.rows) {
    // R2: no raw record survives.
    expect(rawRowKeys.has(row.map(norm).join("\u0001")), `raw row leaked: ${JSON.stringify(row)}`).toBe(false);
    t.columns.forEach((c, k) => {
      const v = row[k];
      if (v === null) return;
      const sv = String(v);
      const pii = c.tags.find((x) => x.startsWith("pii:"));
      if (pii) {
        // R2: no raw identifier value, and the fake is format-valid.
        expect(rawIds.has(sv.toLowerCase()), `raw identifier leaked in ${c.name}: ${sv}`).toBe(false);
        expect(VALIDATORS[pii](sv), `${c.name}: ${sv}`).toBe(true);
      }
      if (c.name === "birth") expect(sv).toMatch(/^\d{4}$/);
      if (c.name === "age") expect(sv).toMatch(/^(\d+)-(\d+)$/);
      if (c.name === "district") expect(sv).toMatch(/^\d{4}00$/);
      if (c.name === "gender") expect(["男", "女"]).toContain(sv);
      if (c.name === "occupation" && sv !== "*") {
        expect(raw.filter((r) => r[k] === sv).length).toBeGreaterThanOrEqual(RARE_K);
      }
      if (c.name === "income" || c.name === "visits") {
        // At most two significant figures.
        expect(Number(Number(sv).toPrecision(2))).toBe(Number(sv));
      }
    });
  }
  // Nothing identifying hides in a column that is not an identifier either.
  const quasiOrSensitive = t.columns.map((c, k) => (c.tags.length > 0 && !c.tags[0].startsWith("pii:") ? k : -1)).filter((k) => k >= 0);
  for (const row of s.rows) for (const k of quasiOrSensitive) if (row[k] !== null) expect(rawIds.has(String(row[k]).toLowerCase())).toBe(false);
}

describe("buildSample keeps raw identifiers and raw records out (R2)", () => {
  it("holds over many random tables: shapes, tiny tables, duplicates, nulls", async () => {
    const rng = createRng(20261125);
    const sizes = [1, 2, 3, 1, 2, 3, 7, 40, 250];
    let tables = 0;
    for (let round = 0; round < 60; round++) {
      const rows = sizes[round % sizes.length];
      // Every third table has no identifier column at all: then only independence and the
      // row guard stand between the raw rows and the sample.
      const menu = round % 3 === 2 ? MENU.filter((m) => !m.tags[0]?.startsWith("pii:")) : MENU;
      const specs = menu.filter(() => rng.next() < (round % 3 === 2 ? 0.2 : 0.45));
      if (specs.length === 0) specs.push(rng.pick(menu));
      const t = await createRawTable(db.conn, `prop_${round}`, specs, rows, rng.int(1, 1e9), {
        dupShare: round % 3 === 0 ? 0.8 : 0.1,
        nullShare: round % 4 === 1 ? 0.2 : 0,
      });
      const requested = rng.pick([1, 5, 100]);
      const s = await buildSample(db.conn, t.table, t.columns, { rows: requested, seed: rng.int(0, 1e9) });
      await checkSample(t, s, requested);
      // With a non-null identifier column every row is fake on it: nothing need be dropped.
      const fullId = t.columns.some((c) => c.tags[0]?.startsWith("pii:")) && round % 4 !== 1;
      if (fullId) expect(s.rows.length).toBe(Math.min(requested, rows));
      tables++;
    }
    expect(tables).toBe(60);
  });

  it("returns min(N, table rows) rows with valid fakes and names each method", async () => {
    const specs = MENU.filter((m) => ["id_no", "phone", "birth", "age", "district", "gender", "occupation", "income", "diagnosis", "flag"].includes(m.name));
    const t = await createRawTable(db.conn, "wide", specs, 400, 77);
    const s = await buildSample(db.conn, t.table, t.columns, { rows: 100, seed: 5 });
    expect(s.rows).toHaveLength(100);
    await checkSample(t, s, 100);
    const method = Object.fromEntries(s.columns.map((c) => [c.name, c.method]));
    expect(method).toMatchObject({
      id_no: "fake:resident_id",
      phone: "fake:mobile",
      birth: "generalised:year",
      age: "generalised:range(width=10)",
      district: "generalised:city",
      gender: "kept:gender",
      diagnosis: "independent-draw",
      flag: "independent-draw",
    });
    expect(method.occupation).toMatch(/^generalised:suppress-rare/);
    expect(method.income).toMatch(/round/);
    // 8 occupations over 400 rows: frequent enough to be shown, not all suppressed.
    const occ = s.rows.map((r) => r[specs.findIndex((m) => m.name === "occupation")]);
    expect(occ.filter((v) => v !== "*").length).toBeGreaterThan(50);

    const small = await buildSample(db.conn, t.table, t.columns, { rows: 500, seed: 5 });
    expect(small.rows).toHaveLength(400);
  });

  it("breaks row linkage: columns are drawn independently, not row-aligned", async () => {
    // Two untagged columns where b = a * 7: in every raw row the pair is linked.
    await db.conn.run("CREATE TABLE linked AS SELECT i AS a, i * 7 AS b FROM range(1000) t(i)");
    const cols = [
      { name: "a", type: "BIGINT", tags: [] },
      { name: "b", type: "BIGINT", tags: [] },
    ];
    const s = await buildSample(db.conn, "linked", cols, { rows: 100, seed: 3 });
    expect(s.rows).toHaveLength(100);
    for (const [a, b] of s.rows) expect(Number(b)).not.toBe(Number(a) * 7);
  });

  it("attack: when every possible row is a raw row, nothing is shown", async () => {
    // All four combinations of {x, y} x {1, 2} are raw rows, each column alone is a raw row too.
    await db.conn.run("CREATE TABLE cartesian AS SELECT * FROM (VALUES ('x', 1), ('x', 2), ('y', 1), ('y', 2)) v(k, n)");
    const both = await buildSample(
      db.conn,
      "cartesian",
      [
        { name: "k", type: "VARCHAR", tags: [] },
        { name: "n", type: "INTEGER", tags: ["sensitive"] },
      ],
      { rows: 100, seed: 1 },
    );
    expect(both.rows).toEqual([]);
    const single = await buildSample(db.conn, "cartesian", [{ name: "k", type: "VARCHAR", tags: [] }], { rows: 10, seed: 1 });
    expect(single.rows).toEqual([]);
  });

  it("a one-row table with an identifier yields one fully fake row", async () => {
    const t = await createRawTable(db.conn, "one", MENU.filter((m) => ["id_no", "diagnosis", "flag"].includes(m.name)), 1, 9);
    const s = await buildSample(db.conn, t.table, t.columns, { rows: 100, seed: 9 });
    expect(s.rows).toHaveLength(1);
    await checkSample(t, s, 100);
  });

  it("attack: a fake that equals a raw identifier is regenerated", async () => {
    // Fill the raw table with exactly the fakes the sample would produce for this seed.
    const cols = [{ name: "m", type: "VARCHAR", tags: ["pii:mobile"] }];
    await db.conn.run("CREATE TABLE bait (m VARCHAR)");
    await db.conn.run("INSERT INTO bait SELECT '1' || lpad(CAST(i AS VARCHAR), 10, '0') FROM range(3) t(i)");
    const first = await buildSample(db.conn, "bait", cols, { rows: 3, seed: 42 });
    const fakes = first.rows.map((r) => String(r[0]));
    await db.conn.run("DELETE FROM bait");
    for (const f of fakes) await db.conn.run(`INSERT INTO bait VALUES ('+86 ${f}')`);
    const second = await buildSample(db.conn, "bait", cols, { rows: 3, seed: 42 });
    const digits = new Set(fakes);
    for (const [v] of second.rows) {
      expect(digits.has(String(v)), String(v)).toBe(false);
      expect(isValidMobile(String(v))).toBe(true);
    }
  });
});

describe("buildSample rejects bad input with typed errors", () => {
  it("unknown columns, tags, row counts and injected table names", async () => {
    await db.conn.run("CREATE TABLE victim (a VARCHAR)");
    const col = [{ name: "a", type: "VARCHAR", tags: [] }];
    const code = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
        return "none";
      } catch (e) {
        expect(e).toBeInstanceOf(ShuyuError);
        return (e as ShuyuError).code;
      }
    };
    expect(await code(buildSample(db.conn, "victim", [{ name: "zz", type: "VARCHAR", tags: [] }], { rows: 5, seed: 1 }))).toBe("UNKNOWN_COLUMN");
    expect(await code(buildSample(db.conn, "victim", [{ name: "a", type: "VARCHAR", tags: ["pii:dna"] }], { rows: 5, seed: 1 }))).toBe("UNKNOWN_TAG");
    expect(await code(buildSample(db.conn, "victim", col, { rows: 0, seed: 1 }))).toBe("BAD_SAMPLE_ROWS");
    expect(await code(buildSample(db.conn, 'victim"; DROP TABLE victim; --', col, { rows: 5, seed: 1 }))).toBe("NOT_FOUND");
    expect(await code(buildSample(db.conn, "victim", [{ name: 'a" FROM victim; --', type: "VARCHAR", tags: [] }], { rows: 5, seed: 1 }))).toBe("UNKNOWN_COLUMN");
    const still = await db.conn.runAndReadAll("SELECT count(*) FROM victim");
    expect(Number(still.getRowsJS()[0][0])).toBe(0);
    const empty = await buildSample(db.conn, "victim", col, { rows: 5, seed: 1 });
    expect(empty.rows).toEqual([]);
  });
});

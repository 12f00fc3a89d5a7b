import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  isValidLuhn,
  isValidMobile,
  isValidResidentId,
  isValidUscc,
  luhnCheckDigit,
  residentIdCheckChar,
  usccCheckChar,
} from "../../policies/pii/checksums.js";
import { luhnSql, mobileSql, residentIdSql, usccSql } from "../../policies/pii/detect-sql.js";
import { createRng } from "../../policies/pii/fake/index.js";
import { loadStrings, openTempDb } from "./helpers.js";

describe("reference checksums against published examples", () => {
  test("GB 11643: the standard's example 11010519491231002X", () => {
    expect(residentIdCheckChar("11010519491231002")).toBe("X");
    expect(isValidResidentId("11010519491231002X")).toBe(true);
    expect(isValidResidentId("11010519491231002x")).toBe(true);
    expect(isValidResidentId("110105194912310021")).toBe(false); // wrong check character
    expect(isValidResidentId("11010519491331002X")).toBe(false); // month 13
    expect(isValidResidentId("01010519491231002X")).toBe(false); // no province 0x
  });

  test("GB 11643: 15-digit legacy IDs need a real 19YYMMDD date", () => {
    expect(isValidResidentId("110105491231002")).toBe(true);
    expect(isValidResidentId("110105490231002")).toBe(false); // 1949-02-31
    expect(isValidResidentId("11010549123100")).toBe(false);
  });

  test("GB 32100: the standard's worked example 91350100M000100Y4? has check character 3", () => {
    // Worked example in GB 32100-2015: weighted sum 1640, 1640 mod 31 = 28, 31 - 28 = 3.
    expect(usccCheckChar("91350100M000100Y4")).toBe("3");
    expect(isValidUscc("91350100M000100Y43")).toBe(true);
    expect(isValidUscc("91350100M000100Y4Z")).toBe(false);
    expect(isValidUscc("91350100M000100Y4I")).toBe(false); // I is not in the character set
    expect(isValidUscc("91350100m000100Y43")).toBe(false);
  });

  test("Luhn: the classic 79927398713 and test card 4111 1111 1111 1111", () => {
    expect(luhnCheckDigit("7992739871")).toBe("3");
    expect(isValidLuhn("79927398713")).toBe(true);
    expect(isValidLuhn("79927398710")).toBe(false);
    expect(isValidLuhn("4111111111111111")).toBe(true);
    expect(isValidLuhn("4111111111111112")).toBe(false);
    expect(isValidLuhn("4111-1111")).toBe(false);
  });

  test("mobile: 1[3-9] and 11 digits, optional +86/86", () => {
    for (const ok of ["13800138000", "19912345678", "+8613800138000", "8613800138000"]) expect(isValidMobile(ok)).toBe(true);
    for (const bad of ["12800138000", "10086000000", "1380013800", "138001380000", "+8612800138000", "+1 13800138000"]) {
      expect(isValidMobile(bad)).toBe(false);
    }
  });
});

describe("SQL checksums agree with the reference on random inputs", () => {
  let db: Awaited<ReturnType<typeof openTempDb>>;
  beforeAll(async () => {
    db = await openTempDb();
  });
  afterAll(() => db.close());

  /** Evaluates `pred` (SQL over column v) for every value, in DuckDB. */
  async function sqlVerdicts(values: string[], pred: string): Promise<Map<string, boolean>> {
    await loadStrings(db.conn, "vals", ["v"], values.map((v) => [v]));
    const r = await db.conn.runAndReadAll(`SELECT v, coalesce(${pred}, false) FROM vals`);
    return new Map(r.getRows().map(([v, ok]) => [String(v), ok === true]));
  }

  test("resident ID: 3000 random candidates (dates valid and not, all check characters)", async () => {
    const rng = createRng(11);
    const values: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const y = rng.int(1890, 2035);
      const m = rng.int(0, 13);
      const d = rng.int(0, 32);
      const first17 = `${rng.int(1, 6)}${rng.int(10000, 99999)}${y}${String(m).padStart(2, "0")}${String(d).padStart(2, "0")}${rng.int(100, 999)}`;
      if (i % 10 === 0) values.push(`${first17.slice(0, 6)}${first17.slice(8, 14)}${first17.slice(14, 17)}`);
      else values.push(first17 + (i % 3 === 0 ? residentIdCheckChar(first17) : "0123456789Xx"[rng.int(0, 11)]));
    }
    const sql = await sqlVerdicts(values, residentIdSql("v"));
    const valid = values.filter(isValidResidentId).length;
    expect(valid).toBeGreaterThan(300);
    expect(valid).toBeLessThan(2700);
    for (const v of values) expect([v, sql.get(v)]).toEqual([v, isValidResidentId(v)]);
  });

  test("Luhn: 3000 random digit strings of length 12-19", async () => {
    const rng = createRng(12);
    const values = Array.from({ length: 3000 }, () => {
      let s = "";
      const n = rng.int(12, 19);
      for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
      return s;
    });
    const sql = await sqlVerdicts(values, luhnSql("v"));
    expect(values.filter(isValidLuhn).length).toBeGreaterThan(150);
    for (const v of values) expect([v, sql.get(v)]).toEqual([v, isValidLuhn(v)]);
  });

  test("USCC: 3000 random 18-character codes", async () => {
    const rng = createRng(13);
    const cs = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const values = Array.from({ length: 3000 }, (_, i) => {
      let first17 = "";
      for (let k = 0; k < 17; k++) first17 += k >= 2 && k < 8 ? String(rng.int(0, 9)) : cs[rng.int(0, 30)];
      return first17 + (i % 3 === 0 ? usccCheckChar(first17) : cs[rng.int(0, 30)]);
    });
    const sql = await sqlVerdicts(values, usccSql("v"));
    expect(values.filter(isValidUscc).length).toBeGreaterThan(900);
    for (const v of values) expect([v, sql.get(v)]).toEqual([v, isValidUscc(v)]);
  });

  test("mobile: 2000 random 10-14 character numbers", async () => {
    const rng = createRng(14);
    const values = Array.from({ length: 2000 }, () => {
      const prefix = rng.pick(["", "", "+86", "86", "+"]);
      let s = prefix + "1";
      const n = rng.int(9, 11);
      for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
      return s;
    });
    const sql = await sqlVerdicts(values, mobileSql("v"));
    expect(values.filter(isValidMobile).length).toBeGreaterThan(200);
    for (const v of values) expect([v, sql.get(v)]).toEqual([v, isValidMobile(v)]);
  });
});

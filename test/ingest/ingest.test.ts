import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import smCrypto from "sm-crypto";
import { ShuyuError } from "../../policies/errors.js";
import { detectFormat, ingestFile } from "../../runtime/ingest/index.js";
import { openTempVault, rows } from "./helpers.js";

let vault: Awaited<ReturnType<typeof openTempVault>>;
beforeEach(async () => {
  vault = await openTempVault();
});
afterEach(() => vault.close());

/** Writes `content` to a file in the vault's temp dir and returns its path. */
function file(name: string, content: string | Buffer): string {
  const p = join(vault.dir, name);
  writeFileSync(p, content);
  return p;
}

/** Runs an ingest that must fail and returns the ShuyuError. */
async function failure(path: string, table = "t"): Promise<ShuyuError> {
  const err = await ingestFile(vault.conn, { file: path, table }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ShuyuError);
  const e = err as ShuyuError;
  expect(e.kind).toBe("invalid");
  expect(e.exitCode).toBe(3);
  return e;
}

describe("detectFormat", () => {
  test("maps extensions case-insensitively", () => {
    expect(detectFormat("a/b.CSV")).toBe("csv");
    expect(detectFormat("x.tsv")).toBe("tsv");
    expect(detectFormat("x.parquet")).toBe("parquet");
    expect(detectFormat("x.json")).toBe("json");
    expect(detectFormat("x.ndjson")).toBe("ndjson");
    expect(detectFormat("x.jsonl")).toBe("ndjson");
  });
  test("rejects unknown extensions with UNSUPPORTED_FORMAT", () => {
    for (const f of ["x.xlsx", "x", "x.csv.gz"]) {
      expect(() => detectFormat(f)).toThrow(expect.objectContaining({ code: "UNSUPPORTED_FORMAT", kind: "invalid" }));
    }
  });
});

describe("ingestFile loads typed tables", () => {
  test("CSV: types, values, row count, SM3 of the source and progress", async () => {
    const csv =
      "id,name,amount,born,note\r\n" +
      '1,张三,12.5,1990-01-02,"has, comma"\r\n' +
      '2,李四,7,1985-12-31,"two\r\nlines"\r\n' +
      '3,王五,,2001-06-30,"say ""hi"""\r\n';
    const p = file("people.csv", csv);
    const progress: [number, number][] = [];
    const r = await ingestFile(vault.conn, { file: p, table: "people", onProgress: (d, t) => progress.push([d, t]) });
    const size = Buffer.byteLength(csv);
    expect(r).toMatchObject({ table: "people", rowCount: 3, format: "csv", bytes: size });
    // Independent SM3 implementation (sm-crypto) over the same bytes.
    expect(r.sm3).toBe(smCrypto.sm3(Array.from(readFileSync(p))));
    expect(r.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "name", type: "VARCHAR" },
      { name: "amount", type: "DOUBLE" },
      { name: "born", type: "DATE" },
      { name: "note", type: "VARCHAR" },
    ]);
    const got = await rows(vault.conn, "SELECT name, amount, note FROM people ORDER BY id");
    expect(got).toEqual([
      { name: "张三", amount: 12.5, note: "has, comma" },
      { name: "李四", amount: 7, note: "two\r\nlines" },
      { name: "王五", amount: null, note: 'say "hi"' },
    ]);
    expect(progress.at(-1)).toEqual([size, size]);
  });

  test("fixed-width digit codes (mobiles, district codes) stay text; quantities stay numbers", async () => {
    let body = "mobile,district_code,income,age\n";
    for (let i = 0; i < 50; i++) body += `1${380013800 + i * 7}0,${520102 + i},${800 + i * 97},${18 + i}\n`;
    const r = await ingestFile(vault.conn, { file: file("codes.csv", body), table: "codes" });
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({
      mobile: "VARCHAR",
      district_code: "VARCHAR",
      income: "BIGINT",
      age: "BIGINT",
    });
  });

  test("a late value the type sniff's sample never saw still loads, every row, as text", async () => {
    let body = "n,v\n";
    for (let i = 0; i < 30_000; i++) body += `${i},${i % 997}\n`;
    body += "30000,late text\n";
    const r = await ingestFile(vault.conn, { file: file("late.csv", body), table: "late" });
    expect(r.rowCount).toBe(30_001);
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({ n: "BIGINT", v: "VARCHAR" });
    const got = await rows(vault.conn, "SELECT v FROM late WHERE n = 30000");
    expect(got[0].v).toBe("late text");
  });

  test("identifier-like digit columns stay text (IDs, 19-digit cards, leading zeros, +86)", async () => {
    const p = file(
      "ids.csv",
      "rid,card,zip,phone,n\n" +
        "110105194912310021,6222021234567890123,010010,+8613800138000,1\n" +
        "110105194912310039,9999999999999999999,100000,+8613900139000,2\n",
    );
    const r = await ingestFile(vault.conn, { file: p, table: "ids" });
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({
      rid: "VARCHAR",
      card: "VARCHAR",
      zip: "VARCHAR",
      phone: "VARCHAR",
      n: "BIGINT",
    });
    const got = await rows(vault.conn, "SELECT card, zip, phone FROM ids ORDER BY n");
    expect(got[1]).toEqual({ card: "9999999999999999999", zip: "100000", phone: "+8613900139000" });
    expect(got[0].zip).toBe("010010");
  });

  test("a value that only appears late does not break type detection", async () => {
    const body = Array.from({ length: 30000 }, (_, i) => `${i},${i}`).join("\n");
    const p = file("late.csv", `a,b\n${body}\n30000,oops\n`);
    const r = await ingestFile(vault.conn, { file: p, table: "late" });
    expect(r.rowCount).toBe(30001);
    expect(r.columns.find((c) => c.name === "b")?.type).toBe("VARCHAR");
  });

  test("TSV, JSON array, NDJSON and Parquet", async () => {
    const tsv = await ingestFile(vault.conn, { file: file("a.tsv", 'k\tv\n1\t5" pipe\n2\tx\n'), table: "tsv" });
    expect(tsv).toMatchObject({ rowCount: 2, format: "tsv" });
    expect(await rows(vault.conn, "SELECT v FROM tsv ORDER BY k")).toEqual([{ v: '5" pipe' }, { v: "x" }]);

    const json = await ingestFile(vault.conn, { file: file("a.json", '[{"k":1,"v":"甲"},{"k":2,"v":null}]'), table: "js" });
    expect(json).toMatchObject({ rowCount: 2, format: "json" });
    const nd = await ingestFile(vault.conn, { file: file("a.jsonl", '{"k":1,"v":"a"}\n{"k":2,"v":"b"}\n'), table: "nd" });
    expect(nd).toMatchObject({ rowCount: 2, format: "ndjson" });

    const pq = join(vault.dir, "a.parquet");
    await vault.conn.run(`COPY (SELECT range AS k, 'v' || range AS v FROM range(1000)) TO '${pq}' (FORMAT parquet)`);
    const p = await ingestFile(vault.conn, { file: pq, table: "pq" });
    expect(p).toMatchObject({ rowCount: 1000, format: "parquet" });
    expect(p.columns).toEqual([
      { name: "k", type: "BIGINT" },
      { name: "v", type: "VARCHAR" },
    ]);
    expect(p.sm3).toBe(smCrypto.sm3(Array.from(readFileSync(pq))));
  });

  test("header-only CSV gives an empty table with the header's columns", async () => {
    const r = await ingestFile(vault.conn, { file: file("h.csv", "a,b\n"), table: "h" });
    expect(r.rowCount).toBe(0);
    expect(r.columns.map((c) => c.name)).toEqual(["a", "b"]);
  });

  test("re-ingesting replaces the table", async () => {
    await ingestFile(vault.conn, { file: file("v1.csv", "a\n1\n2\n"), table: "t" });
    await ingestFile(vault.conn, { file: file("v2.csv", "a,b\n9,9\n"), table: "t" });
    expect(await rows(vault.conn, "SELECT * FROM t")).toEqual([{ a: 9, b: 9 }]);
  });
});

describe("ingestFile resists SQL injection through names", () => {
  test("file path with quotes, table name with quotes and SQL, hostile header names", async () => {
    await vault.conn.run("CREATE TABLE victim AS SELECT 42 AS x");
    // The last column is code-like, so its (hostile) name also goes into read_csv's types={…}.
    const p = file("x'); DROP TABLE victim; --.csv", `id,"a"" ) ; DROP TABLE victim; --",x'}); DROP TABLE victim; --\n1,2,110105194912310021\n`);
    const r = await ingestFile(vault.conn, { file: p, table: 'evil"; DROP TABLE victim; --' });
    expect(r.rowCount).toBe(1);
    expect(r.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: 'a" ) ; DROP TABLE victim; --', type: "BIGINT" },
      { name: "x'}); DROP TABLE victim; --", type: "VARCHAR" },
    ]);
    expect(await rows(vault.conn, "SELECT x FROM victim")).toEqual([{ x: 42 }]);
    expect(await rows(vault.conn, `SELECT count(*) AS n FROM "evil""; DROP TABLE victim; --"`)).toEqual([{ n: 1 }]);
  });
});

describe("ingestFile rejects bad input (exit 3) with file, line and column", () => {
  test("ragged row, counting lines inside quoted fields", async () => {
    const e = await failure(file("r.csv", 'a,b,c\n1,"x\ny",3\n4,5\n6,7,8\n'));
    expect(e.code).toBe("INGEST_RAGGED_ROW");
    expect(e.details).toMatchObject({ line: 4, expected: 3, got: 2 });
    expect(e.message).toContain("line 4");
  });

  test("too many fields", async () => {
    const e = await failure(file("r2.csv", "a,b\n1,2\n3,4,5\n"));
    expect(e.code).toBe("INGEST_RAGGED_ROW");
    expect(e.details).toMatchObject({ line: 3, got: 3, expected: 2 });
  });

  test("quote inside an unquoted field", async () => {
    const e = await failure(file("q1.csv", 'a,b\n1,2\n3,ab"c\n'));
    expect(e.code).toBe("INGEST_BAD_QUOTING");
    expect(e.details).toMatchObject({ line: 3, column: 2 });
  });

  test("text after a closing quote", async () => {
    const e = await failure(file("q2.csv", 'a,b\n"x"y,2\n'));
    expect(e.code).toBe("INGEST_BAD_QUOTING");
    expect(e.details).toMatchObject({ line: 2, column: 1 });
  });

  test("unterminated quote", async () => {
    const e = await failure(file("q3.csv", 'a,b\n1,2\n3,"open\n4,5\n'));
    expect(e.code).toBe("INGEST_BAD_QUOTING");
    expect(e.details).toMatchObject({ line: 3, column: 2 });
  });

  test("invalid UTF-8 (GBK bytes) on a given line", async () => {
    const gbk = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三 in GBK
    const content = Buffer.concat([Buffer.from("id,name\n1,ok\n2,"), gbk, Buffer.from("\n")]);
    const e = await failure(file("gbk.csv", content));
    expect(e.code).toBe("INGEST_INVALID_UTF8");
    expect(e.details).toMatchObject({ line: 3, column: 2, byteOffset: 15 });
  });

  test("UTF-8 split across read chunks is fine; a bad byte after 1 MiB is found with its line", async () => {
    // Place a 3-byte character so it straddles the 1 MiB chunk boundary.
    const head = "a,b\n";
    const pad = 1024 * 1024 - head.length - 2; // head + pad + "," puts the char at offset 2^20-1
    const good = head + "x".repeat(pad) + ",中\n" + "1,2\n";
    expect(Buffer.from(good).indexOf(Buffer.from("中"))).toBe(1024 * 1024 - 1);
    const ok = await ingestFile(vault.conn, { file: file("split.csv", good), table: "split" });
    expect(ok.rowCount).toBe(2);

    const lines = ["a,b"];
    for (let i = 0; i < 60000; i++) lines.push(`${i},数据${i}`);
    const bad = Buffer.concat([Buffer.from(lines.join("\n") + "\n99,"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
    expect(bad.length).toBeGreaterThan(1024 * 1024);
    const e = await failure(file("late-bad.csv", bad));
    expect(e.code).toBe("INGEST_INVALID_UTF8");
    expect(e.details).toMatchObject({ line: 60002, column: 2 });
  });

  test("invalid UTF-8 in NDJSON reports the line", async () => {
    const content = Buffer.concat([Buffer.from('{"a":"x"}\n{"a":"'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    const e = await failure(file("bad.ndjson", content));
    expect(e.code).toBe("INGEST_INVALID_UTF8");
    expect(e.details).toMatchObject({ line: 2, column: 7 });
  });

  test("duplicate and empty column names", async () => {
    const d = await failure(file("d.csv", "id,Name,name\n1,2,3\n"));
    expect(d.code).toBe("INGEST_DUPLICATE_COLUMN");
    expect(d.details).toMatchObject({ line: 1, column: 3, firstColumn: 2 });
    const e = await failure(file("e.csv", "id,,x\n1,2,3\n"));
    expect(e.code).toBe("INGEST_EMPTY_COLUMN_NAME");
    expect(e.details).toMatchObject({ column: 2 });
  });

  test("JSON keys that differ only in case", async () => {
    const e = await failure(file("dk.ndjson", '{"name":"a","Name":"b"}\n{"x":1}\n'));
    expect(e.code).toBe("INGEST_DUPLICATE_COLUMN");
    expect(e.details).toMatchObject({ other: "Name", name: "name" });
  });

  test("empty file, missing path, directory, unknown extension", async () => {
    expect((await failure(file("z.csv", ""))).code).toBe("INGEST_EMPTY_FILE");
    expect((await failure(join(vault.dir, "nope.csv"))).code).toBe("INGEST_FILE_NOT_FOUND");
    const dir = join(vault.dir, "adir.csv");
    mkdirSync(dir);
    expect((await failure(dir)).code).toBe("INGEST_NOT_A_FILE");
    expect((await failure(file("x.xlsx", "a\n1\n"))).code).toBe("UNSUPPORTED_FORMAT");
  });

  test("malformed NDJSON: parse error with line, and the previous table survives", async () => {
    await ingestFile(vault.conn, { file: file("good.ndjson", '{"a":1}\n{"a":2}\n'), table: "t" });
    const e = await failure(file("broken.ndjson", '{"a":1}\n{"a":2\n{"a":3}\n'));
    expect(e.code).toBe("INGEST_PARSE_ERROR");
    expect(typeof e.details.line).toBe("number");
    expect(await rows(vault.conn, "SELECT a FROM t ORDER BY a")).toEqual([{ a: 1 }, { a: 2 }]);
  });

  test("JSON without records: empty array, blank NDJSON, array of scalars", async () => {
    expect((await failure(file("e.json", "[]"))).code).toBe("INGEST_NOT_RECORDS");
    expect((await failure(file("e.ndjson", "\n\n"))).code).toBe("INGEST_NOT_RECORDS");
    expect((await failure(file("s.json", "[1, 2, 3]"))).code).toBe("INGEST_NOT_RECORDS");
    expect((await failure(file("o.json", '{"a": 1}'))).code).toBe("INGEST_PARSE_ERROR");
  });

  test("corrupt Parquet is a parse error and leaves no table", async () => {
    const e = await failure(file("bad.parquet", "PAR1 this is not parquet"), "pq");
    expect(e.code).toBe("INGEST_PARSE_ERROR");
    expect(await rows(vault.conn, "SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'pq'")).toEqual([{ n: 0 }]);
  });
});

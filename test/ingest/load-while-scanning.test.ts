/**
 * Files past the early-types point (4 MiB): DuckDB's typed load runs while the scan
 * (SM3, UTF-8, structure) finishes. A fault the scan finds late must still refuse the
 * file with its own error and leave the previous table whole; types must be the whole
 * file's even when its first megabytes suggested others.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import smCrypto from "sm-crypto";
import { ShuyuError } from "../../policies/errors.js";
import { ingestFile } from "../../runtime/ingest/index.js";
import { openTempVault, rows } from "./helpers.js";

let vault: Awaited<ReturnType<typeof openTempVault>>;
beforeEach(async () => {
  vault = await openTempVault();
});
afterEach(() => vault.close());

const ROWS = 200_000; // ~6 MB below: well past the 4 MiB early point

/** A people-like CSV body of ROWS records (header included), each line ending in "\n". */
function body(row: (i: number) => string = (i) => `${i},1${String(3800000000 + i)},${110100 + (i % 90)},用户${i}`): string {
  const out = ["n,mobile,district,name"];
  for (let i = 0; i < ROWS; i++) out.push(row(i));
  return out.join("\n") + "\n";
}

function file(name: string, content: string | Buffer): string {
  const p = join(vault.dir, name);
  writeFileSync(p, content);
  expect(Buffer.byteLength(content)).toBeGreaterThan(4 << 20);
  return p;
}

async function failure(path: string): Promise<ShuyuError> {
  const err = await ingestFile(vault.conn, { file: path, table: "t" }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShuyuError);
  return err as ShuyuError;
}

/** Loads a good version into "t" first: every failure below must leave it exactly as it was. */
async function previous(): Promise<void> {
  const r = await ingestFile(vault.conn, { file: file("good.csv", body()), table: "t" });
  expect(r.rowCount).toBe(ROWS);
}

async function previousIntact(): Promise<void> {
  expect(await rows(vault.conn, "SELECT count(*) AS n, max(n) AS hi, count(DISTINCT mobile) AS m FROM t")).toEqual([{ n: ROWS, hi: ROWS - 1, m: ROWS }]);
}

describe("a large file is loaded while its scan finishes", () => {
  test("every row, identifier columns as text, SM3 of the whole file", async () => {
    const content = body();
    const r = await ingestFile(vault.conn, { file: file("big.csv", content), table: "big" });
    expect(r.rowCount).toBe(ROWS);
    expect(Object.fromEntries(r.columns.map((c) => [c.name, c.type]))).toEqual({ n: "BIGINT", mobile: "VARCHAR", district: "VARCHAR", name: "VARCHAR" });
    expect(r.sm3).toBe(smCrypto.sm3(Array.from(Buffer.from(content))));
    expect(await rows(vault.conn, "SELECT mobile, district FROM big WHERE n = 7")).toEqual([{ mobile: "13800000007", district: "110107" }]);
  });

  test("a ragged row near the end is refused with its line; the previous table survives", async () => {
    await previous();
    const e = await failure(file("ragged.csv", body() + "1,2\n"));
    expect(e.code).toBe("INGEST_RAGGED_ROW");
    expect(e.details).toMatchObject({ line: ROWS + 2, expected: 4, got: 2 });
    await previousIntact();
  });

  test("a stray quote near the end is refused; the previous table survives", async () => {
    await previous();
    const e = await failure(file("quote.csv", body((i) => (i === ROWS - 3 ? `${i},13800000000,110100,ab"c` : `${i},1${String(3800000000 + i)},110100,x`))));
    expect(e.code).toBe("INGEST_BAD_QUOTING");
    expect(e.details).toMatchObject({ line: ROWS - 1, column: 4 });
    await previousIntact();
  });

  test("invalid UTF-8 near the end is refused with its line; the previous table survives", async () => {
    await previous();
    const bad = Buffer.concat([Buffer.from(body()), Buffer.from("9,13800000000,110100,"), Buffer.from([0xd5, 0xc5]), Buffer.from("\n")]);
    const e = await failure(file("gbk.csv", bad));
    expect(e.code).toBe("INGEST_INVALID_UTF8");
    expect(e.details).toMatchObject({ line: ROWS + 2, column: 4 });
    await previousIntact();
  });

  test("a column fixed-width early but not late is typed as the whole file says (a number)", async () => {
    // The first megabytes say "six-digit code"; the last row makes it a quantity after all.
    const r = await ingestFile(vault.conn, { file: file("width.csv", body() + `${ROWS},13800000000,1234567,末行\n`), table: "w" });
    expect(r.rowCount).toBe(ROWS + 1);
    expect(r.columns.find((c) => c.name === "district")?.type).toBe("BIGINT");
  });

  test("a column numeric early but an identifier late (a leading zero) stays text, zero kept", async () => {
    const r = await ingestFile(
      vault.conn,
      { file: file("zero.csv", body((i) => `${i},1${String(3800000000 + i)},${100 + (i % 900)},x`) + `${ROWS},13800000000,0123,末行\n`), table: "z" },
    );
    expect(r.columns.find((c) => c.name === "district")?.type).toBe("VARCHAR");
    expect(await rows(vault.conn, `SELECT district FROM z WHERE n = ${ROWS}`)).toEqual([{ district: "0123" }]);
  });
});

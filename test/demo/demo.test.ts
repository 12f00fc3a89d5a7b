import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidLuhn, isValidResidentId, isValidUscc } from "../../policies/pii/checksums.js";
import { districtByCode } from "../../policies/pii/fake/index.js";
import { generateDemoData } from "../../runtime/demo/generate.js";
import { main } from "../../runtime/demo/main.js";
import { runDemo, type DemoResult } from "../../runtime/demo/walkthrough.js";
import { verifyPackage } from "../../runtime/egress/verify.js";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tempDir } from "../helpers/fixture.js";

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(":memory:");
  const conn = await inst.connect();
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}

describe("demo data generator", () => {
  const t = tempDir();
  afterAll(() => t.cleanup());

  it("people are internally consistent: ID check digit, district, birth date and gender agree; cards pass Luhn", async () => {
    const files = await generateDemoData({ rows: 2000, out: join(t.dir, "csv"), seed: 7 });
    const people = files.find((f) => f.table === "people")!;
    expect(people.rows).toBe(2000);
    const rows = readFileSync(people.path, "utf8").trimEnd().split("\n");
    const head = rows[0].split(",");
    expect(rows.length).toBe(2001);
    const col = (r: string[], c: string) => r[head.indexOf(c)];
    const ids = new Set<string>();
    for (const line of rows.slice(1)) {
      const r = line.split(",");
      const id = col(r, "id_number");
      ids.add(id);
      expect(isValidResidentId(id)).toBe(true);
      expect(id.slice(0, 6)).toBe(col(r, "district_code"));
      expect(id.slice(6, 14)).toBe(col(r, "birth_date").replace(/-/g, ""));
      expect(Number(id[16]) % 2 === 1 ? "男" : "女").toBe(col(r, "gender"));
      const d = districtByCode(col(r, "district_code"))!;
      expect(d).toBeDefined();
      expect(col(r, "address").startsWith(d.province)).toBe(true);
      expect(col(r, "address")).toContain(d.county);
      expect(isValidLuhn(col(r, "bank_card"))).toBe(true);
      expect(col(r, "mobile")).toMatch(/^1[3-9]\d{9}$/);
      expect(Number(col(r, "income"))).toBeGreaterThan(0);
    }
    expect(ids.size).toBeGreaterThan(1990);

    const ents = readFileSync(files.find((f) => f.table === "enterprises")!.path, "utf8").trimEnd().split("\n").slice(1).map((l) => l.split(","));
    const usccs = new Set(ents.map((e) => e[0]));
    for (const e of ents) {
      expect(isValidUscc(e[0])).toBe(true);
      expect(e[0].slice(2, 8)).toBe(e[4]);
    }
    // Every event links a generated person to a generated enterprise.
    const events = readFileSync(files.find((f) => f.table === "events")!.path, "utf8").trimEnd().split("\n").slice(1).map((l) => l.split(","));
    expect(events.length).toBeGreaterThan(1000);
    for (const e of events) {
      expect(ids.has(e[1])).toBe(true);
      expect(usccs.has(e[2])).toBe(true);
    }
    // The same seed gives the same data; another seed does not.
    const again = await generateDemoData({ rows: 2000, out: join(t.dir, "again"), seed: 7 });
    expect(readFileSync(again[0].path, "utf8")).toBe(readFileSync(people.path, "utf8"));
    const other = await generateDemoData({ rows: 2000, out: join(t.dir, "other"), seed: 8 });
    expect(readFileSync(other[0].path, "utf8")).not.toBe(readFileSync(people.path, "utf8"));
  });

  it("Parquet output keeps identifiers as text (leading zeros, X check characters)", async () => {
    const files = await generateDemoData({ rows: 500, out: join(t.dir, "pq"), seed: 3, format: "parquet" });
    for (const f of files) expect(f.path).toMatch(/\.parquet$/);
    const types = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${files[0].path}'))`);
    const typeOf = Object.fromEntries(types.map((r) => [r.column_name, r.column_type]));
    for (const c of ["id_number", "mobile", "bank_card", "district_code"]) expect(typeOf[c]).toBe("VARCHAR");
    const n = await query(`SELECT count(*)::INTEGER AS n, count_if(length(id_number) = 18)::INTEGER AS ok FROM read_parquet('${files[0].path}')`);
    expect(n[0]).toEqual({ n: 500, ok: 500 });
  });

  it("refuses a bad row count with a usage-level message", async () => {
    await expect(generateDemoData({ rows: 0, out: join(t.dir, "x") })).rejects.toMatchObject({ exitCode: 3 });
    expect(await main(["--rows", "lots"])).toBe(1);
  });
});

describe("R1 R6 R7 the demo walks the main job end to end", () => {
  const t = tempDir();
  let r: DemoResult;
  const lines: string[] = [];
  beforeAll(async () => {
    r = await runDemo({ rows: 1500, dir: t.dir, print: (l) => lines.push(l) });
  }, 240_000);
  afterAll(() => t.cleanup());

  it("prints one timed line per step, in order", () => {
    expect(r.steps.map((s) => s.step)).toEqual([
      "init", "register parties", "generate", "ingest", "catalog", "sample", "agreement", "scenario submit", "scenario approve",
      "dev run (sample)", "raw run", "egress aggregate", "egress extract", "review", "outsider verify", "audit verify",
    ]);
    expect(lines.length).toBe(r.steps.length + 1);
    for (const l of lines) expect(l).toMatch(/^\s*\d+\.\d\d s {2}\S/);
  });

  it("R6 the aggregate is released and its package verifies as an outsider would; a changed byte does not", () => {
    expect(r.aggregate.state).toBe("released");
    const bytes = readFileSync(r.aggregate.package);
    expect(verifyPackage(bytes)).toMatchObject({ ok: true, product: r.aggregate.product });
    const bad = Buffer.from(bytes);
    bad[600] ^= 1;
    expect(() => verifyPackage(bad)).toThrow();
  });

  it("R1 the record-level extract is blocked by a hard rule, with the reason shown", () => {
    expect(r.extract.state).toBe("blocked");
    expect(r.extract.blockedBy.some((x) => ["raw-values", "computed-table", "identifier-equivalent", "k-anonymity"].includes(x))).toBe(true);
    expect(r.extract.reason.length).toBeGreaterThan(10);
    expect(lines.find((l) => l.includes("egress extract"))).toContain("BLOCKED");
  });

  it("R7 the audit chain verifies after the run", () => {
    expect(r.audit.ok).toBe(true);
    expect(r.audit.entries).toBeGreaterThan(15);
  });
});

describe("npm run demo (the built entry point)", () => {
  it("R1 R6 runs green from dist with a small --rows; --no-keep removes its temporary domain", async () => {
    const main = join(import.meta.dirname, "../../dist/runtime/demo/main.js");
    const r = await promisify(execFile)(process.execPath, [main, "--rows", "600", "--no-keep"], { maxBuffer: 16 * 1024 * 1024 });
    expect(r.stdout).toMatch(/egress extract +\S+ BLOCKED by /);
    expect(r.stdout).toMatch(/outsider verify +package ok/);
    expect(r.stdout).toMatch(/\d+\.\d\d s {2}total/);
    const dir = /in (\S+)\/domain/.exec(r.stdout)![1];
    expect(existsSync(dir)).toBe(false);
  }, 180_000);

  it("keeps its artefacts by default in a named folder it prints", async () => {
    const main = join(import.meta.dirname, "../../dist/runtime/demo/main.js");
    const tmp = mkdtempSync(join(tmpdir(), "shuyu-demo-keep-"));
    try {
      const r = await promisify(execFile)(process.execPath, [main, "--rows", "300"], { maxBuffer: 16 * 1024 * 1024, env: { ...process.env, TMPDIR: tmp } });
      const kept = /^kept in (\S+): data\//m.exec(r.stdout)![1];
      expect(kept.startsWith(join(tmp, "shuyu-demo-"))).toBe(true);
      expect(r.stdout).toContain(`artefacts in ${kept}`);
      expect(existsSync(join(kept, "domain", "outbox"))).toBe(true);
      expect(existsSync(join(kept, "data", "people.csv"))).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});

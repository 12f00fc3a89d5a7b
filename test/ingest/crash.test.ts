import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import ts from "typescript";
import { DuckDBInstance } from "@duckdb/node-api";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const ROWS = 2_000_000;
let dir: string;
let csv: string;

/** Transpiles the ingest module (and what it imports) to plain JS so a child `node` can run it. */
function buildChildModules(out: string): void {
  const sources = [
    ...readdirSync(join(repo, "runtime/ingest")).map((f) => `runtime/ingest/${f}`),
    "policies/errors.ts",
    "policies/limits.ts",
    "crypto/sm3.ts",
    "crypto/sm3-small.ts",
  ].filter((f) => f.endsWith(".ts"));
  for (const rel of sources) {
    const js = ts.transpileModule(readFileSync(join(repo, rel), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const target = join(out, rel.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(join(out, "package.json"), '{"type":"module"}');
  // ESM resolves bare specifiers by walking up to a node_modules folder.
  symlinkSync(join(repo, "node_modules"), join(out, "node_modules"));
  writeFileSync(
    join(out, "child.js"),
    `import { DuckDBInstance } from "@duckdb/node-api";
import { ingestFile } from "./runtime/ingest/index.js";
const [db, file] = process.argv.slice(2);
const conn = await (await DuckDBInstance.create(db)).connect();
let said = false;
// Half the file scanned: DuckDB's load has been running since the scan passed 4 MiB, and the
// commit waits for the scan's end (and the load's).
await ingestFile(conn, { file, table: "big", onProgress: (d, t) => {
  if (d >= t / 2 && !said) { said = true; process.stdout.write("loading\\n"); }
} });
process.stdout.write("committed\\n");
`,
  );
}

async function writeBigCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write("id,name,mobile,amount\n");
  let buf = "";
  for (let i = 0; i < ROWS; i++) {
    buf += `${i},name${i % 997},1${3 + (i % 7)}${String(i).padStart(9, "0")},${i % 1000}.5\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once("drain", () => r()));
      buf = "";
    }
  }
  out.write(buf);
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "shuyu-crash-"));
  buildChildModules(join(dir, "mod"));
  csv = join(dir, "big.csv");
  await writeBigCsv(csv);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the child ingest and, unless `delayMs` is null, SIGKILLs it `delayMs` after its scan passed half the file (the load running). */
function ingestAndKill(db: string, delayMs: number | null): Promise<{ out: string; signal: NodeJS.Signals | null }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(dir, "mod/child.js"), db, csv], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (delayMs !== null && out.includes("loading")) setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", rej);
    child.on("exit", (_code, signal) => (err && !signal ? rej(new Error(err)) : res({ out, signal })));
  });
}

test("SIGKILL mid-load leaves the vault openable and the table old-complete or absent", async () => {
  for (const [i, delayMs] of [0, 100].entries()) {
    const db = join(dir, `vault${i}.duckdb`);
    if (i === 1) {
      // A previous version of the table must survive a killed re-ingest intact.
      const inst = await DuckDBInstance.create(db);
      const c = await inst.connect();
      await c.run("CREATE TABLE big AS SELECT range AS id FROM range(7)");
      c.closeSync();
      inst.closeSync();
    }
    const { out, signal } = await ingestAndKill(db, delayMs);
    // The kill must have landed during the DuckDB load, before the commit.
    expect(signal).toBe("SIGKILL");
    expect(out).not.toContain("committed");

    const inst = await DuckDBInstance.create(db);
    const conn = await inst.connect();
    const t = await conn.runAndReadAll("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'big'");
    const exists = Number(t.getRows()[0][0]) === 1;
    if (i === 0) {
      expect(exists).toBe(false);
    } else {
      const n = Number((await conn.runAndReadAll("SELECT count(*) FROM big")).getRows()[0][0]);
      expect(n).toBe(7);
    }
    conn.closeSync();
    inst.closeSync();
  }
}, 180_000);

test("the same child ingest, not killed, commits every row (the kill test's load is real)", async () => {
  const db = join(dir, "vault-ok.duckdb");
  const { out, signal } = await ingestAndKill(db, null);
  expect(signal).toBeNull();
  expect(out).toContain("committed");
  const inst = await DuckDBInstance.create(db);
  const conn = await inst.connect();
  expect(Number((await conn.runAndReadAll("SELECT count(*) FROM big")).getRows()[0][0])).toBe(ROWS);
  conn.closeSync();
  inst.closeSync();
}, 180_000);

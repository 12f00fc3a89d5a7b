import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { ShuyuError } from "../../policies/errors.js";
import { guardSql, openParserConnection, type GuardView } from "../../sandbox/index.js";
import { serializeSql } from "../../sandbox/sqlguard/parser.js";

// Issue 12 item 6: the guard over the SELECT statements of DuckDB's own test suite
// (test/sql at v1.5.5, MIT; rebuilt by corpus/extract-duckdb-selects.ts). Each
// statement's tables are granted as views, so what is measured is the grammar, the
// function allow-list and the role walker, not the table check.

const FILE = join("test", "sandbox", "corpus", "duckdb-selects.txt.gz");

function statements(): string[] {
  const lines = gunzipSync(readFileSync(FILE)).toString("utf8").split("\n");
  expect(lines[0]).toMatch(/^-- SELECT statements from DuckDB's test\/sql .*MIT licence/);
  return lines.slice(1).join("\n").split("\n-- ;\n").map((s) => s.replace(/\n-- ;\n?$/, "")).filter((s) => s.trim() !== "");
}

/** Base-table names of a statement minus its CTE names: what a job would have been granted. */
function tablesOf(node: unknown, tables: Set<string>, ctes: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) tablesOf(n, tables, ctes);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (o.type === "BASE_TABLE" && typeof o.table_name === "string") tables.add(o.table_name);
  if (typeof o.key === "string" && o.value && typeof o.value === "object" && "query" in o.value) ctes.add(o.key.toLowerCase());
  if (typeof o.cte_name === "string") ctes.add(o.cte_name.toLowerCase());
  for (const v of Object.values(o)) tablesOf(v, tables, ctes);
}

type Tally = { accepted: number; refused: number; syntax: number; crashes: string[]; reasons: Map<string, number>; unreasoned: string[] };

async function run(conn: DuckDBConnection, sql: string, views: string[] | GuardView[], tally: Tally): Promise<void> {
  try {
    await guardSql(sql, views, conn);
    tally.accepted++;
  } catch (err) {
    if (!(err instanceof ShuyuError)) {
      tally.crashes.push(`${sql.slice(0, 200)} => ${String((err as Error)?.stack ?? err).slice(0, 300)}`);
    } else if (err.code === "SQL_SYNTAX") {
      tally.syntax++;
    } else if (err.code === "SQL_DENIED") {
      tally.refused++;
      const reason = err.details.refused;
      if (typeof reason !== "string" || reason === "") tally.unreasoned.push(sql.slice(0, 200));
      else {
        const key = reason
          .replace(/^(function|table function|table|type|special name|reserved name) .*/, "$1 …")
          .replace(/^(identifier|join-only) column .*/, "$1 column misused")
          .replace(/^.* over a view with .*/, "expansion over an identifier");
        tally.reasons.set(key, (tally.reasons.get(key) ?? 0) + 1);
      }
    } else {
      tally.crashes.push(`${sql.slice(0, 200)} => ${err.code}`);
    }
  }
}

const newTally = (): Tally => ({ accepted: 0, refused: 0, syntax: 0, crashes: [], reasons: new Map(), unreasoned: [] });

function report(label: string, total: number, t: Tally): void {
  const top = [...t.reasons].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([r, n]) => `${r}: ${n}`).join("; ");
  console.log(`[duckdb corpus, ${label}] ${total} statements: ${t.accepted} accepted, ${t.refused} refused, ${t.syntax} syntax errors, ${t.crashes.length} crashes. Refusals: ${top}`);
}

let parser: DuckDBConnection;
let corpus: { sql: string; tables: string[] }[];

beforeAll(async () => {
  parser = await openParserConnection();
  corpus = [];
  for (const sql of statements()) {
    const tables = new Set<string>();
    const ctes = new Set<string>();
    tablesOf(await serializeSql(parser, sql), tables, ctes);
    corpus.push({ sql, tables: [...tables].filter((t) => !ctes.has(t.toLowerCase())) });
  }
}, 240_000);

describe("SQL guard over DuckDB's own SELECT tests (issue 12 item 6)", () => {
  it("holds thousands of statements", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(3000);
  });

  it("never crashes, and every refusal names its reason", async () => {
    const t = newTally();
    for (const { sql, tables } of corpus) await run(parser, sql, tables, t);
    report("views without roles", corpus.length, t);
    expect(t.crashes).toEqual([]);
    expect(t.unreasoned).toEqual([]);
    expect(t.accepted + t.refused + t.syntax).toBe(corpus.length);
    // The grammar follows what DuckDB really emits: no refusal because the walker met
    // a key or shape it does not know (a DuckDB upgrade that changes the AST shows here).
    expect([...t.reasons.keys()].filter((r) => /unknown AST key|malformed/.test(r))).toEqual([]);
    // An allow-list that refuses ordinary SQL is not a guard anyone can use.
    expect(t.accepted / corpus.length).toBeGreaterThan(0.6);
  }, 240_000);

  it("never crashes with roles on, and role refusals name the column and role", async () => {
    const t = newTally();
    const named: string[] = [];
    for (const { sql, tables } of corpus) {
      // DuckDB's tests use i, j, a, id… as column names; make some of them identifiers.
      const views: GuardView[] = tables.map((name) => ({
        name,
        columns: [
          { name: "i", role: "identifier" },
          { name: "id", role: "identifier" },
          { name: "j", role: "join-only" },
          { name: "k", role: "quasi" },
        ],
      }));
      const before = t.refused;
      await run(parser, sql, views, t);
      if (t.refused > before) {
        const err = await guardSql(sql, views, parser).catch((e: unknown) => e as ShuyuError);
        const d = err instanceof ShuyuError ? err.details : {};
        if ("column" in d && (typeof d.column !== "string" || !["identifier", "join-only"].includes(String(d.role)))) named.push(sql.slice(0, 200));
      }
    }
    report("i, id identifiers and j join-only", corpus.length, t);
    expect(t.crashes).toEqual([]);
    expect(t.unreasoned).toEqual([]);
    expect(named).toEqual([]);
    expect(t.refused).toBeGreaterThan(0);
  }, 240_000);
});

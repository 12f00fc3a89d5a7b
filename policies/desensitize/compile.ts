import { invalid } from "../errors.js";
import { divisionNames } from "./divisions.js";
import type { Method } from "./methods.js";
import { numberLiteral, quoteIdent, quoteLiteral } from "./sql-quote.js";

/** Options for compiling one method. `type` is the column's DuckDB type when known (DATE vs TIMESTAMP matters). */
export interface CompileOptions {
  type?: string;
}

function int(n: number): string {
  if (!Number.isSafeInteger(n)) throw invalid("BAD_NUMBER", `expected an integer, got ${n}`, { value: n });
  return String(n);
}

// Masks up to this many characters take their run from one constant instead of building it.
const RUN = 64;

/**
 * One new string per masked value: the kept prefix and suffix and a star run cut from a
 * constant, joined by a single concat (substr has an ASCII fast path that left/right lack).
 * concat skips NULLs, so NULL is handled first.
 */
function mask(s: string, keepFirst: number, keepLast: number, ch: string): string {
  const run = quoteLiteral(ch.repeat(RUN));
  const keep = keepFirst + keepLast;
  const stars = (n: string) => `substr(${run}, 1, ${n})`;
  const parts = (starsOf: string) =>
    [keepFirst > 0 ? `substr(${s}, 1, ${int(keepFirst)})` : "", starsOf, keepLast > 0 ? `substr(${s}, -${int(keepLast)})` : ""].filter((x) => x !== "");
  const join = (xs: string[]) => (xs.length === 1 ? xs[0] : `concat(${xs.join(", ")})`);
  const c = quoteLiteral(ch);
  return (
    `CASE WHEN ${s} IS NULL THEN NULL ` +
    `WHEN length(${s}) <= ${int(keep)} THEN (CASE WHEN length(${s}) <= ${RUN} THEN ${stars(`length(${s})`)} ELSE repeat(${c}, length(${s})) END) ` +
    `WHEN length(${s}) - ${int(keep)} <= ${RUN} THEN ${join(parts(stars(`length(${s}) - ${int(keep)}`)))} ` +
    `ELSE ${join(parts(`repeat(${c}, length(${s}) - ${int(keep)})`))} END`
  );
}

/** Longest-first search would need an alternation; a lazy and a greedy candidate, each checked by IN, suffice. */
function level(rest: string, suffix: string, names: string[]): string {
  const list = names.map(quoteLiteral).join(", ");
  const lazy = `regexp_extract(${rest}, ${quoteLiteral(`^(.{1,10}?(?:${suffix}))`)}, 1)`;
  const greedy = `regexp_extract(${rest}, ${quoteLiteral(`^(.{1,10}(?:${suffix}))`)}, 1)`;
  return `(CASE WHEN ${lazy} IN (${list}) THEN ${lazy} WHEN ${greedy} IN (${list}) THEN ${greedy} ELSE '' END)`;
}

function address(s: string, to: "county" | "city" | "province"): string {
  const { provincePattern, cities, counties } = divisionNames();
  const prov = `regexp_extract(${s}, ${quoteLiteral(provincePattern)}, 1)`;
  if (to === "province") return `nullif(${prov}, '')`;
  const city = level(`substr(${s}, length(${prov}) + 1)`, "市|地区|自治州|盟", cities);
  // A missing level falls back to the coarser prefix: 北京市朝阳区 has no written city level.
  if (to === "city") return `nullif(${prov} || ${city}, '')`;
  const county = level(`substr(${s}, length(${prov}) + length(${city}) + 1)`, "区|县|市|旗", counties);
  return `nullif(${prov} || ${city} || ${county}, '')`;
}

function region(s: string, to: "county" | "city" | "province", input: "code" | "address"): string {
  if (input === "address") return address(s, to);
  // Accept 6-digit GB/T 2260 codes and 12-digit statistical codes (whose first 6 digits are GB/T 2260).
  const code = `regexp_extract(${s}, '^([1-9][0-9]{5})(?:[0-9]{6})?$', 1)`;
  const keep = to === "county" ? 6 : to === "city" ? 4 : 2;
  return `CASE WHEN ${code} = '' THEN NULL ELSE rpad(left(${code}, ${keep}), 6, '0') END`;
}

function ip(s: string, prefix: 8 | 16 | 24): string {
  const octets = prefix / 8;
  const head = `regexp_extract(${s}, ${quoteLiteral(`^(\\d{1,3}(?:\\.\\d{1,3}){${octets - 1}})`)}, 1)`;
  const tail = ".0".repeat(4 - octets) + `/${prefix}`;
  return `CASE WHEN regexp_matches(${s}, '^\\d{1,3}(\\.\\d{1,3}){3}$') THEN ${head} || ${quoteLiteral(tail)} ELSE NULL END`;
}

/**
 * Compiles `method` applied to the SQL expression `expr` into a vectorised DuckDB expression.
 * Throws for `pseudonym` (needs the host path, see applyPolicy) and `drop` (removes the column).
 */
export function compileExpression(expr: string, method: Method, opts: CompileOptions = {}): string {
  const col = `(${expr})`;
  const s = `CAST(${col} AS VARCHAR)`;
  switch (method.method) {
    case "keep":
      return col;
    case "mask":
      return mask(s, method.keepFirst, method.keepLast, method.char);
    case "mask_email":
      return (
        `CASE WHEN ${s} IS NULL THEN NULL WHEN position('@' IN ${s}) = 0 THEN repeat('*', length(${s})) ` +
        `ELSE concat(substr(${s}, 1, ${int(method.keepFirst)}), '***', substr(${s}, position('@' IN ${s}))) END`
      );
    case "truncate":
      return method.from === "start" ? `left(${s}, ${int(method.keep)})` : `right(${s}, ${int(method.keep)})`;
    case "generalize_age": {
      if (method.topCode % method.band !== 0) {
        throw invalid("BAD_POLICY", `generalize_age: topCode ${method.topCode} must be a multiple of band ${method.band}`, {
          method,
        });
      }
      const v = `TRY_CAST(${col} AS INTEGER)`;
      const lo = `(${v} - ${v} % ${int(method.band)})`;
      return (
        `CASE WHEN ${v} IS NULL OR ${v} < 0 THEN NULL WHEN ${v} >= ${int(method.topCode)} THEN ${quoteLiteral(`${method.topCode}+`)} ` +
        `ELSE CAST(${lo} AS VARCHAR) || '-' || CAST(${lo} + ${int(method.band - 1)} AS VARCHAR) END`
      );
    }
    case "generalize_date":
      return `CAST(date_trunc(${quoteLiteral(method.to)}, TRY_CAST(${col} AS TIMESTAMP)) AS DATE)`;
    case "generalize_region":
      return region(s, method.to, method.input);
    case "generalize_ip":
      return ip(s, method.prefix);
    case "suppress":
      // CASE keeps the column's type, a bare NULL would not.
      return `(CASE WHEN FALSE THEN ${col} END)`;
    case "round": {
      const rounded = `round(CAST(${col} AS DOUBLE) / ${numberLiteral(method.base)}) * ${numberLiteral(method.base)}`;
      return Number.isInteger(method.base) ? `CAST(${rounded} AS BIGINT)` : rounded;
    }
    case "suppress_small":
      return `(CASE WHEN ${col} <= ${int(method.threshold)} THEN NULL ELSE ${col} END)`;
    case "laplace": {
      // Laplace(0, b) is the difference of two independent Exp(1/b) draws; 1 - random() is in (0, 1].
      const b = numberLiteral(method.sensitivity / method.epsilon);
      return `(CAST(${col} AS DOUBLE) + ${b} * (ln(1.0 - random()) - ln(1.0 - random())))`;
    }
    case "date_shift": {
      const days = `(CAST(floor(random() * ${int(2 * method.maxDays + 1)}) AS INTEGER) - ${int(method.maxDays)})`;
      const isDate = (opts.type ?? "").toUpperCase() === "DATE";
      return isDate ? `(${col} + ${days})` : `(${col} + to_days(${days}))`;
    }
    case "pseudonym":
      throw invalid("PSEUDONYM_NEEDS_HOST", "pseudonym has no SQL form: use applyPolicy, which joins a keyed mapping table", {});
    case "drop":
      throw invalid("DROP_HAS_NO_EXPRESSION", "drop removes the column; it has no expression", {});
  }
}

/** Compiles `method` applied to the column named `columnName` (quoted here — pass the bare name). */
export function compileMethod(columnName: string, method: Method, opts: CompileOptions = {}): string {
  return compileExpression(quoteIdent(columnName), method, opts);
}

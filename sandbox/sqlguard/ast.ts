import { ShuyuError } from "../../policies/errors.js";

/** DuckDB's serialized AST, as JSON.parse returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

export function isObj(node: Json | undefined): node is Obj {
  return node !== null && typeof node === "object" && !Array.isArray(node);
}

/** An array field of a node; a missing or null field counts as empty. */
export function list(node: Obj, key: string): Json[] {
  const v = node[key];
  return Array.isArray(v) ? v : [];
}

export function text(node: Obj, key: string): string {
  const v = node[key];
  return typeof v === "string" ? v : "";
}

/** Throws the guard's refusal; `what` is short and goes to `details.refused`. */
export function refuse(what: string, sql: string, details: Record<string, unknown> = {}, message?: string): never {
  throw new ShuyuError(
    "denied",
    "SQL_DENIED",
    message ?? `SQL refused: ${what}. Only one SELECT over the scenario's views with plain functions is allowed`,
    { details: { refused: what, ...details, sql: sql.slice(0, 500) } },
  );
}

/**
 * Parses json_serialize_sql output. DuckDB writes non-finite doubles as bare
 * `Infinity`, `-Infinity` and `NaN` (`SELECT 'inf'::DOUBLE`), which JSON.parse
 * rejects; outside strings they are turned into strings.
 */
export function parseDuckJson(source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch {
    // fall through to the slow path
  }
  let out = "";
  let inString = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (inString) {
      out += ch;
      if (ch === "\\") out += source[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
      continue;
    }
    const word = /^(-?Infinity|NaN)/.exec(source.slice(i, i + 9));
    if (word) {
      out += JSON.stringify(word[1]);
      i += word[1].length - 1;
      continue;
    }
    out += ch;
  }
  return JSON.parse(out) as unknown;
}

/**
 * Every value a model stores: numbers, strings, object keys, booleans and nulls (each array
 * element and each key counts), and every container with its size — what the model checks
 * count, match against raw values and weigh against the training subjects.
 */

/** What a model stores. */
export interface ModelValues {
  numbers: { path: string; x: number; text: string }[];
  /** String leaves and object keys. */
  strings: { path: string; s: string }[];
  /** Stored values: every leaf and every object key. */
  count: number;
  /** Arrays and objects, with the number of entries each holds. */
  containers: { path: string; size: number }[];
  /** Short arrays of primitives joined into one string (`[1,3,8,…]` or `["138","1234","5678"]` spread an ID). */
  joined: { path: string; s: string }[];
}

/** Longest array whose elements are joined into one string for the raw-value search. */
const MAX_JOINED = 64;

/** Stop past this many values: a model that big is reviewed for capacity anyway. */
const MAX_VALUES = 5_000_000;

function parse(model: unknown): unknown {
  if (typeof model === "string") {
    try {
      return JSON.parse(model) as unknown;
    } catch {
      return model;
    }
  }
  if (model instanceof Uint8Array) {
    const text = Buffer.from(model).toString("utf8");
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return model;
}

function numberText(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 2 ** 63 ? BigInt(x).toString() : String(x);
}

/** Walks a model (JSON text, bytes or a parsed value); cycles are visited once. */
export function modelValues(model: unknown): ModelValues {
  const out: ModelValues = { numbers: [], strings: [], count: 0, containers: [], joined: [] };
  const stack: { v: unknown; path: string }[] = [{ v: parse(model), path: "$" }];
  const seen = new WeakSet<object>();
  while (stack.length > 0 && out.count < MAX_VALUES) {
    const { v, path } = stack.pop()!;
    if (v !== null && typeof v === "object") {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    if (typeof v === "string") {
      out.strings.push({ path, s: v });
      out.count++;
    } else if (typeof v === "number") {
      out.numbers.push({ path, x: v, text: numberText(v) });
      out.count++;
    } else if (typeof v === "bigint") {
      out.numbers.push({ path, x: Number(v), text: v.toString() });
      out.count++;
    } else if (typeof v === "boolean" || v === null) {
      out.count++;
    } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const arr = Array.from(v as unknown as ArrayLike<number | bigint>);
      out.containers.push({ path, size: arr.length });
      arr.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]` }));
    } else if (Array.isArray(v)) {
      out.containers.push({ path, size: v.length });
      if (v.length >= 2 && v.length <= MAX_JOINED && v.every((x) => typeof x === "string" || typeof x === "number")) {
        out.joined.push({ path, s: v.map((x) => (typeof x === "number" ? numberText(x) : x)).join("") });
      }
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
    } else if (v instanceof Map) {
      out.containers.push({ path, size: v.size });
      for (const [k, child] of v) stack.push({ v: k, path: `${path}.<key>` }, { v: child, path: `${path}.<value>` });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      out.containers.push({ path, size: entries.length });
      for (const [key, child] of entries) {
        out.strings.push({ path: `${path}.<key>`, s: key });
        out.count++;
        stack.push({ v: child, path: `${path}.${key}` });
      }
    }
  }
  return out;
}

/** What a walk over a model's JSON found. */
export interface ModelShape {
  /** String leaves and object keys (lookup tables key on raw values). */
  strings: string[];
  /** Number leaves, as text, integers without exponent. */
  numbers: string[];
  /** Count of numeric leaves: the parameter count. */
  parameterCount: number;
  /** Lengths of every array, with its JSON path. */
  arrays: { path: string; length: number }[];
}

/** Stop collecting past this many leaves: a model that big is reviewed for size anyway. */
const MAX_LEAVES = 5_000_000;

function numberText(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? BigInt(n).toString() : String(n);
}

/** Walks a model (a JSON string, or an already-parsed value) and collects its leaves and arrays. */
export function walkModel(model: unknown): ModelShape {
  let root = model;
  if (typeof model === "string") {
    try {
      root = JSON.parse(model) as unknown;
    } catch {
      root = model;
    }
  }
  if (model instanceof Uint8Array) {
    try {
      root = JSON.parse(Buffer.from(model).toString("utf8")) as unknown;
    } catch {
      root = Buffer.from(model).toString("latin1");
    }
  }
  const shape: ModelShape = { strings: [], numbers: [], parameterCount: 0, arrays: [] };
  const stack: { v: unknown; path: string }[] = [{ v: root, path: "$" }];
  let leaves = 0;
  // A model handed over as a live object (not JSON) may contain cycles.
  const seen = new WeakSet<object>();
  while (stack.length > 0 && leaves < MAX_LEAVES) {
    const { v, path } = stack.pop()!;
    if (v !== null && typeof v === "object") {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    if (typeof v === "string") {
      shape.strings.push(v);
      leaves++;
    } else if (typeof v === "number" || typeof v === "bigint") {
      shape.parameterCount++;
      shape.numbers.push(typeof v === "bigint" ? v.toString() : numberText(v));
      leaves++;
    } else if (Array.isArray(v)) {
      shape.arrays.push({ path, length: v.length });
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: `${path}[${i}]` });
    } else if (v instanceof Float64Array || v instanceof Float32Array) {
      shape.arrays.push({ path, length: v.length });
      shape.parameterCount += v.length;
      leaves += v.length;
    } else if (v !== null && typeof v === "object") {
      for (const [key, child] of Object.entries(v)) {
        shape.strings.push(key);
        leaves++;
        stack.push({ v: child, path: `${path}.${key}` });
      }
    }
  }
  return shape;
}

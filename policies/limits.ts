import { closeSync, openSync, readSync } from "node:fs";
import { ShuyuError } from "./errors.js";

/** Limits on untrusted JSON, checked before any parser (ours, V8's serializer or DuckDB's) sees it. */
export interface JsonLimits {
  /** Largest nesting of arrays and objects (default 64). */
  maxDepth?: number;
  /** Largest input in bytes. */
  maxBytes?: number;
  /** Most members of one object or array (default 100,000). */
  maxWidth?: number;
}

export const DEFAULT_JSON_DEPTH = 64;
export const DEFAULT_JSON_WIDTH = 100_000;

/** Streaming bracket counter: depth and width of JSON text, strings skipped, in one pass with O(depth) memory. */
export class JsonShape {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private readonly widths: number[] = [];
  private empty: boolean[] = [];
  constructor(private readonly what: string, private readonly maxDepth: number, private readonly maxWidth: number) {}

  /** Feeds the next chunk (bytes or text). */
  feed(chunk: Uint8Array | string): void {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        this.touch();
      } else if (c === 0x5b || c === 0x7b) {
        this.touch();
        if (++this.depth > this.maxDepth) {
          throw new ShuyuError("invalid", "INPUT_TOO_DEEP", `${this.what} nests deeper than ${this.maxDepth} levels; flatten it`, { details: { what: this.what, maxDepth: this.maxDepth } });
        }
        this.widths.push(0);
        this.empty.push(true);
      } else if (c === 0x5d || c === 0x7d) {
        this.depth = Math.max(0, this.depth - 1);
        this.widths.pop();
        this.empty.pop();
      } else if (c === 0x2c) {
        const top = this.widths.length - 1;
        if (top >= 0 && ++this.widths[top] >= this.maxWidth) {
          throw new ShuyuError("invalid", "TOO_WIDE", `${this.what} has an object or array with more than ${this.maxWidth} members`, { details: { what: this.what, maxWidth: this.maxWidth } });
        }
      } else if (c > 0x20) {
        this.touch();
      }
    }
  }

  private touch(): void {
    if (this.empty.length) this.empty[this.empty.length - 1] = false;
  }
}

function tooLarge(what: string, maxBytes: number, bytes: number): ShuyuError {
  return new ShuyuError("invalid", "INPUT_TOO_LARGE", `${what} is ${bytes} bytes; at most ${maxBytes} are accepted`, { details: { what, maxBytes, bytes } });
}

/** Checks JSON text's size, depth and width before it is parsed. */
export function checkJsonInput(text: string, what: string, limits: JsonLimits = {}): void {
  const bytes = Buffer.byteLength(text);
  if (limits.maxBytes !== undefined && bytes > limits.maxBytes) throw tooLarge(what, limits.maxBytes, bytes);
  new JsonShape(what, limits.maxDepth ?? DEFAULT_JSON_DEPTH, limits.maxWidth ?? DEFAULT_JSON_WIDTH).feed(text);
}

/** Checks a JSON/NDJSON file's depth and width by streaming it (before DuckDB's reader recurses into it). */
export function checkJsonFile(path: string, what: string, limits: JsonLimits = {}): void {
  const shape = new JsonShape(what, limits.maxDepth ?? DEFAULT_JSON_DEPTH, limits.maxWidth ?? DEFAULT_JSON_WIDTH);
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      total += n;
      if (limits.maxBytes !== undefined && total > limits.maxBytes) throw tooLarge(what, limits.maxBytes, total);
      shape.feed(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
}

/** Depth of an already-parsed value (iterative: never recurses), refused past `maxDepth`. */
export function checkValueDepth(value: unknown, what: string, maxDepth = DEFAULT_JSON_DEPTH): void {
  const stack: { v: unknown; d: number }[] = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > maxDepth) throw new ShuyuError("invalid", "INPUT_TOO_DEEP", `${what} nests deeper than ${maxDepth} levels; flatten it`, { details: { what, maxDepth } });
    for (const c of Object.values(v as Record<string, unknown>)) stack.push({ v: c, d: d + 1 });
  }
}

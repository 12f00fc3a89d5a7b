import { ShuyuError } from "../policies/errors.js";

/** A transpiled model and the original line of each generated line (1-based; 0 = unknown). */
export interface Transpiled {
  code: string;
  lineMap: number[];
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decodes a source map's `mappings` into generated line → original line (first segment wins). */
export function decodeLineMap(mappings: string): number[] {
  const out: number[] = [0];
  let srcLine = 0;
  let line = 1;
  for (const group of mappings.split(";")) {
    out[line] = 0;
    let first = true;
    for (const segment of group.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 3) {
        srcLine += fields[2];
        if (first) out[line] = srcLine + 1;
        first = false;
      }
    }
    line++;
  }
  return out;
}

/** Largest TypeScript model the worker transpiles (bytes of UTF-16 text). */
export const MAX_TS_SOURCE = 2 * 1024 * 1024;
/** Deepest bracket nesting the worker hands to the compiler (its recursive parser would overflow the stack). */
export const MAX_TS_NESTING = 400;

/** The deepest nesting of ( [ { in `source` (strings and comments included: a bound, not a parser). */
export function nestingDepth(source: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) max = Math.max(max, ++depth);
    else if ((c === 41 || c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/**
 * Transpiles a TypeScript model (types stripped, ES module kept). Runs in the worker;
 * refuses sources over MAX_TS_SOURCE (MODEL_TOO_LARGE) or nested deeper than
 * MAX_TS_NESTING (MODEL_TOO_DEEP) before the compiler sees them.
 */
export async function transpileModel(source: string): Promise<Transpiled> {
  if (source.length > MAX_TS_SOURCE) throw new ShuyuError("invalid", "MODEL_TOO_LARGE", `TypeScript models are limited to ${MAX_TS_SOURCE} characters`);
  if (nestingDepth(source) > MAX_TS_NESTING) throw new ShuyuError("invalid", "MODEL_TOO_DEEP", `TypeScript models may nest brackets at most ${MAX_TS_NESTING} deep`);
  let ts: typeof import("typescript");
  try {
    ts = (await import("typescript")).default;
  } catch (err) {
    throw new ShuyuError("internal", "TS_UNAVAILABLE", "TypeScript models need the 'typescript' package installed next to shuyu", { cause: err });
  }
  let out: import("typescript").TranspileOutput;
  try {
    out = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, removeComments: false },
      fileName: "model.ts",
      reportDiagnostics: true,
    });
  } catch (err) {
    if (err instanceof RangeError) throw new ShuyuError("invalid", "MODEL_TOO_DEEP", "the TypeScript model is nested too deeply to compile");
    throw err;
  }
  const diag = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (diag) {
    const pos = diag.file && diag.start !== undefined ? diag.file.getLineAndCharacterOfPosition(diag.start) : undefined;
    throw new ShuyuError("invalid", "MODEL_SYNTAX", ts.flattenDiagnosticMessageText(diag.messageText, "\n"), {
      details: pos ? { line: pos.line + 1, column: pos.character + 1 } : {},
    });
  }
  const map = JSON.parse(out.sourceMapText ?? '{"mappings":""}') as { mappings: string };
  const code = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
  return { code, lineMap: decodeLineMap(map.mappings) };
}

/** Rewrites `model.js:L:C` positions in a guest trace to the TypeScript source's `model.ts:L`. */
export function mapTrace(trace: string, lineMap: number[]): string {
  return trace.replace(/model\.js:(\d+)(?::\d+)?/g, (m, line: string) => {
    const original = lineMap[Number(line)];
    return original ? `model.ts:${original}` : m;
  });
}

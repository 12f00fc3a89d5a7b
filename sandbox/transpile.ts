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

/** Transpiles a TypeScript model on the host (types stripped, ES module kept). */
export async function transpileModel(source: string): Promise<Transpiled> {
  let ts: typeof import("typescript");
  try {
    ts = (await import("typescript")).default;
  } catch (err) {
    throw new ShuyuError("internal", "TS_UNAVAILABLE", "TypeScript models need the 'typescript' package installed next to shuyu", { cause: err });
  }
  const out = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, removeComments: false },
    fileName: "model.ts",
    reportDiagnostics: true,
  });
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

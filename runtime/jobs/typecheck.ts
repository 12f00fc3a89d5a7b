/**
 * Dev mode type-checks a TypeScript model against shuyu's model types (`types/model.d.ts`,
 * exported as `shuyu/model`) before it runs, so a developer learns of a wrong field name from a
 * compiler message rather than from `MODEL_THREW … reading 'length'` on the sample.
 * Raw runs only transpile: a type error is the developer's to fix in dev mode, and the
 * owner process should not spend seconds of compiler time per raw job.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ShuyuError } from "../../policies/errors.js";

/** One compiler message, placed in the model file. */
export interface ModelDiagnostic {
  line: number;
  column: number;
  code: number;
  message: string;
}

/** The package root (holding package.json), found from this module whether it runs from dist/ or from source. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "types", "model.d.ts"))) {
    const up = dirname(dir);
    if (up === dir) throw new ShuyuError("internal", "MODEL_TYPES_MISSING", "types/model.d.ts is missing from the shuyu installation");
    dir = up;
  }
  return dir;
}

/** Path of the model type definitions (`shuyu/model`). */
export function modelTypesPath(): string {
  return join(packageRoot(), "types", "model.d.ts");
}

/**
 * Type-checks one model source in the isolate's world: ES2023 library only (no DOM, no Node
 * types), `shuyu/model` resolving to our definitions, strict mode (an unannotated `ctx` is
 * allowed: annotate with `Model` to have it checked), and a check that the
 * default export is a `Model`. Returns the errors, first 20, sorted by place.
 */
export async function typecheckModel(source: string, fileName = "model.ts"): Promise<ModelDiagnostic[]> {
  const ts = (await import("typescript")).default;
  const typesFile = modelTypesPath();
  // The appended line makes a default export of the wrong shape an error at the model's own line.
  const checkName = "__shuyu_check.ts";
  const checkSource = `import type { Model } from "shuyu/model";\nimport m from "./${fileName.replace(/\.m?ts$/, "")}";\nconst _check: Model = m;\nvoid _check;\n`;
  const options: import("typescript").CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2023.d.ts"], types: [], strict: true, noImplicitAny: false, noEmit: true, skipLibCheck: true, allowJs: false,
    paths: { "shuyu/model": [typesFile] }, baseUrl: "/",
  };
  const host = ts.createCompilerHost(options, true);
  const virtual = new Map([[`/model/${fileName}`, source], [`/model/${checkName}`, checkSource]]);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => virtual.get(f) ?? readFile(f);
  host.fileExists = (f) => virtual.has(f) || fileExists(f);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (d) => d === "/model" || (directoryExists?.(d) ?? true);
  host.getSourceFile = (f, lang, onError, create) => {
    const text = virtual.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, lang, true) : getSourceFile(f, lang, onError, create);
  };
  const program = ts.createProgram([`/model/${fileName}`, `/model/${checkName}`], options, host);
  const out: ModelDiagnostic[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    // TypeScript's elaboration chains run ten levels deep; the first three say what is wrong.
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n").slice(0, 3).map((l) => l.trim()).join("\n    ");
    if (d.file?.fileName === `/model/${checkName}`) {
      out.push({ line: 1, column: 1, code: d.code, message: `the default export is not a shuyu Model (async (ctx) => ({ tables?, model?, report?, index? })): ${message}` });
    } else if (d.file && d.start !== undefined) {
      const pos = d.file.getLineAndCharacterOfPosition(d.start);
      out.push({ line: pos.line + 1, column: pos.character + 1, code: d.code, message });
    } else {
      out.push({ line: 0, column: 0, code: d.code, message });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column).slice(0, 20);
}

/** Renders diagnostics as compiler-style lines: `model.ts:12:7 TS2339 Property 'x' does not exist…`. */
export function formatDiagnostics(file: string, diags: readonly ModelDiagnostic[]): string {
  return diags.map((d) => `${file}:${d.line}:${d.column} TS${d.code} ${d.message}`).join("\n");
}

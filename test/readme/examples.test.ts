/** The shipped examples and the model types: what `job dev` type-checks a TypeScript model against. */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDiagnostics, typecheckModel } from "../../runtime/jobs/typecheck.js";

const root = resolve(import.meta.dirname, "../..");
const example = (f: string) => readFileSync(join(root, "examples", f), "utf8");

describe("examples and shuyu/model types", () => {
  it("the TypeScript example type-checks against shuyu/model", async () => {
    expect(await typecheckModel(example("income-by-gender.ts"))).toEqual([]);
  }, 60_000);

  it("each example says what the gate will decide", () => {
    for (const f of ["income-by-gender.js", "income-by-gender.ts", "income-by-gender.sql"]) expect(example(f)).toMatch(/What the gate will say/);
  });

  it("the package exports the types as shuyu/model", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { exports: Record<string, { types?: string }> };
    expect(pkg.exports["./model"].types).toBe("./types/model.d.ts");
  });

  it("places the README's old mistake (treating the query result as the columns) at its line", async () => {
    const src = [
      'import type { Model } from "shuyu/model";',
      "const model: Model = async (ctx) => {",
      '  const r = await ctx.query("SELECT gender FROM people");',
      "  return { tables: { t: { gender: r.gender } } };",
      "};",
      "export default model;",
    ].join("\n");
    const d = await typecheckModel(src);
    expect(d[0]).toMatchObject({ line: 4, code: 2339 });
    expect(formatDiagnostics("m.ts", d)).toMatch(/^m\.ts:4:\d+ TS2339 Property 'gender' does not exist on type 'QueryResult'/);
  }, 60_000);

  it("refuses a default export that is not a model", async () => {
    const d = await typecheckModel("export default async () => 42;\n");
    expect(d).toHaveLength(1);
    expect(d[0].message).toMatch(/the default export is not a shuyu Model/);
  }, 60_000);
});

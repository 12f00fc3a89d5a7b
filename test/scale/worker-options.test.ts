import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startWorkerHost } from "../../runtime/scale/worker-host.js";

const root = mkdtempSync(join(tmpdir(), "shuyu-worker-options-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("shuyu worker refuses bad options before it touches anything", () => {
  it("a concurrency that is not a whole number from 1 to 64 is BAD_CONCURRENCY; no cache folder, no connection", async () => {
    const s3 = { endpoint: "http://127.0.0.1:1", bucket: "b", accessKeyId: "k", secretAccessKey: "s" };
    for (const concurrency of [0, -1, 1.5, 65, Number.NaN]) {
      const cacheDir = join(root, `cache-${String(concurrency)}`);
      // Port 1 on loopback: a connection attempt would fail with another code, not this one.
      await expect(startWorkerHost({ controlUrl: "postgresql://w@127.0.0.1:1/none", cacheDir, s3, concurrency }), String(concurrency)).rejects.toMatchObject({ code: "BAD_CONCURRENCY" });
      expect(existsSync(cacheDir)).toBe(false);
    }
  });
});

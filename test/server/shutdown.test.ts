import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Domain } from "../../runtime/domain/domain.js";
import { all } from "../../runtime/domain/db.js";
import { startServer } from "../../runtime/server/serve.js";
import { api, world } from "./world.js";

describe("graceful shutdown", () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(() => w?.env.cleanup());

  it("finishes a running job's bookkeeping before the domain closes, and refuses new requests meanwhile", async () => {
    const s = await startServer({ dir: w.env.dir, port: 0, logLevel: false });
    const model = "export default async () => { let x = 0; for (let i = 0; i < 3e7; i++) x += i % 7; return { report: 'done ' + (x > 0) }; };";
    const running = api(s.url, "POST", "/api/jobs", w.tokens.dev, { scenario: "hy", modelCode: model, language: "js" });
    await new Promise((r) => setTimeout(r, 400));
    const closed = s.close();
    const job = await running;
    await closed;
    expect(job.status, JSON.stringify(job.json)).toBe(201);
    expect(job.json.state).toBe("succeeded");
    await expect(fetch(s.url + "/api/catalog")).rejects.toThrow();
    const d = await Domain.open(w.env.dir);
    try {
      const rows = await all<{ id: string; state: string }>(d.control, "SELECT id, state FROM jobs");
      expect(rows).toEqual([{ id: job.json.id, state: "succeeded" }]);
    } finally {
      d.close();
    }
  });
});

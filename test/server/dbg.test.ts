import { it } from "vitest";
import { startServer } from "../../runtime/server/serve.js";
import { api, world } from "./world.js";
it("dbg", async () => {
  const w = await world();
  const t0 = performance.now();
  const s = await startServer({ dir: w.env.dir, port: 0, logLevel: "debug" });
  console.log("started", performance.now() - t0);
  const model = "export default async () => { let x = 0; for (let i = 0; i < 3e7; i++) x += i % 7; return { report: 'done ' + (x > 0) }; };";
  const running = api(s.url, "POST", "/api/jobs", w.tokens.dev, { scenario: "hy", modelCode: model, language: "js" });
  await new Promise((r) => setTimeout(r, 300));
  const closing = s.close().then(() => console.log("closed-inner", performance.now() - t0));
  const job = await running;
  await closing;
  console.log("job", performance.now() - t0, JSON.stringify(job.json).slice(0, 300));
  console.log("closed", performance.now() - t0);
  w.env.cleanup();
});

/**
 * `npm run bench [-- --quick] [-- --json] [-- suite ...]`: runs every suite, prints each
 * figure next to its same-run yardstick and the ratio.
 */
import { renderRows } from "./render.js";
import type { BenchRow } from "./types.js";

export { fmt, renderRows } from "./render.js";

const SUITES: Record<string, () => Promise<{ run(opts: { quick: boolean }): Promise<BenchRow[]> }>> = {
  crypto: () => import("./crypto.bench.js"),
  sm2: () => import("./sm2.bench.js"),
  "sm2-timing": () => import("./sm2-timing.bench.js"),
  ingest: () => import("./ingest.bench.js"),
  desensitize: () => import("./desensitize.bench.js"),
  sandbox: () => import("./sandbox.bench.js"),
  egress: () => import("./egress.bench.js"),
  content: () => import("./content.bench.js"),
  ledger: () => import("./ledger.bench.js"),
  server: () => import("./server.load.js"),
  "scale-out": () => import("./scale-out.bench.js"),
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const json = args.includes("--json");
  const chosen = args.filter((a) => !a.startsWith("--"));
  const names = chosen.length ? chosen : Object.keys(SUITES);
  const all: (BenchRow & { suite: string })[] = [];
  for (const name of names) {
    const load = SUITES[name];
    if (!load) throw new Error(`unknown suite ${name}; suites: ${Object.keys(SUITES).join(", ")}`);
    process.stderr.write(`running ${name}${quick ? " (quick)" : ""} …\n`);
    const rows = await (await load()).run({ quick });
    all.push(...rows.map((r) => ({ ...r, suite: name })));
    if (!json) process.stdout.write(`\n## ${name}\n${renderRows(rows)}\n`);
  }
  if (json) process.stdout.write(JSON.stringify(all, null, 2) + "\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}

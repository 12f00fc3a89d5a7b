/**
 * `npm run bench [-- --quick] [-- --json] [-- suite ...]`: runs every suite, prints each
 * figure next to its same-run yardstick and the ratio.
 */
import type { BenchRow } from "./types.js";

const SUITES: Record<string, () => Promise<{ run(opts: { quick: boolean }): Promise<BenchRow[]> }>> = {
  crypto: () => import("./crypto.bench.js"),
  sm2: () => import("./sm2.bench.js"),
  ingest: () => import("./ingest.bench.js"),
  sandbox: () => import("./sandbox.bench.js"),
  egress: () => import("./egress.bench.js"),
  server: () => import("./server.load.js"),
};

/** Formats a number for the table (3 significant figures, thousands kept whole). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString("en-US");
  return n.toPrecision(3);
}

/** Renders rows as the benchmark table. */
export function renderRows(rows: BenchRow[]): string {
  const head = ["figure", "value", "unit", "yardstick (same run)", "yardstick value", "ratio"];
  const body = rows.map((r) => [r.name, fmt(r.value), r.unit, r.yardstick, fmt(r.yardstickValue), `${r.ratio.toFixed(2)}×`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 4 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

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

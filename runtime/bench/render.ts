import { renderRows } from "../../benches/run.js";
import type { BenchReport } from "./run-bench.js";

/** The operator's table: machine facts, every figure with its yardstick and ratio, then the scaling curve. */
export function renderBench(r: BenchReport): string {
  const m = r.machine;
  const lines = [
    `shuyu bench${r.quick ? " --quick" : ""} — ${r.startedAt}, ${r.seconds} s`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB (${m.freeMemoryGiB} free), load ${m.loadAverage1m}; ${m.os}`,
    `software: Node ${m.node}, DuckDB ${m.duckdb}, OpenSSL ${m.opensslNode} (Node) / ${m.opensslCli} (CLI), isolated-vm ${m.isolatedVm}`,
    "ratio: shuyu relative to its yardstick, higher is better (1.00× = as fast as the yardstick)",
    "",
  ];
  for (const suite of [...new Set(r.figures.map((f) => f.suite))]) {
    lines.push(`## ${suite}`, renderRows(r.figures.filter((f) => f.suite === suite)), "");
  }
  lines.push(`## scaling (${r.scalingNote})`);
  const keys = [...new Set(r.scaling.flatMap((s) => s.figures.filter((f) => !f.key.includes("sample_generation") && !f.key.includes("package_sealing")).map((f) => f.key)))];
  const head = ["measurement", ...r.scaling.map((s) => `${s.rows.toLocaleString("en-US")} rows`)];
  const body = keys.map((k) => {
    const first = r.scaling.flatMap((s) => s.figures).find((f) => f.key === k)!;
    return [`${first.name.replace(/ \d+(\.\d+)? [kM] rows| \(at [^)]*\)/g, "")} (${first.unit})`, ...r.scaling.map((s) => {
      const f = s.figures.find((x) => x.key === k);
      return f ? `${fmt(f.value)} (${f.ratio.toFixed(2)}×)` : "";
    })];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  lines.push(row(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(row));
  return lines.join("\n") + "\n";
}

function fmt(n: number): string {
  return Math.abs(n) >= 1000 ? Math.round(n).toLocaleString("en-US") : n.toPrecision(3);
}

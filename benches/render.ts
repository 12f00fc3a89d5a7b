// Kept apart from run.ts: suites import the renderer, and importing run.ts (whose top level
// awaits the suites) from a suite would deadlock the module graph.
import type { BenchRow } from "./types.js";

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


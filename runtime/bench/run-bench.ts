/**
 * `shuyu bench`: capacity figures for operators (R9). Domain-level measurements run on a
 * scratch domain at each step of a scaling curve (100 k and 1 M rows with --quick; 1 M,
 * 10 M and 100 M without); the sandbox, SM2 and SM3/SM4 suites of benches/ are reused as
 * they are. Every figure stands next to a yardstick measured in the same run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchRow } from "../../benches/types.js";
import { closeScratch, measureStep, openScratch } from "./domain-bench.js";
import { flatFigures, keyOf, normalise, type Figure } from "./figures.js";
import { machineFacts, type MachineFacts } from "./machine.js";

/** The whole result, as `--json` prints it. */
export interface BenchReport {
  quick: boolean;
  startedAt: string;
  seconds: number;
  machine: MachineFacts;
  /** Row counts of the scaling curve (and a note when --quick shortened it). */
  scalingSteps: number[];
  scalingNote: string;
  figures: Figure[];
  /** The same figures keyed for machines: `*_per_s`, `*_mb_s`, `*_ms`, `*_ratio`. */
  flat: Record<string, number>;
  scaling: { rows: number; figures: Figure[] }[];
}

/** A suite from benches/ (each exports `run({quick})`). */
type Suite = { name: string; load: () => Promise<{ run(o: { quick: boolean }): Promise<BenchRow[]> }> };

const SUITES: Suite[] = [
  { name: "sandbox", load: () => import("../../benches/sandbox.bench.js") },
  { name: "sm2", load: () => import("../../benches/sm2.bench.js") },
  { name: "crypto", load: () => import("../../benches/crypto.bench.js") },
];

/** Rows of the unreported warm-up step. */
const WARM_UP_ROWS = 1000;

/** The scaling curve's steps. */
export function scalingSteps(quick: boolean): number[] {
  return quick ? [100_000, 1_000_000] : [1_000_000, 10_000_000, 100_000_000];
}

/** Runs every measurement; `onProgress(done, total, label)` drives the progress bar. */
export async function runBench(opts: { quick: boolean; steps?: number[]; suites?: string[]; onProgress?: (done: number, total: number, label: string) => void }): Promise<BenchReport> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const steps = opts.steps ?? scalingSteps(opts.quick);
  const suites = SUITES.filter((s) => !opts.suites || opts.suites.includes(s.name));
  const headlineAt = steps.includes(1_000_000) ? 1_000_000 : steps[steps.length - 1];
  const total = steps.reduce((n, s) => n + (s === headlineAt ? 5 : 4), 0) + suites.length + 1;
  let done = 0;
  const tick = (label: string) => opts.onProgress?.(++done, total, label);
  opts.onProgress?.(0, total, "machine");

  const machine = await machineFacts();
  tick("machine");
  const figures: Figure[] = [];
  const scaling: BenchReport["scaling"] = [];
  const dir = mkdtempSync(join(tmpdir(), "shuyu-bench-"));
  const scratch = await openScratch(dir);
  try {
    // First use of the ingest, detection and library code paths costs seconds that no later
    // dataset pays again; a small unreported step keeps that out of the curve's first point.
    if (!steps.includes(WARM_UP_ROWS)) await measureStep(scratch, WARM_UP_ROWS, { headline: false });
    for (const n of steps) {
      const rows = await measureStep(scratch, n, { headline: n === headlineAt, step: () => tick(`domain ${n.toLocaleString("en-US")} rows`) });
      const figs = rows.map((r) => toFigure("domain", r));
      scaling.push({ rows: n, figures: figs });
      if (n === headlineAt) figures.push(...figs);
    }
  } finally {
    closeScratch(scratch);
    rmSync(dir, { recursive: true, force: true });
  }
  for (const s of suites) {
    const rows = await (await s.load()).run({ quick: opts.quick });
    figures.push(...rows.map((r) => toFigure(s.name, r)));
    tick(s.name);
  }
  return {
    quick: opts.quick, startedAt, seconds: +((performance.now() - t0) / 1000).toFixed(1), machine, scalingSteps: steps,
    scalingNote: opts.quick ? "--quick: the scaling curve uses 100 k and 1 M rows instead of 1 M, 10 M and 100 M" : "1 M, 10 M and 100 M rows",
    figures, flat: flatFigures(figures), scaling,
  };
}

function toFigure(suite: string, r: BenchRow & { key?: string }): Figure {
  const { key, ...row } = r;
  return { ...normalise(row), suite, key: keyOf(`${suite} ${key ?? row.name}`) };
}

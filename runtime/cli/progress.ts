import cliProgress from "cli-progress";

/** A progress bar on stderr when it is a terminal; a no-op otherwise (pipes, CI, --json). */
export function progressBar(label: string, enabled = process.stderr.isTTY === true, unit: "bytes" | "rows" = "bytes"): { update(done: number, total: number): void; stop(): void } {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const show = (n: number) => (unit === "bytes" ? `${(n / 1048576).toFixed(1)} MiB` : n.toLocaleString("en-US"));
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`,
      formatValue: (v, _o, type) => (type === "value" || type === "total" ? show(v) : String(v)),
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** What a phased task reports: its phase and how far it is in that phase's unit. */
export interface PhaseReport {
  phase: string;
  done: number;
  total: number;
  unit: "bytes" | "rows" | "columns" | "steps";
}

/**
 * Progress of a task in named phases (ingest: structure check → load → PII discovery → catalog),
 * one cli-progress bar per phase on stderr when it is a terminal. A finished phase stays on
 * screen as a line, so the person sees what was done and with what counts.
 */
export function phaseProgress(label: string, phases: Record<string, string>, enabled = process.stderr.isTTY === true): { report(p: PhaseReport): void; stop(): void } {
  if (!enabled) return { report: () => undefined, stop: () => undefined };
  const names = Object.keys(phases);
  const show = (n: number, unit: PhaseReport["unit"]) => (unit === "bytes" ? `${(n / 1048576).toFixed(1)} MiB` : unit === "steps" ? "…" : `${n.toLocaleString("en-US")} ${unit}`);
  let bar: cliProgress.SingleBar | undefined;
  let current = "";
  const start = (p: PhaseReport) => {
    bar?.stop();
    current = p.phase;
    bar = new cliProgress.SingleBar(
      {
        format: `${label} ${names.indexOf(p.phase) + 1}/${names.length} ${phases[p.phase] ?? p.phase} [{bar}] {count}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(p.total, p.done, { count: show(p.done, p.unit) });
  };
  return {
    report(p) {
      if (p.phase !== current) start(p);
      bar!.setTotal(p.total);
      bar!.update(p.done, { count: p.unit === "bytes" ? `${show(p.done, p.unit)} / ${show(p.total, p.unit)}` : p.unit === "steps" && p.done >= p.total ? "done" : show(p.done, p.unit) });
    },
    stop() {
      bar?.stop();
    },
  };
}

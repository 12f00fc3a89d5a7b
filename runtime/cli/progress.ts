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

import type { BenchRow } from "../../benches/types.js";

/** A benchmark figure with a stable key for JSON (`<key>_per_s`, `_mb_s`, `_ms`, `_ratio`). */
export interface Figure extends BenchRow {
  suite: string;
  key: string;
}

/** The JSON suffix of a unit: rates per second, MB/s or milliseconds (seconds are converted). */
export function unitSuffix(unit: string): "per_s" | "mb_s" | "ms" {
  if (unit === "MB/s") return "mb_s";
  if (unit === "ms" || unit === "s") return "ms";
  return "per_s";
}

/** Lower-case snake key of a figure's name: "SM3 16KiB (shuyu)" → "sm3_16kib_shuyu". */
export function keyOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "").slice(0, 80);
}

/** Seconds become milliseconds so that every time in the JSON ends in `_ms`. */
export function normalise(row: BenchRow): BenchRow {
  if (row.unit !== "s") return row;
  return { ...row, value: row.value * 1000, yardstickValue: row.yardstickValue * 1000, unit: "ms" };
}

/** Flattens figures into `{key}_{suffix}`, `{key}_yardstick_{suffix}` and `{key}_ratio` fields. */
export function flatFigures(figs: Figure[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of figs) {
    const sfx = unitSuffix(f.unit);
    out[`${f.key}_${sfx}`] = round(f.value);
    out[`${f.key}_yardstick_${sfx}`] = round(f.yardstickValue);
    out[`${f.key}_ratio`] = round(f.ratio, 4);
  }
  return out;
}

/** Rounds to `digits` significant decimals without losing large values. */
export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  return Math.abs(x) >= 1000 ? Math.round(x) : Number(x.toPrecision(digits + 1));
}

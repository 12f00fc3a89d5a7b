import { describe, expect, it } from "vitest";
import { flatFigures, renderBench, runBench, unitSuffix } from "../../runtime/bench/index.js";

describe("R9 capacity benchmark", () => {
  it("R9 measures every domain figure on a scratch domain next to a same-run yardstick, with machine facts and a scaling curve", async () => {
    const seen: number[] = [];
    const r = await runBench({ quick: true, steps: [3000, 6000], suites: [], onProgress: (d) => seen.push(d) });
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.duckdb).toMatch(/^v\d/);
    expect(r.machine.node).toBe(process.version);
    expect(r.scaling.map((s) => s.rows)).toEqual([3000, 6000]);
    const keys = r.figures.map((f) => f.key);
    for (const k of ["ingest_csv_rows", "ingest_csv_bytes", "ingest_parquet_rows", "library_materialisation", "desensitization", "egress_checks_per_million_rows", "sample_generation_100_rows", "package_sealing"]) {
      expect(keys).toContain(`domain_${k}`);
    }
    for (const f of r.figures) {
      expect(f.value).toBeGreaterThan(0);
      expect(f.yardstickValue).toBeGreaterThan(0);
      expect(f.yardstick.length).toBeGreaterThan(5);
      // Oriented so that higher is better: rates divide ours by theirs, times theirs by ours.
      const expected = f.unit === "ms" ? f.yardstickValue / f.value : f.value / f.yardstickValue;
      expect(f.ratio).toBeCloseTo(expected, 2);
    }
    // Both steps measured the same things; only the larger one carries the fixed-size figures.
    expect(r.scaling[0].figures.map((f) => f.key)).toEqual(r.scaling[1].figures.map((f) => f.key).filter((k) => !/sample_generation|package_sealing/.test(k)));
    expect(seen[seen.length - 1]).toBe(Math.max(...seen));
    for (const k of Object.keys(r.flat)) expect(k).toMatch(/_(per_s|mb_s|ms|ratio)$/);
    const table = renderBench(r);
    for (const f of r.figures) expect(table).toContain(f.yardstick);
    expect(table).toContain("scaling");
  }, 240_000);

  it("JSON keys carry their unit: seconds become milliseconds, rates end in _per_s, MB/s in _mb_s", () => {
    expect(unitSuffix("rows/s")).toBe("per_s");
    expect(unitSuffix("ops/s")).toBe("per_s");
    expect(unitSuffix("MB/s")).toBe("mb_s");
    expect(unitSuffix("s")).toBe("ms");
    const flat = flatFigures([{ suite: "x", key: "x_sm3", name: "SM3", value: 500, unit: "MB/s", yardstick: "openssl speed", yardstickValue: 1000, ratio: 0.5 }]);
    expect(flat).toEqual({ x_sm3_mb_s: 500, x_sm3_yardstick_mb_s: 1000, x_sm3_ratio: 0.5 });
  });
});

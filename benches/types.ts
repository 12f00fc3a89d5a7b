/** One benchmark figure printed next to a yardstick measured in the same run. */
export type BenchRow = { name: string; value: number; unit: string; yardstick: string; yardstickValue: number; ratio: number };

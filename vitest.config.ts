import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two cores: more parallel files only fight over CPU and DuckDB threads.
    maxWorkers: 2,
    // The JSON results are the compliance report's record of which tests ran and passed (runtime/reports/test-index.ts).
    // The summary stays last: CI reads the closing line.
    reporters: ["default", "./test/results-reporter.ts", "./test/summary-reporter.ts"],
  },
});

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Reporter, TestCase, TestModule } from "vitest/node";

/**
 * Writes the run's results in the JSON reporter's (Jest-compatible) shape to
 * test-results/vitest.json, quietly and synchronously, so the summary line stays the
 * run's last line. The compliance report reads this file (runtime/reports/test-index.ts).
 */
export default class ResultsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const ancestors = (t: TestCase): string[] => {
      const out: string[] = [];
      for (let p = t.parent; p.type === "suite"; p = p.parent) out.unshift(p.name);
      return out;
    };
    const testResults = testModules.map((m) => ({
      name: m.moduleId,
      assertionResults: [...m.children.allTests()].map((t) => {
        const state = t.result().state;
        return { ancestorTitles: ancestors(t), title: t.name, fullName: t.fullName, status: state === "passed" ? "passed" : state === "failed" ? "failed" : "skipped" };
      }),
    }));
    const file = join(process.cwd(), "test-results", "vitest.json");
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ testResults }, null, 1));
  }
}

/**
 * `shuyu report compliance`: every requirement, article by article, with the mechanism
 * that carries it out and the tests (found by the R id in their titles) that prove it.
 */
import { REQUIREMENTS, type Article } from "./requirements.js";
import { findRepoRoot, indexTests, type TestTitle } from "./test-index.js";

/** The report as data (printed as JSON with --json). */
export interface ComplianceReport {
  generatedFrom: string;
  summary: { requirements: number; articles: number; met: number; partial: number; notYet: number; tests: number };
  requirements: {
    id: string;
    title: string;
    tests: TestTitle[];
    articles: (Omit<Article, "proof"> & { tests: TestTitle[] })[];
  }[];
}

/** Builds the compliance report from the requirement table and the test titles under `root`. */
export function complianceReport(root = findRepoRoot()): ComplianceReport {
  const tests = root ? indexTests(root) : [];
  const requirements = REQUIREMENTS.map((r) => {
    const mine = tests.filter((t) => t.ids.includes(r.id));
    return {
      id: r.id,
      title: r.title,
      tests: mine,
      articles: r.articles.map(({ proof, ...a }) => ({ ...a, tests: proof ? mine.filter((t) => proof.test(t.title)) : [] })),
    };
  });
  const articles = requirements.flatMap((r) => r.articles);
  return {
    generatedFrom: root ? `${root}/test/**/*.test.ts` : "(test sources not found: only mechanisms shown)",
    summary: {
      requirements: requirements.length,
      articles: articles.length,
      met: articles.filter((a) => a.status === "met").length,
      partial: articles.filter((a) => a.status === "partial").length,
      notYet: articles.filter((a) => a.status === "not-yet").length,
      tests: new Set(requirements.flatMap((r) => r.tests.map((t) => `${t.file}\0${t.title}`))).size,
    },
    requirements,
  };
}

const md = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** Renders the compliance report as Markdown. */
export function complianceMarkdown(r: ComplianceReport): string {
  const lines = [
    "# shuyu compliance report",
    "",
    `${r.summary.requirements} requirements, ${r.summary.articles} article groups: ${r.summary.met} met, ${r.summary.partial} partial, ${r.summary.notYet} not yet; ${r.summary.tests} tests name a requirement (${r.generatedFrom}).`,
  ];
  for (const req of r.requirements) {
    lines.push("", `## ${req.id} ${req.title}`, "", "| articles | requirement | status | mechanism | proving tests |", "|---|---|---|---|---|");
    for (const a of req.articles) {
      const proof = a.tests.length ? a.tests.slice(0, 3).map((t) => `${t.file}: “${t.title}”`).join("<br>") + (a.tests.length > 3 ? `<br>(+${a.tests.length - 3} more)` : "") : "—";
      lines.push(`| ${md(a.cite)} | ${md(a.text)} | ${a.status} | ${md(a.mechanism)} | ${md(proof)} |`);
    }
    lines.push("", `Tests naming ${req.id}: ${req.tests.length}${req.tests.length ? "" : " — none yet"}`);
    for (const t of req.tests) lines.push(`- ${t.file}: ${t.title}`);
  }
  return lines.join("\n") + "\n";
}

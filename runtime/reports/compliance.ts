/**
 * `shuyu report compliance`: every requirement, article by article, with the mechanism
 * that carries it out and the tests that prove it. An article counts as met only when a
 * test that names its requirement and matches its proof passed in the last recorded run
 * (test-index.ts); a claim without such a test is reported as unproven.
 */
import { REQUIREMENTS, type Article } from "./requirements.js";
import { findRepoRoot, indexTests, type TestIndex, type TestTitle } from "./test-index.js";

/** What the report concludes for one article. */
export type Verdict = "met" | "unproven" | "partial" | "not-yet";

/** The report as data (printed as JSON with --json). */
export interface ComplianceReport {
  generatedFrom: string;
  source: TestIndex["source"];
  summary: { requirements: number; articles: number; met: number; unproven: number; partial: number; notYet: number; tests: number; passed: number };
  requirements: {
    id: string;
    title: string;
    tests: TestTitle[];
    articles: (Omit<Article, "proof"> & { verdict: Verdict; tests: TestTitle[] })[];
  }[];
}

/** Builds the compliance report from the requirement table and the runner's record of the tests under `root`. */
export function complianceReport(root = findRepoRoot(), index?: TestIndex): ComplianceReport {
  const idx = index ?? (root ? indexTests(root) : { source: "none" as const, detail: "(test sources not found: only mechanisms shown)", tests: [] });
  const requirements = REQUIREMENTS.map((r) => {
    const mine = idx.tests.filter((t) => t.ids.includes(r.id));
    return {
      id: r.id,
      title: r.title,
      tests: mine,
      articles: r.articles.map(({ proof, ...a }) => {
        const tests = proof ? mine.filter((t) => proof.test(t.title)) : [];
        const proven = tests.some((t) => t.status === "passed");
        const verdict: Verdict = a.status === "met" ? (proven ? "met" : "unproven") : a.status;
        return { ...a, verdict, tests };
      }),
    };
  });
  const articles = requirements.flatMap((r) => r.articles);
  const all = new Map(requirements.flatMap((r) => r.tests).map((t) => [`${t.file}\0${t.fullName}`, t]));
  return {
    generatedFrom: idx.detail,
    source: idx.source,
    summary: {
      requirements: requirements.length,
      articles: articles.length,
      met: articles.filter((a) => a.verdict === "met").length,
      unproven: articles.filter((a) => a.verdict === "unproven").length,
      partial: articles.filter((a) => a.verdict === "partial").length,
      notYet: articles.filter((a) => a.verdict === "not-yet").length,
      tests: all.size,
      passed: [...all.values()].filter((t) => t.status === "passed").length,
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
    `${r.summary.requirements} requirements, ${r.summary.articles} article groups: ${r.summary.met} met, ${r.summary.unproven} claimed but unproven, ${r.summary.partial} partial, ${r.summary.notYet} not yet; ${r.summary.tests} tests name a requirement, ${r.summary.passed} of them passed (${r.generatedFrom}).`,
    "",
    "An article is met only when a test that names its requirement and exercises it passed in the recorded run.",
  ];
  for (const req of r.requirements) {
    lines.push("", `## ${req.id} ${req.title}`, "", "| articles | requirement | status | mechanism | proving tests |", "|---|---|---|---|---|");
    for (const a of req.articles) {
      const proof = a.tests.length ? a.tests.slice(0, 3).map((t) => `${t.file}: “${t.title}” (${t.status})`).join("<br>") + (a.tests.length > 3 ? `<br>(+${a.tests.length - 3} more)` : "") : "—";
      lines.push(`| ${md(a.cite)} | ${md(a.text)} | ${a.verdict} | ${md(a.mechanism)} | ${md(proof)} |`);
    }
    lines.push("", `Tests naming ${req.id}: ${req.tests.length}${req.tests.length ? "" : " — none yet"}`);
    for (const t of req.tests) lines.push(`- ${t.file}: ${t.fullName} (${t.status})`);
  }
  return lines.join("\n") + "\n";
}

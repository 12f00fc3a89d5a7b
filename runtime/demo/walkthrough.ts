/**
 * The main job, start to finish, in one process: a fresh domain, a million generated
 * people, the catalog and its sample, the three parties, one scenario, a dev run and a raw
 * run, two egress requests (an aggregate that passes, a record-level extract that is
 * blocked), another organisation's review, an outsider's package verification and the
 * audit chain's verification. Each step prints one line with its time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShuyuError } from "../../policies/errors.js";
import { authenticate } from "../auth/authenticate.js";
import { addAccount } from "../services/accounts.js";
import { addAgreement, addYears } from "../services/agreements.js";
import { verifyAudit } from "../services/audit.js";
import { listCatalog, showCatalog } from "../services/catalog.js";
import { ingestDataset } from "../services/datasets.js";
import { requestEgress, reviewEgress } from "../services/egress.js";
import { devJob, submitJob } from "../services/jobs.js";
import { addOrg } from "../services/orgs.js";
import { approveScenario, submitScenario } from "../services/scenarios.js";
import type { Session } from "../services/session.js";
import { Domain } from "../domain/domain.js";
import { initDomain } from "../domain/init.js";
import { verifyPackage } from "../egress/verify.js";
import { today } from "../clock.js";
import { generateDemoData } from "./generate.js";

/** Options of one demo run. */
export interface DemoOptions {
  rows: number;
  /** Work directory (default: a new temporary directory, removed at the end unless `keep`). */
  dir?: string;
  keep?: boolean;
  seed?: number;
  /** Where step lines go (default stdout). */
  print?: (line: string) => void;
  /** Progress of data generation (the CLI draws a bar on a TTY). */
  onProgress?: (done: number, total: number) => void;
  /** A PostgreSQL control database (scale-out: `--scale-out` starts one with its worker hosts). */
  control?: string;
}

/** One finished step. */
export interface DemoStep {
  step: string;
  ms: number;
  result: string;
}

/** What a demo run established, for tests and --json. */
export interface DemoResult {
  dir: string;
  steps: DemoStep[];
  totalMs: number;
  aggregate: { job: string; egress: string; state: string; product: string; package: string };
  extract: { egress: string; state: string; blockedBy: string[]; reason: string };
  packageVerified: { ok: boolean; product: string; signer: string };
  audit: { ok: boolean; entries: number };
  /** Tokens of the accounts the demo created (admin, provider, developer, reviewer, auditor). */
  tokens: Record<"admin" | "provider" | "developer" | "reviewer" | "auditor", string>;
}

const AGG_MODEL = `// Mean monthly income by gender and ten-year birth cohort: an aggregate, cells in the thousands.
// The cohort is read from the text of birth_date: the sample generalizes dates to years.
export default async (ctx) => {
  const r = await ctx.query(\`SELECT gender, left(CAST(birth_date AS VARCHAR), 3) || '0s' AS cohort, count(*)::INTEGER AS n,
      round(avg(income), -1) AS mean_income FROM people GROUP BY ALL HAVING count(*) >= 20 ORDER BY gender, cohort\`);
  ctx.log("cells: " + r.rowCount);
  return { tables: { income_by_cohort: r.columns } };
};
`;

const LEAK_MODEL = `// A record-level extract. Reading id_number itself is refused before the query runs
// (SQL_DENIED: an identifier), so it takes birth date, gender and income instead: together
// they single most people out, and the ledger counts the people behind each combination.
export default async (ctx) => {
  const r = await ctx.query("SELECT gender, birth_date, income FROM people LIMIT 100000");
  return { tables: { extract: r.columns } };
};
`;

const n = (x: number) => x.toLocaleString("en-US");

/** Runs the whole walkthrough; throws (after cleaning up) if any step does not behave. */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const print = opts.print ?? ((l: string) => process.stdout.write(l + "\n"));
  const work = opts.dir ?? mkdtempSync(join(tmpdir(), "shuyu-demo-"));
  const t0 = performance.now();
  const steps: DemoStep[] = [];
  const step = async <T>(name: string, fn: () => Promise<T>, describe: (r: T) => string): Promise<T> => {
    const t = performance.now();
    const r = await fn();
    const ms = performance.now() - t;
    const result = describe(r);
    steps.push({ step: name, ms, result });
    print(`${(ms / 1000).toFixed(2).padStart(7)} s  ${name.padEnd(18)} ${result}`);
    return r;
  };
  let domain: Domain | undefined;
  let tokens: DemoResult["tokens"] | undefined;
  try {
    const dir = join(work, "domain");
    const init = await step("init", () => initDomain({ dir, operator: "贵州省数据运营有限公司", ...(opts.control ? { control: opts.control } : {}) }), (r) => `domain ${r.domain.id} in ${dir}${opts.control ? " (control store and audit on PostgreSQL)" : ""}`);
    domain = await Domain.open(dir);
    const d = domain;
    const as = async (token: string): Promise<Session> => ({ domain: d, principal: await authenticate(d, token) });
    const admin = await as(init.token);

    const parties = await step("register parties", async () => {
      await addOrg(admin, { id: "gzrs", name: "贵州省人力资源和社会保障厅", kind: "provider" });
      await addOrg(admin, { id: "shuzhi", name: "数智科技有限公司", kind: "developer" });
      const provider = await addAccount(admin, { id: "wang", name: "王芳", org: "gzrs", roles: ["provider"] });
      const developer = await addAccount(admin, { id: "li", name: "李强", org: "shuzhi", roles: ["developer"] });
      const reviewer = await addAccount(admin, { id: "zhao", name: "赵敏", org: "operator", roles: ["reviewer"] });
      const auditor = await addAccount(admin, { id: "qian", name: "钱伟", org: "operator", roles: ["auditor"] });
      tokens = { admin: init.token, provider: provider.token, developer: developer.token, reviewer: reviewer.token, auditor: auditor.token };
      return { provider: await as(provider.token), developer: await as(developer.token), reviewer: await as(reviewer.token), auditor: await as(auditor.token) };
    }, () => "provider gzrs (王芳), developer shuzhi (李强), reviewer 赵敏 and auditor 钱伟 of the operator");

    const files = await step("generate", () => generateDemoData({ rows: opts.rows, out: join(work, "data"), seed: opts.seed ?? 20260101, events: false }, opts.onProgress),
      (fs) => fs.map((f) => `${f.table} ${n(f.rows)} rows (${(f.bytes / 1e6).toFixed(1)} MB)`).join(", "));
    const people = files.find((f) => f.table === "people")!;

    await step("ingest", () => ingestDataset(admin, { id: "people", file: people.path, provider: "gzrs", grade: 3, name: "参保人员基本信息", category: "社会保障", updateCycle: "monthly", subject: ["id_number"] }),
      (r) => `people v${r.version}: ${n(r.rowCount)} rows, SM3 ${r.sourceSm3.slice(0, 16)}…; PII found in ${r.proposals.filter((p) => p.tags.some((t) => t.startsWith("pii:"))).map((p) => p.column).join(", ")}; subject key ${r.subject?.kind} (${r.subject?.columns.join(",")}), confirmed`);

    await step("catalog", () => listCatalog(parties.developer), (es) => es.map((e) => `${e.id} "${e.name}" grade ${e.grade}, ${n(e.rowCount)} rows, ${e.authorization.status}`).join("; "));
    await step("sample", () => showCatalog(parties.developer, "people", { sample: true, rows: 3 }), (r) => {
      const cols = r.sample!.columns.map((c) => c.name);
      const first = r.sample!.rows[0];
      return `desensitized row: ${["name", "id_number", "mobile", "income"].map((c) => `${c}=${String(first[cols.indexOf(c)])}`).join(" ")}`;
    });

    const start = today();
    await step("agreement", () => addAgreement(admin, { id: "agr-shuzhi", org: "shuzhi", datasets: ["people"], start, end: addYears(start, 3) }),
      (a) => `${a.id}: shuzhi may use people from ${a.start} to ${a.end} (3-year ceiling)`);
    await step("scenario submit", () => submitScenario(parties.developer, {
      id: "income-cohort", purpose: "按性别和出生年代统计参保人员月收入,支持社保缴费基数政策评估",
      grants: ["people:gender,birth_date,income,id_number"],
    }), (sc) => `${sc.id}: grants people(${sc.grants[0].columns.join(",")}), awaiting ${sc.approvals.required.join(" + ")}`);
    await step("scenario approve", async () => {
      await approveScenario(admin, "income-cohort", "用途明确,字段最小必要");
      return approveScenario(parties.provider, "income-cohort", "同意");
    }, (sc) => `${sc.state} by operator and gzrs; library ${sc.library!.datasets.map((x) => `${x.dataset} ${n(x.rows)} rows SM3 ${x.sm3.slice(0, 12)}…`).join(", ")}`);

    writeFileSync(join(work, "agg.js"), AGG_MODEL);
    writeFileSync(join(work, "leak.js"), LEAK_MODEL);
    await step("dev run (sample)", () => devJob(parties.developer, { scenario: "income-cohort", model: join(work, "agg.js") }), (r) => {
      const t = r.outcome.outputs.tables.income_by_cohort;
      return `${r.outcome.state} on the desensitized sample: ${t ? t.rowCount : 0} cells shown to the developer${r.outcome.error ? ` (${r.outcome.error.type} ${r.outcome.error.code}: ${r.outcome.error.message})` : ""}`;
    });
    const aggJob = await step("raw run", () => submitJob(parties.developer, { scenario: "income-cohort", model: join(work, "agg.js") }),
      (j) => `${j.id} ${j.state} on the raw library; the developer sees only the outcome and a time bucket (≤ ${j.seconds} s); outputs staged`);
    if (aggJob.state !== "succeeded") throw new ShuyuError("internal", "DEMO_FAILED", `raw run ${aggJob.state}: ${aggJob.reason ?? ""}`);
    if (opts.control) {
      // Scale-out: the run went through the queue; the job's audit entry names the host that ran it.
      const worker = await step("worker host", async () => (await d.auditEntries()).find((e) => e.object === `job:${aggJob.id}` && typeof e.details.worker === "string")?.details.worker as string | undefined,
        (w) => (w ? `${aggJob.id} ran on worker host ${w}: claimed from the graphile-worker queue, library fetched from S3 by SM3 and verified` : "the raw run did not go through a worker host"));
      if (!worker) throw new ShuyuError("internal", "DEMO_FAILED", "scale-out: the raw run did not run on a worker host");
    }

    const agg = await step("egress aggregate", () => requestEgress(parties.developer, { job: aggJob.id, form: "dataset" }),
      (e) => `${e.id} ${e.state}: ${e.findings.filter((f) => f.severity === "block").length} block, ${e.findings.filter((f) => f.severity === "review").length} review, ${e.findings.filter((f) => f.severity === "pass").length} pass findings`);
    if (agg.state !== "checked") throw new ShuyuError("internal", "DEMO_FAILED", `the aggregate was ${agg.state}: ${agg.findings.filter((f) => f.severity === "block").map((f) => f.detail).join("; ")}`);

    const leakJob = await submitJob(parties.developer, { scenario: "income-cohort", model: join(work, "leak.js") });
    if (leakJob.state !== "succeeded") throw new ShuyuError("internal", "DEMO_FAILED", `extract run ${leakJob.state}: ${leakJob.reason ?? ""}`);
    const leak = await step("egress extract", () => requestEgress(parties.developer, { job: leakJob.id, form: "dataset" }), (e) => {
      const b = e.findings.filter((f) => f.severity === "block");
      return `${e.id} ${e.state.toUpperCase()} by ${b.map((f) => f.rule).join(", ")}: ${b[0]?.detail ?? "(no block finding)"}`;
    });
    if (leak.state !== "blocked") throw new ShuyuError("internal", "DEMO_FAILED", `the record-level extract was ${leak.state}, not blocked`);
    const leakBlocks = leak.findings.filter((f) => f.severity === "block");

    const reviewed = await step("review", () => reviewEgress(parties.reviewer, agg.id, "approve", "聚合统计,单元格均不少于20人,符合审定用途"),
      (r) => `${r.state} by 赵敏 (operator, not the developer's organisation); product ${r.product?.id} sealed to ${r.product?.package}`);
    if (!reviewed.product) throw new ShuyuError("internal", "DEMO_FAILED", `the aggregate ended ${reviewed.state}, not released`);

    const verified = await step("outsider verify", async () => verifyPackage(readFileSync(reviewed.product!.package)),
      (v) => `package ok: ${v.form} ${v.product}, sealed by "${v.signer.subject}" at ${v.signingTime}, every file's SM3 matches`);
    const audit = await step("audit verify", () => verifyAudit(parties.auditor), (r) => (r.ok ? `chain ok: ${n(r.entries)} entries, SM3-linked from genesis to the recorded head` : `BROKEN at ${r.firstBadSeq}`));
    if (!audit.ok) throw new ShuyuError("internal", "DEMO_FAILED", "the audit chain did not verify");

    const totalMs = performance.now() - t0;
    print(`${(totalMs / 1000).toFixed(2).padStart(7)} s  total`);
    return {
      dir: work, steps, totalMs,
      aggregate: { job: aggJob.id, egress: agg.id, state: reviewed.state, product: reviewed.product.id, package: reviewed.product.package },
      extract: { egress: leak.id, state: leak.state, blockedBy: leakBlocks.map((f) => f.rule), reason: leakBlocks[0]?.detail ?? "" },
      packageVerified: { ok: verified.ok, product: verified.product, signer: verified.signer.subject },
      audit: { ok: audit.ok, entries: audit.entries },
      tokens: tokens!,
    };
  } finally {
    domain?.close();
    if (!opts.keep && !opts.dir) rmSync(work, { recursive: true, force: true });
  }
}

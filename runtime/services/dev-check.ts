/**
 * The gate's dry run for a developer (issue 11): a dev job's outputs go through the same
 * marks and the same disclosure rules as a raw run's egress request, but over the sample
 * twin — its ledger is the dev job's own (accounted on the sample), and the "raw" values the
 * content rules match against are the sample's files. Nothing about raw data is read: earlier
 * releases (raw subject sets) are not consulted, so differencing across releases is left to
 * the real request. Desensitization is not applied either (identifiers never reach a job).
 * Everything the dry run creates in the vault is dropped before it returns.
 */
import { join } from "node:path";
import { authorize } from "../../policies/authz/engine.js";
import { runChecks, type Finding, type OutputTable, type RawColumnRef } from "../../policies/disclosure/index.js";
import { readJobCode } from "../../policies/disclosure/content/index.js";
import { RAW_FACTS_TABLE } from "../../policies/disclosure/raw-facts.js";
import { ShuyuError } from "../../policies/errors.js";
import type { JobOutputs } from "../../sandbox/index.js";
import { all, ident, literal, one } from "../domain/db.js";
import { discardStaged, stageOutputs } from "../jobs/staging.js";
import { readLibraryManifest } from "./scenarios.js";
import { markTable, readLedger } from "../ledger/index.js";
import { columnTags } from "./datasets.js";
import { gateCopy } from "./egress.js";
import { devJob, loadJob } from "./jobs.js";
import type { Session } from "./session.js";

/** The forms a dry run judges, as `egress request --form` would. */
export const DRY_RUN_FORMS = ["dataset", "report", "model", "index"] as const;
/** Which output the dry run judges. */
export type DryRunForm = (typeof DRY_RUN_FORMS)[number];

/** A dev run and, when `form` is given and the run succeeded, the dry run on its output: what `job dev --check` and `POST /api/jobs/dev` return. */
export async function devJobChecked(s: Session, input: unknown, form?: DryRunForm) {
  if (form !== undefined && !DRY_RUN_FORMS.includes(form)) {
    throw new ShuyuError("usage", "BAD_FORM", `--check takes a form: ${DRY_RUN_FORMS.join(", ")} (got '${String(form)}')`);
  }
  const r = await devJob(s, input);
  if (form === undefined || r.outcome.state !== "succeeded") return r;
  return { ...r, check: { form, findings: await checkDevRun(s, r.job, r.outcome.outputs, form) } };
}

/** Findings of the gate's rules on dev job `jobId`'s outputs (sample data), sorted blocks first. */
export async function checkDevRun(s: Session, jobId: string, outputs: JobOutputs, form: DryRunForm = "dataset"): Promise<Finding[]> {
  const job = await loadJob(s, jobId);
  authorize(s.principal, "job.read", { ownerOrg: job.org });
  if (job.mode !== "dev") throw new ShuyuError("invalid", "NOT_A_DEV_JOB", `job '${jobId}' ran on raw data; its output is judged by an egress request, not a dry run`);
  const vault = s.domain.vault;
  const dir = join(s.domain.paths.jobStaging(jobId), "check");
  // Our own names for the sample's columns and the checked tables, dropped in `finally`.
  const prefix = `chk_${jobId.replace(/[^A-Za-z0-9]/g, "_")}_`;
  return s.domain.mutate(async () => {
    try {
      const parts = await stageOutputs(vault, dir, jobId, outputs);
      const ledger = await readLedger(vault, jobId);
      const raw: RawColumnRef[] = [];
      const tags = new Map<string, string[]>();
      const manifest = readLibraryManifest(s.domain.paths.sampleLibrary(job.scenario));
      let grade = 1;
      for (const d of manifest.datasets) {
        const table = `${prefix}sample_${d.view}`;
        await vault.run(`CREATE TEMP TABLE ${ident(table)} AS SELECT ${d.columns.map(ident).join(", ")} FROM read_parquet(${literal(join(s.domain.paths.sampleLibrary(job.scenario), d.file))})`);
        const t = await columnTags(s, d.dataset);
        for (const c of d.columns) {
          raw.push({ table, column: c, tags: t.get(c)?.tags ?? [] });
          tags.set(c, [...new Set([...(tags.get(c) ?? []), ...(t.get(c)?.tags ?? [])])]);
        }
        grade = Math.max(grade, Number((await one<{ grade: number }>(s.domain.control, "SELECT grade FROM datasets WHERE id = ? AND version = ?", [d.dataset, d.version]))?.grade ?? 1));
      }
      const outputTables: OutputTable[] = [];
      for (const p of parts.filter((x) => x.kind === "table" && form === "dataset")) {
        p.mark = await markTable(vault, jobId, p.alias ?? p.name, p.table!, ledger, outputs.declared?.[p.name]);
        const out = `${prefix}${p.alias ?? p.name}`;
        const { mark, withSid } = await gateCopy(s, jobId, p, out);
        const described = await all<{ column_name: string; column_type: string }>(vault, `DESCRIBE SELECT * FROM ${ident(out)}`);
        outputTables.push({ name: out, label: p.name, mark, rowColumn: "__out_row", ...(withSid ? { sidColumn: "__sid" } : {}),
          columns: described.map((c) => ({ name: c.column_name, type: c.column_type, tags: tags.get(c.column_name) ?? [] })) });
      }
      const findings = await runChecks({
        conn: vault, form, outputTables, raw, grade: grade as 1 | 2 | 3 | 4,
        model: form === "model" ? outputs.model : undefined,
        report: form === "report" ? outputs.report : undefined,
        index: form === "index" ? outputs.index : undefined,
        logs: outputs.logs,
        job: jobId,
        code: readJobCode(s.domain.paths.jobStaging(jobId), job.code_sm3),
        params: JSON.parse((await one<{ params: string }>(s.domain.control, "SELECT params FROM jobs WHERE id = ?", [jobId]))!.params),
      });
      // On the sample the developer may learn why a query of theirs was not accounted (a raw job's view never says).
      const unaccounted = ledger.filter((e) => e.kind === "unaccounted" && e.reason);
      if (unaccounted.length) {
        const list = unaccounted.map((e) => `query ${e.q + 1}: ${e.reason}`).join("; ");
        for (const f of findings) {
          if (f.rule !== "computed-table" || f.severity !== "block") continue;
          f.detail += ` — queries of this run left unaccounted: ${list}`;
          f.zh += ` —— 本次运行中无法核算的查询：${list}`;
        }
      }
      return findings;
    } finally {
      const mine = await all<{ table_name: string; temporary: boolean }>(vault, "SELECT table_name, temporary FROM duckdb_tables() WHERE starts_with(table_name, ?)", [prefix]);
      for (const t of mine) await vault.run(`DROP TABLE IF EXISTS ${ident(t.table_name)}`);
      await vault.run(`DELETE FROM ${ident(RAW_FACTS_TABLE)} WHERE starts_with(tbl, ${literal(prefix)})`).catch(() => undefined);
      await discardStaged(vault, dir, jobId);
    }
  });
}

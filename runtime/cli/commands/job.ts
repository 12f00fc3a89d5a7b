import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ShuyuError } from "../../../policies/errors.js";
import { DRY_RUN_FORMS, devJobChecked, type DryRunForm } from "../../services/dev-check.js";
import { cancelJob, describeOutputs, jobLogs, jobStatus, listJobs, submitJob, type JobView } from "../../services/jobs.js";
import { action } from "../run-command.js";
import { viaServer } from "../remote.js";
import { shownState, withShownStates } from "../localize.js";
import { table } from "../table.js";

/** A job's status for people; a raw job's developer sees only the declared status channel. */
function describe(j: JobView): string {
  const developerRaw = j.view === "developer" && j.mode === "raw";
  const state = developerRaw && j.state === "killed" ? shownState("killed", "st", "en") : j.state;
  return [
    `job ${j.id} (${j.kind} on scenario ${j.scenario}): ${shownState(state)}${j.reason ? ` — ${j.reason}` : ""}`,
    `submitted ${j.createdAt}${j.startedAt ? `, started ${j.startedAt}` : ""}${j.finishedAt ? `, finished ${developerRaw ? "by " : ""}${j.finishedAt}` : ""}`,
    j.worker ? `ran on worker host ${j.worker}` : "",
    j.seconds !== null ? (developerRaw ? `finished within ${j.seconds} s` : `ran ${j.seconds} s`) : "",
    j.error ? `error: ${j.error.type} ${j.error.code}${j.error.line ? ` at line ${j.error.line}${j.error.column ? `:${j.error.column}` : ""}` : ""}` : "",
    developerRaw && j.state !== "running"
      ? "outputs, logs and any error message are staged; they leave only through the egress gate (shuyu egress request)"
      : "",
    ...j.outputs.map((o) => `staged ${o.part} ${o.kind}${o.name !== undefined ? ` ${o.name}` : ""}${o.rows !== undefined ? `: ${o.rows} rows` : ""}${o.bytes !== undefined ? `, ${o.bytes} bytes` : ""}`),
  ].filter(Boolean).join("\n");
}

const limitOptions = (cmd: Command) =>
  cmd
    .requiredOption("--scenario <id>", "the approved scenario the job runs under (required)")
    .option("--model <file>", "a model: an ES module (.js/.mjs/.ts/.mts) whose default export is async (ctx) => result")
    .option("--sql <text>", "one SELECT over the scenario's views (instead of --model)")
    .option("--params <json>", "job parameters (JSON): ctx.params of a model, the $1, $2, … array of a SQL job")
    .option("--memory <MiB>", "isolate memory limit in MiB")
    .option("--cpu-ms <ms>", "CPU time limit in milliseconds")
    .option("--wall-ms <ms>", "wall-clock limit in milliseconds")
    .option("--output-bytes <n>", "output size limit in bytes")
    .option("--parts <n>", "output parts (tables, model, report, index) at most");

function limitsFrom(o: { memory?: string; cpuMs?: string; wallMs?: string; outputBytes?: string; parts?: string }) {
  const l: Record<string, number> = {};
  if (o.memory !== undefined) l.memoryMiB = Number(o.memory);
  if (o.cpuMs !== undefined) l.cpuMs = Number(o.cpuMs);
  if (o.wallMs !== undefined) l.wallMs = Number(o.wallMs);
  if (o.outputBytes !== undefined) l.outputBytes = Number(o.outputBytes);
  if (o.parts !== undefined) l.parts = Number(o.parts);
  return l;
}

/**
 * A job's input as the API takes it: the model's source rather than a path (the server
 * never runs a file of its own file system as a model).
 */
function httpJob(i: { scenario: string; model?: string; sql?: string; params?: string; limits: Record<string, number> }) {
  let modelCode: string | undefined;
  if (i.model !== undefined) {
    try {
      modelCode = readFileSync(i.model, "utf8");
    } catch {
      throw new ShuyuError("invalid", "MODEL_NOT_FOUND", `cannot read the model file ${i.model}`);
    }
  }
  return {
    scenario: i.scenario,
    ...(i.sql !== undefined ? { sql: i.sql } : {}),
    ...(modelCode !== undefined ? { modelCode, language: /\.m?ts$/i.test(i.model ?? "") ? ("ts" as const) : ("js" as const) } : {}),
    ...(i.params !== undefined ? { params: i.params } : {}),
    ...(Object.keys(i.limits).length ? { limits: i.limits } : {}),
  };
}

/** A job that did not succeed exits 3 (invalid input: the model or SQL is the developer's to fix), whatever the mode. */
const exitFor = (state: string) => (state === "succeeded" ? 0 : 3);
const ended = (state: string) => state !== "queued" && state !== "running";

/** `job submit|dev|status|logs|list`. */
export function registerJobCommands(program: Command): void {
  const job = program.command("job").description("models and SQL run inside the domain");
  limitOptions(job.command("submit").description("run a model or SQL on the scenario's raw data: outputs are staged, only a coarse status is shown"))
    .option("--wait", "wait until the job has ended (a local submit always does; kept for scripts that also run against a server)")
    .addHelpText("after", "\nExamples:\n  shuyu job submit --scenario inc --model examples/income-by-gender.js\n  shuyu job submit --scenario inc --sql \"SELECT gender, count(*) AS n FROM people GROUP BY gender\" --field id\n\nExit code 3 when the job failed or hit a limit.")
    .action(
      action(async (cmd) => {
        const o = cmd.opts();
        const input = { scenario: o.scenario, model: o.model, sql: o.sql, params: o.params, limits: limitsFrom(o) };
        const r = await viaServer(cmd, { method: "POST", path: "/api/jobs", body: httpJob(input) }, (s) => submitJob(s, input));
        return { human: describe(r), json: r, exitCode: exitFor(r.state) };
      }),
    );
  limitOptions(job.command("dev").description("run a model or SQL on the scenario's desensitized sample: everything is shown"))
    .option("--check [form]", "dry-run the egress gate on the sample run's output and ledger (form: dataset, report, model or index; default dataset)")
    .addHelpText("after", "\nExamples:\n  shuyu job dev --scenario inc --model examples/income-by-gender.ts   # type-checked against shuyu/model first\n  shuyu job dev --scenario inc --sql \"$(cat examples/income-by-gender.sql)\" --check   # the gate's rules on the sample run\n\n--json prints the same object as `job status --json`, plus `sample`: the outputs, logs and error message.")
    .action(
      action(async (cmd) => {
        const o = cmd.opts();
        const input = { scenario: o.scenario, model: o.model, sql: o.sql, params: o.params, limits: limitsFrom(o) };
        const form = o.check === true ? "dataset" : (o.check as DryRunForm | undefined);
        // Refused before anything runs, the same way here and against a server.
        if (form !== undefined && !DRY_RUN_FORMS.includes(form)) throw new ShuyuError("usage", "BAD_FORM", `--check takes a form: ${DRY_RUN_FORMS.join(", ")} (got '${form}')`);
        // The dry run (the gate's rules on this sample run's output and its ledger) runs where the domain is: here, or in the server.
        const r = await viaServer(cmd, { method: "POST", path: "/api/jobs/dev", body: { ...httpJob(input), ...(form !== undefined ? { check: form } : {}) } }, (s) => devJobChecked(s, input, form));
        const e = r.outcome.error;
        const check = "check" in r ? r.check.findings : undefined;
        return {
          human: [
            `dev job ${r.job} on sample data: ${r.outcome.state}${r.outcome.reason ? ` — ${r.outcome.reason}` : ""}`,
            e ? `error: ${e.type} ${e.code}${e.line ? ` at line ${e.line}:${e.column ?? 0}` : ""}: ${e.message}` : "",
            e?.trace ? `model's own stack (as the model reported it):\n${e.trace}` : "",
            ...describeOutputs(r.outcome.outputs),
            ...(check ? [
              `gate dry run on the sample (form ${form}): ${check.filter((f) => f.severity === "block").length} block, ${check.filter((f) => f.severity === "review").length} review, ${check.filter((f) => f.severity === "pass").length} pass`,
              ...check.filter((f) => f.severity !== "pass").map((f) => `  [${f.severity}] ${f.rule}: ${f.detail}`),
            ] : []),
          ].filter(Boolean).join("\n"),
          json: { ...r.view, sample: { outputs: r.outcome.outputs, error: r.outcome.error ?? null, queries: r.outcome.queries, ...(check ? { check: { form, findings: check } } : {}) } },
          exitCode: exitFor(r.outcome.state),
        };
      }),
    );
  job
    .command("status")
    .description("a job's state, times and staged outputs (coarse for raw runs)")
    .argument("<id>", "the job's id")
    .option("--watch", "poll every second until the job has ended, printing each change of state; exits 3 unless it succeeded")
    .action(
      action(async (cmd, id: string) => {
        const status = () => viaServer(cmd, { method: "GET", path: "/api/jobs/{id}", params: { id } }, (s) => jobStatus(s, id), { readOnly: true, remote: { method: "GET", path: `/api/jobs/${encodeURIComponent(id)}` } });
        let r = await status();
        if (cmd.opts<{ watch?: boolean }>().watch) {
          let last = r.state;
          while (!ended(r.state)) {
            await new Promise((res) => setTimeout(res, 1000));
            r = await status();
            if (r.state !== last) process.stderr.write(`job ${id}: ${r.state}\n`);
            last = r.state;
          }
        }
        // Only a watch is a wait for the outcome: it exits like the job; a plain status query succeeded.
        return { human: describe(r), json: r, exitCode: cmd.opts<{ watch?: boolean }>().watch ? exitFor(r.state) : 0 };
      }),
    );
  job
    .command("cancel")
    .description("end a queued or running job as cancelled")
    .argument("<id>", "the job's id")
    .option("--reason <text>", "why (audited)")
    .action(
      action(async (cmd, id: string) => {
        const reason = cmd.opts<{ reason?: string }>().reason;
        const r = await viaServer(cmd, { method: "POST", path: "/api/jobs/{id}/cancel", params: { id }, body: reason === undefined ? {} : { reason } }, (s) => cancelJob(s, id, reason));
        return { human: describe(r), json: r };
      }),
    );
  job
    .command("logs")
    .description("a job's ctx.log lines: a dev run's in full; a raw run's stay staged until egress")
    .argument("<id>", "the job's id")
    .action(
      action(async (cmd, id: string) => {
        const r = await viaServer(cmd, { method: "GET", path: "/api/jobs/{id}/logs", params: { id } }, (s) => jobLogs(s, id));
        return { human: r.logs === null ? `job ${id} ran on raw data: ${r.note}` : r.logs.length ? r.logs.join("\n") : "(no log lines)", json: r };
      }),
    );
  job
    .command("list")
    .description("jobs you may see, newest first")
    .option("--state <state>", "only jobs in this state: queued|running|succeeded|failed|killed|cancelled")
    .option("--scenario <id>", "only this scenario's jobs")
    .option("--mode <mode>", "raw|dev")
    .option("--limit <n>", "at most this many (default 50)")
    .option("--page <n>", "page number of --limit jobs each, from 1")
    .addHelpText("after", "\nExample:\n  shuyu job list --state failed --scenario inc --limit 20 --page 2")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ state?: string; scenario?: string; mode?: "raw" | "dev"; limit?: string; page?: string }>();
        const limit = o.limit === undefined ? 50 : Number(o.limit);
        const page = o.page === undefined ? 1 : Number(o.page);
        if (!Number.isInteger(page) || page < 1) throw new ShuyuError("usage", "USAGE", "--page is a whole number from 1");
        const filter = { state: o.state, scenario: o.scenario, mode: o.mode, limit, offset: (page - 1) * limit };
        const r = await viaServer(cmd, { method: "GET", path: "/api/jobs", query: filter }, (s) => listJobs(s, filter));
        return { human: table(withShownStates(r), ["id", "scenario", "kind", "mode", "state", "reason", "createdAt", "seconds"]), json: r };
      }),
    );
}

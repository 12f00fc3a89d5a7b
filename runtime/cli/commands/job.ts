import type { Command } from "commander";
import { cancelJob, describeOutputs, devJob, jobStatus, listJobs, submitJob, type JobView } from "../../services/jobs.js";
import { action } from "../run-command.js";
import { withSession } from "../session.js";
import { table } from "../table.js";

/** A job's status for people; a raw job's developer sees only the declared status channel. */
function describe(j: JobView): string {
  const developerRaw = j.view === "developer" && j.mode === "raw";
  const state = developerRaw && j.state === "killed" ? "limit hit" : j.state;
  return [
    `job ${j.id} (${j.kind} on scenario ${j.scenario}): ${state}${j.reason ? ` — ${j.reason}` : ""}`,
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
    .option("--params <json>", "job parameters (JSON)")
    .option("--memory <MiB>", "isolate memory limit")
    .option("--cpu-ms <ms>")
    .option("--wall-ms <ms>")
    .option("--output-bytes <n>")
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

/** `job submit|dev|status|list`. */
export function registerJobCommands(program: Command): void {
  const job = program.command("job").description("models and SQL run inside the domain");
  limitOptions(job.command("submit").requiredOption("--scenario <id>").option("--model <file>").option("--sql <text>")).action(
    action(async (cmd) => {
      const o = cmd.opts();
      const r = await withSession(cmd, (s) => submitJob(s, { scenario: o.scenario, model: o.model, sql: o.sql, params: o.params, limits: limitsFrom(o) }));
      return { human: describe(r), json: r };
    }),
  );
  limitOptions(job.command("dev").requiredOption("--scenario <id>").option("--model <file>").option("--sql <text>")).action(
    action(async (cmd) => {
      const o = cmd.opts();
      const r = await withSession(cmd, (s) => devJob(s, { scenario: o.scenario, model: o.model, sql: o.sql, params: o.params, limits: limitsFrom(o) }));
      const e = r.outcome.error;
      return {
        human: [
          `dev job ${r.job} on sample data: ${r.outcome.state}${r.outcome.reason ? ` — ${r.outcome.reason}` : ""}`,
          e ? `error: ${e.type} ${e.code}${e.line ? ` at line ${e.line}:${e.column ?? 0}` : ""}: ${e.message}` : "",
          e?.trace ? `model's own stack (as the model reported it):\n${e.trace}` : "",
          ...describeOutputs(r.outcome.outputs),
        ].filter(Boolean).join("\n"),
        json: { id: r.job, ...r.outcome },
        exitCode: r.outcome.state === "succeeded" ? 0 : 3,
      };
    }),
  );
  job
    .command("status")
    .argument("<id>")
    .action(
      action(async (cmd, id: string) => {
        const r = await withSession(cmd, (s) => jobStatus(s, id), { readOnly: true, remote: { method: "GET", path: `/api/jobs/${encodeURIComponent(id)}` } });
        return { human: describe(r), json: r };
      }),
    );
  job
    .command("cancel")
    .argument("<id>")
    .option("--reason <text>")
    .action(
      action(async (cmd, id: string) => {
        const r = await withSession(cmd, (s) => cancelJob(s, id, cmd.opts<{ reason?: string }>().reason));
        return { human: describe(r), json: r };
      }),
    );
  job.command("list").action(
    action(async (cmd) => {
      const r = await withSession(cmd, listJobs, { readOnly: true, remote: { method: "GET", path: "/api/jobs" } });
      return { human: table(r, ["id", "scenario", "kind", "mode", "state", "reason", "seconds"]), json: r };
    }),
  );
}

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { ShuyuError } from "../../../policies/errors.js";
import { addAgreement, changeAgreement, listAgreements } from "../../services/agreements.js";
import { approveScenario, changeScenario, listScenarios, rejectScenario, showScenario, submitScenario, type Scenario } from "../../services/scenarios.js";
import { action } from "../run-command.js";
import { csv } from "../session.js";
import { viaServer } from "../remote.js";
import { table } from "../table.js";

const collect = (v: string, prev: string[] = []) => [...prev, v];

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ShuyuError("invalid", "FILE_NOT_FOUND", `${what}: cannot read ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ShuyuError("invalid", "INVALID_JSON", `${what}: ${path} is not JSON (${(err as Error).message})`);
  }
}

function describe(sc: Scenario): string {
  const waiting = sc.approvals.required.filter((r) => (r === "operator" ? !sc.approvals.operator : !sc.approvals.providers[r]));
  return [
    `scenario ${sc.id} (${sc.org}, agreement ${sc.agreement}): ${sc.state}${sc.reason ? ` — ${sc.reason}` : ""}`,
    `purpose: ${sc.purpose}`,
    ...sc.grants.map((g) => `grant ${g.dataset}: ${g.columns.map((c) => (g.joinOnly.includes(c) ? `${c} (join-only)` : c)).join(", ")}`),
    sc.state === "submitted" ? `waiting for approval by: ${waiting.join(", ")}` : "",
    `expires ${sc.expires}`,
  ].filter(Boolean).join("\n");
}

/** `agreement …`, `scenario …`. */
export function registerScenarioCommands(program: Command): void {
  const agreement = program.command("agreement").description("authorization agreements (≤ 3 years)");
  agreement
    .command("add")
    .option("--id <id>")
    .requiredOption("--org <org>")
    .requiredOption("--datasets <ids>", "comma-separated")
    .requiredOption("--start <date>", "YYYY-MM-DD")
    .requiredOption("--end <date>", "YYYY-MM-DD, at most 3 years after start")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ id?: string; org: string; datasets: string; start: string; end: string }>();
        const input = { ...o, datasets: csv(o.datasets) };
        const r = await viaServer(cmd, { method: "POST", path: "/api/agreements", body: input }, (s) => addAgreement(s, input));
        return { human: `agreement ${r.id}: ${r.org} may use ${r.datasets.join(", ")} from ${r.start} to ${r.end}`, json: r };
      }),
    );
  agreement.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/agreements" }, listAgreements);
      return { human: table(r.map((a) => ({ ...a, datasets: a.datasets.join(",") })), ["id", "org", "datasets", "start", "end", "state", "reason"]), json: r };
    }),
  );
  for (const change of ["suspend", "resume", "terminate"] as const) {
    agreement
      .command(change)
      .argument("<id>")
      .requiredOption("--reason <text>")
      .action(
        action(async (cmd, id: string) => {
          const reason = cmd.opts<{ reason: string }>().reason;
          const r = await viaServer(cmd, { method: "POST", path: `/api/agreements/{id}/${change}`, params: { id }, body: { reason } }, (s) => changeAgreement(s, id, change, reason));
          return { human: `agreement ${r.id}: ${r.state}${r.purged ? ` (revoked ${r.purged.accounts} accounts, ${r.purged.scenarios} scenarios; purged ${r.purged.jobs} jobs' staging; delisted ${r.purged.products} products)` : ""}`, json: r };
        }),
      );
  }

  const scenario = program.command("scenario").description("one scenario, one review (R4)");
  scenario
    .command("submit")
    .requiredOption("--id <id>")
    .requiredOption("--purpose <text>")
    .requiredOption("--grant <DATASET:COL,COL>", "repeatable", collect)
    .option("--join-only <DATASET:COL,COL>", "columns granted for equality joins and filters only (repeatable)", collect)
    .option("--until <date>", "end of the scenario (default: the agreement's end)")
    .option("--policy <file.json>", 'desensitization of outputs: {"columns": {"col": {"method": "mask", …}}}')
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ id: string; purpose: string; grant: string[]; joinOnly?: string[]; until?: string; policy?: string }>();
        const policy = o.policy === undefined ? undefined : readJsonFile(o.policy, "--policy");
        const input = { id: o.id, purpose: o.purpose, grants: o.grant, joinOnly: o.joinOnly, until: o.until, policy };
        const r = await viaServer(cmd, { method: "POST", path: "/api/scenarios", body: input }, (s) => submitScenario(s, input));
        return { human: describe(r), json: r };
      }),
    );
  scenario
    .command("approve")
    .argument("<id>")
    .option("--reason <text>")
    .action(
      action(async (cmd, id: string) => {
        const reason = cmd.opts<{ reason?: string }>().reason;
        const r = await viaServer(cmd, { method: "POST", path: "/api/scenarios/{id}/approve", params: { id }, body: { reason } }, (s) => approveScenario(s, id, reason));
        return { human: describe(r), json: r };
      }),
    );
  scenario
    .command("reject")
    .argument("<id>")
    .option("--reason <text>", "required")
    .action(
      action(async (cmd, id: string) => {
        const reason = cmd.opts<{ reason?: string }>().reason;
        const r = await viaServer(cmd, { method: "POST", path: "/api/scenarios/{id}/reject", params: { id }, body: { reason } }, (s) => rejectScenario(s, id, reason));
        return { human: describe(r), json: r };
      }),
    );
  for (const change of ["suspend", "resume", "revoke"] as const) {
    scenario
      .command(change)
      .argument("<id>")
      .requiredOption("--reason <text>")
      .action(
        action(async (cmd, id: string) => {
          const reason = cmd.opts<{ reason: string }>().reason;
          const r = await viaServer(cmd, { method: "POST", path: `/api/scenarios/{id}/${change}`, params: { id }, body: { reason } }, (s) => changeScenario(s, id, change, reason));
          return { human: describe(r), json: r };
        }),
      );
  }
  scenario
    .command("show")
    .argument("<id>")
    .action(
      action(async (cmd, id: string) => {
        const r = await viaServer(cmd, { method: "GET", path: "/api/scenarios/{id}", params: { id } }, (s) => showScenario(s, id));
        return { human: describe(r), json: r };
      }),
    );
  scenario.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/scenarios" }, listScenarios);
      return { human: table(r.map((x) => ({ ...x, grants: x.grants.map((g) => `${g.dataset}:${g.columns.join(",")}`).join(" ") })), ["id", "org", "state", "grants", "expires"]), json: r };
    }),
  );
}

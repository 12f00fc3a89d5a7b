import type { Command } from "commander";
import { MAXIMA_KEYS } from "../../jobs/job-policy.js";
import { setQuota, setScenarioMaxima, showQuotas, showScenarioMaxima } from "../../services/job-policy.js";
import { action, usage } from "../run-command.js";
import { viaServer } from "../remote.js";
import { table } from "../table.js";

/** `memoryMiB` → `max-memory`, `stagedBytes` → `max-staged-bytes`. */
const flag = (key: string) => `max-${key.replace(/MiB$/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
/** The property commander gives a flag (`max-staged-bytes` → `maxStagedBytes`). */
const prop = (key: string) => flag(key).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** `quota set|show` and `limits set|show`: the operator's raw-job quotas and per-scenario maxima. */
export function registerJobPolicyCommands(program: Command): void {
  const quota = program.command("quota").description("raw-job quotas per account and organisation (per calendar day of the domain's time zone)");
  quota
    .command("set")
    .option("--account <id>", "an account ('*': every account without its own)")
    .option("--org <id>", "an organisation ('*': every organisation without its own)")
    .requiredOption("--raw-jobs-per-day <n>")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ account?: string; org?: string; rawJobsPerDay: string }>();
        if ((o.account === undefined) === (o.org === undefined)) throw usage("give exactly one of --account ID or --org ID");
        const input = { account: o.account, org: o.org, rawJobsPerDay: Number(o.rawJobsPerDay) };
        const r = await viaServer(cmd, { method: "POST", path: "/api/quotas", body: input }, (s) => setQuota(s, input));
        return { human: `${r.scope} ${r.id}: ${r.rawJobsPerDay} raw jobs per day`, json: r };
      }),
    );
  quota.command("show").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/quotas" }, showQuotas);
      return { human: [`defaults: ${r.defaults.account} per account, ${r.defaults.org} per organisation`, table(r.quotas, ["scope", "id", "rawJobsPerDay", "setBy"])].join("\n"), json: r };
    }),
  );
  const limits = program.command("limits").description("per-scenario maxima of job limits (developers may ask for less, never more)");
  let set = limits.command("set").requiredOption("--scenario <id>");
  for (const k of MAXIMA_KEYS) set = set.option(`--${flag(k)} <n>`);
  set.action(
    action(async (cmd) => {
      const o = cmd.opts<Record<string, string>>();
      const maxima = Object.fromEntries(MAXIMA_KEYS.filter((k) => o[prop(k)] !== undefined).map((k) => [k, Number(o[prop(k)])]));
      const r = await viaServer(cmd, { method: "POST", path: "/api/scenarios/{id}/limits", params: { id: o.scenario }, body: maxima }, (s) => setScenarioMaxima(s, { scenario: o.scenario, maxima }));
      return { human: MAXIMA_KEYS.map((k) => `${k}: ${r.maxima[k]}`).join("\n"), json: r };
    }),
  );
  limits
    .command("show")
    .requiredOption("--scenario <id>")
    .action(
      action(async (cmd) => {
        const id = cmd.opts<{ scenario: string }>().scenario;
        const r = await viaServer(cmd, { method: "GET", path: "/api/scenarios/{id}/limits", params: { id } }, (s) => showScenarioMaxima(s, id));
        return { human: MAXIMA_KEYS.map((k) => `${k}: ${r.maxima[k]}`).join("\n"), json: r };
      }),
    );
}

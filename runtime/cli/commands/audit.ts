import type { Command } from "commander";
import { auditLog, verifyAudit } from "../../services/audit.js";
import { action } from "../run-command.js";
import { viaServer } from "../remote.js";
import { table } from "../table.js";

/** `audit verify`, `audit log`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("the tamper-evident audit chain (R7)");
  audit.command("verify").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "POST", path: "/api/audit/verify" }, verifyAudit);
      return {
        human: [
          r.ok ? `audit chain ok: ${r.entries} entries verified` : `audit chain BROKEN at seq ${r.firstBadSeq}: ${r.problem}`,
          ...(r.timeWarnings ?? []).map((w) => `warning: seq ${w.seq} is dated ${w.time}, before seq ${w.seq - 1} (${w.previous}): the clock was moved back`),
        ].join("\n"),
        json: r,
        exitCode: r.ok ? 0 : 3,
      };
    }),
  );
  audit
    .command("log")
    .option("--since <date>")
    .option("--until <date>")
    .option("--actor <account>")
    .option("--action <action>", "e.g. scenario or scenario.approve")
    .option("--object <object>", "e.g. dataset:people")
    .option("--limit <n>")
    .action(
      action(async (cmd) => {
        const rows = await viaServer(cmd, { method: "GET", path: "/api/audit", query: cmd.opts() }, (s) => auditLog(s, cmd.opts()));
        return {
          human: table(rows.map((e) => ({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, object: e.object, details: e.details })), ["seq", "time", "actor", "action", "object", "details"]),
          json: rows,
        };
      }),
    );
}

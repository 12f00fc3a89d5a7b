import type { Command } from "commander";
import { waitingFor, whoami } from "../../services/waiting.js";
import { action } from "../run-command.js";
import { callServer, viaServer } from "../remote.js";
import { table } from "../table.js";

/** `whoami` and `status` (what waits for me). */
export function registerWhoamiCommands(program: Command): void {
  program
    .command("whoami")
    .description("the account your token signs in as: name, organisation, roles, domain")
    .action(
      action(async (cmd) => {
        const r = await viaServer(cmd, async (t) => ({ ...((await callServer(t, { method: "GET", path: "/api/whoami" })) as ReturnType<typeof whoami>), domain: t.server }), async (s) => whoami(s));
        return { human: `${r.name} (${r.accountId}) of ${r.orgId} (${r.orgKind}); roles ${r.roles.join(", ")}; domain ${r.domain}`, json: r };
      }),
    );
  program
    .command("status")
    .description("what waits for you: scenarios to approve, requests to review, your failed jobs and returned requests")
    .addHelpText("after", "\nExample:\n  SHUYU_TOKEN=$ZHAO shuyu status      # a reviewer's queue, each item with the command that deals with it")
    .action(
      action(async (cmd) => {
        const r = await viaServer(cmd, { method: "GET", path: "/api/status" }, waitingFor);
        return { human: r.length ? table(r, ["kind", "id", "what", "next"]) : "nothing waits for you", json: r };
      }),
    );
}

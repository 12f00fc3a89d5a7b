import type { Command } from "commander";
import { initDomain } from "../../domain/init.js";
import { addAccount, listAccounts, revokeAccount } from "../../services/accounts.js";
import { addOrg, listOrgs } from "../../services/orgs.js";
import { action } from "../run-command.js";
import { csv } from "../session.js";
import { viaServer } from "../remote.js";
import { table } from "../table.js";

/** `init`, `org …`, `account …`. */
export function registerDomainCommands(program: Command): void {
  program
    .command("init")
    .description("create a domain in DIR (prints the first admin token once)")
    .argument("<dir>")
    .requiredOption("--operator <name>", "name of the operating organisation (一级运营主体)")
    .option("--authorized-from <date>", "start of the operator's own authorization (GZ 7, ZJ 11)")
    .option("--authorized-until <date>", "end of the operator's own authorization")
    .option("--authorized-datasets <ids>", "datasets it covers, comma-separated, or * (default *)")
    .option("--authorization-reference <text>", "the authorizing document")
    .option("--control <url>", "keep control rows and audit in this PostgreSQL database (postgresql://…) instead of the embedded DuckDB file (docs/scale-out.md)")
    .action(
      action(async (_cmd, dir: string) => {
        const opts = _cmd.opts<{ operator: string; control?: string; authorizedFrom?: string; authorizedUntil?: string; authorizedDatasets?: string; authorizationReference?: string }>();
        const given = opts.authorizedFrom !== undefined || opts.authorizedUntil !== undefined;
        const authorization = given ? { start: opts.authorizedFrom, end: opts.authorizedUntil, datasets: csv(opts.authorizedDatasets ?? "*"), reference: opts.authorizationReference } : undefined;
        const r = await initDomain({ dir, operator: opts.operator, authorization, ...(opts.control ? { control: opts.control } : {}) });
        return {
          human: `domain ${r.domain.id} created in ${r.dir}\nfirst admin account: ${r.admin}\ntoken (shown once, keep it safe): ${r.token}`,
          json: { id: r.domain.id, dir: r.dir, account: r.admin, token: r.token },
        };
      }),
    );

  const org = program.command("org").description("organisations");
  org
    .command("add")
    .requiredOption("--id <id>")
    .requiredOption("--name <name>")
    .requiredOption("--kind <kind>", "developer|provider")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ id: string; name: string; kind: string }>();
        const r = await viaServer(cmd, { method: "POST", path: "/api/orgs", body: o }, (s) => addOrg(s, o));
        return { human: `organisation ${r.id} (${r.kind}) added`, json: r };
      }),
    );
  org.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/orgs" }, listOrgs);
      return { human: table(r, ["id", "name", "kind", "state"]), json: r };
    }),
  );

  const account = program.command("account").description("real-name accounts");
  account
    .command("add")
    .requiredOption("--id <id>")
    .requiredOption("--name <name>", "the person's real name")
    .requiredOption("--org <org>")
    .requiredOption("--role <roles>", "admin|provider|developer|reviewer|auditor, comma-separated")
    .action(
      action(async (cmd) => {
        const o = cmd.opts<{ id: string; name: string; org: string; role: string }>();
        const input = { id: o.id, name: o.name, org: o.org, roles: csv(o.role) };
        const r = await viaServer(cmd, { method: "POST", path: "/api/accounts", body: input }, (s) => addAccount(s, input));
        return { human: `account ${r.id} added (${r.roles.join(",")} in ${r.org})\ntoken (shown once, keep it safe): ${r.token}`, json: r };
      }),
    );
  account.command("list").action(
    action(async (cmd) => {
      const r = await viaServer(cmd, { method: "GET", path: "/api/accounts" }, listAccounts);
      return { human: table(r.map((a) => ({ ...a, roles: a.roles.join(",") })), ["id", "name", "org", "roles", "state"]), json: r };
    }),
  );
  account
    .command("revoke")
    .argument("<id>")
    .requiredOption("--reason <text>")
    .action(
      action(async (cmd, id: string) => {
        const reason = cmd.opts<{ reason: string }>().reason;
        const r = await viaServer(cmd, { method: "POST", path: "/api/accounts/{id}/revoke", params: { id }, body: { reason } }, (s) => revokeAccount(s, id, reason));
        return { human: `account ${r.id} revoked`, json: r };
      }),
    );
}

import type { Command } from "commander";
import { ShuyuError } from "../../../policies/errors.js";
import type { Principal } from "../../../policies/authz/principal.js";
import { profilesFile, readProfiles, removeProfile, saveProfile, useProfile } from "../profiles.js";
import { callServer } from "../remote.js";
import { action, globalOptions, usage } from "../run-command.js";
import { table } from "../table.js";

/** Reads a token from standard input (a pipe, or typed at a prompt), for logins without --token. */
async function tokenFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("account token: ");
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (process.stdin.isTTY && Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0].trim();
}

/** `login`, `logout`, `profile list|use`: the CLI as a client of a running server. */
export function registerLoginCommands(program: Command): void {
  program
    .command("login")
    .description("sign in to a running shuyu serve: checks the token there and saves it as a profile (0600); later commands go through that server")
    .addHelpText(
      "after",
      [
        "",
        "Uses the global --server URL (required), --token (else SHUYU_TOKEN, else read from standard input) and --profile NAME (default 'default').",
        "",
        "Examples:",
        "  shuyu login --server http://127.0.0.1:8080 --token $TOKEN",
        "  echo $TOKEN | shuyu login --server https://domain.example:8443 --profile prod",
        "  shuyu profile use prod      # switch servers; shuyu --profile prod … for one command",
      ].join("\n"),
    )
    .action(
      action(async (cmd) => {
        const g = globalOptions(cmd);
        const server = g.server || process.env.SHUYU_SERVER;
        if (!server) throw usage("give --server URL (the address shuyu serve printed)");
        try {
          new URL(server);
        } catch {
          throw usage(`--server must be a URL such as http://127.0.0.1:8080 (got ${server})`);
        }
        const token = g.token || process.env.SHUYU_TOKEN || (await tokenFromStdin());
        if (!token) throw new ShuyuError("denied", "UNAUTHENTICATED", "no token: pass --token, set SHUYU_TOKEN or type it when asked");
        const who = (await callServer({ server, token }, { method: "GET", path: "/api/whoami" })) as Principal;
        const name = g.profile ?? "default";
        const file = saveProfile(name, { server: server.replace(/\/+$/, ""), token, account: who.accountId, savedAt: new Date().toISOString() });
        return {
          human: `signed in to ${server} as ${who.name} (${who.accountId}) of ${who.orgId}; roles ${who.roles.join(", ")}\nprofile '${name}' saved in ${file} (mode 0600) and made current`,
          json: { id: name, profile: name, server, account: who.accountId, roles: who.roles, file },
        };
      }),
    );
  program
    .command("logout")
    .description("forget a saved profile's token on this machine (the global --profile, else the current one)")
    .action(
      action(async (cmd) => {
        const name = globalOptions(cmd).profile ?? readProfiles().current;
        if (!name) throw usage("no current profile: give --profile NAME");
        if (!removeProfile(name)) throw new ShuyuError("invalid", "PROFILE_NOT_FOUND", `no profile '${name}'`);
        return { human: `profile '${name}' removed from ${profilesFile()}`, json: { id: name, removed: true } };
      }),
    );
  const profile = program.command("profile").description("saved server logins (shuyu login)");
  profile
    .command("list")
    .description("saved profiles; * marks the current one (tokens are never printed)")
    .action(
      action(async () => {
        const data = readProfiles();
        const rows = Object.entries(data.profiles).map(([name, p]) => ({ current: name === data.current ? "*" : "", name, server: p.server, account: p.account ?? "", savedAt: p.savedAt ?? "" }));
        return { human: rows.length ? table(rows, ["current", "name", "server", "account", "savedAt"]) : "no profiles: shuyu login --server URL", json: rows };
      }),
    );
  profile
    .command("use")
    .description("make a saved profile the current one")
    .argument("<name>", "the profile's name")
    .action(
      action(async (_cmd, name: string) => {
        const p = useProfile(name);
        return { human: `current profile: ${name} (${p.server}, ${p.account ?? "?"})`, json: { id: name, server: p.server, account: p.account } };
      }),
    );
}

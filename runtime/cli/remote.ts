import type { Command } from "commander";
import { ShuyuError, type ErrorKind } from "../../policies/errors.js";
import { shuyuClient, type paths } from "../sdk/client.js";
import type { Session } from "../services/session.js";
import { profileNamed, readProfiles } from "./profiles.js";
import { globalOptions } from "./run-command.js";
import { withSession } from "./session.js";

/** One API call that does over HTTP what a command does locally (a route of the generated SDK). */
export interface RemoteCall {
  method: "GET" | "POST";
  path: keyof paths;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** The server a command talks to, and the token it presents there. */
export interface RemoteTarget {
  server: string;
  token: string;
  profile?: string;
}

interface RemoteOptions {
  server?: string;
  profile?: string;
  domain?: string;
  token?: string;
}

/**
 * Where a command runs. A local domain (--domain or SHUYU_DOMAIN) is opened directly — the
 * operator on the host. Otherwise --server URL, --profile NAME (or SHUYU_SERVER, SHUYU_PROFILE),
 * or the current profile saved by `shuyu login` sends the command to that server's API, so the
 * CLI works beside a running `shuyu serve` and from other machines. undefined: local.
 */
export function remoteTarget(cmd: Command, env: NodeJS.ProcessEnv = process.env): RemoteTarget | undefined {
  const g = globalOptions(cmd) as RemoteOptions;
  const server = g.server || env.SHUYU_SERVER || undefined;
  const profileName = g.profile || env.SHUYU_PROFILE || undefined;
  if (g.domain && (g.server || g.profile)) throw new ShuyuError("usage", "USAGE", "give either --domain (this host's domain) or --server/--profile (a server), not both");
  if (g.domain) return undefined;
  if (!server && !profileName && env.SHUYU_DOMAIN) return undefined;
  const token = g.token || env.SHUYU_TOKEN || undefined;
  if (server) {
    // A token given for this call wins; else a saved profile of the same server.
    const saved = Object.entries(readProfiles(env).profiles).find(([, p]) => sameServer(p.server, server));
    const t = token ?? saved?.[1].token;
    if (!t) throw new ShuyuError("denied", "UNAUTHENTICATED", `no token for ${server}: shuyu login --server ${server}, or pass --token`);
    return { server, token: t, profile: saved?.[0] };
  }
  const p = profileNamed(profileName, env);
  if (!p) return undefined;
  return { server: p.profile.server, token: token ?? p.profile.token, profile: p.name };
}

const sameServer = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

/** Calls one route and returns its JSON, or throws the server's ShuyuError as if it had happened here. */
export async function callServer(t: RemoteTarget, call: RemoteCall): Promise<unknown> {
  const client = shuyuClient({ server: t.server, token: t.token });
  const init = { params: { path: call.params ?? {}, query: call.query ?? {} }, ...(call.body !== undefined ? { body: call.body } : {}) };
  let res: { data?: unknown; error?: unknown; response: Response };
  try {
    // One generic call: the route comes from the generated `paths`, so a misspelt path does not compile.
    const send = (call.method === "GET" ? client.GET : client.POST) as unknown as (path: string, init: unknown) => Promise<typeof res>;
    res = await send(call.path, init);
  } catch (err) {
    throw new ShuyuError("internal", "SERVER_UNREACHABLE", `cannot reach ${t.server}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}; is shuyu serve running there?`);
  }
  if (res.error !== undefined) {
    const e = (res.error as { error?: { kind?: ErrorKind; code?: string; message?: string; details?: Record<string, unknown> } }).error;
    if (e?.code && e.kind) throw new ShuyuError(e.kind, e.code, e.message ?? e.code, { details: e.details ?? {} });
    throw new ShuyuError("internal", "SERVER_ERROR", `${t.server} answered ${res.response.status} without a shuyu error body`);
  }
  return res.data;
}

/**
 * Runs a command on the server when one is configured (see remoteTarget), else on the local
 * domain. `remote` is the same action as an API call; commands that only make sense on the
 * host (ingest of a server file, backup, restore) pass undefined and are refused remotely.
 */
export async function viaServer<T>(cmd: Command, remote: RemoteCall | ((t: RemoteTarget) => Promise<T>) | undefined, local: (s: Session) => Promise<T>): Promise<T> {
  const target = remoteTarget(cmd);
  if (!target) return withSession(cmd, local);
  const name = `${cmd.parent?.parent ? `${cmd.parent.name()} ` : ""}${cmd.name()}`;
  if (!remote) throw new ShuyuError("usage", "LOCAL_ONLY", `'shuyu ${name}' works on the domain's host only: run it there with --domain DIR (you are using server ${target.server})`);
  if (typeof remote === "function") return remote(target);
  return (await callServer(target, remote)) as T;
}

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { ShuyuError } from "../../policies/errors.js";

/** One saved server login: where the server is and the account token to present there. */
export const Profile = z.object({
  server: z.string().url(),
  token: z.string().min(1),
  account: z.string().optional(),
  savedAt: z.string().optional(),
});
export type Profile = z.infer<typeof Profile>;

const ProfileFile = z.object({ current: z.string().optional(), profiles: z.record(z.string(), Profile).default({}) });
type ProfileFile = z.infer<typeof ProfileFile>;

/** A profile's name: a short word, so it is safe as a flag value and in file listings. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** The folder holding shuyu's profiles: $XDG_CONFIG_HOME/shuyu (else ~/.config/shuyu). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "shuyu");
}

/** The profiles file (0600 in a 0700 folder: it holds account tokens). */
export function profilesFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "profiles.json");
}

/** Reads the profiles file (an absent file is no profiles). */
export function readProfiles(env: NodeJS.ProcessEnv = process.env): ProfileFile {
  const file = profilesFile(env);
  if (!existsSync(file)) return { profiles: {} };
  try {
    return ProfileFile.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    throw new ShuyuError("invalid", "PROFILES_UNREADABLE", `${file} is not a shuyu profiles file; fix or delete it and log in again`);
  }
}

function writeProfiles(data: ProfileFile, env: NodeJS.ProcessEnv): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const file = profilesFile(env);
  const tmp = `${file}.${process.pid}.tmp`;
  // Written whole and renamed: a crash leaves the old file, never half a token.
  writeFileSync(tmp, JSON.stringify(data, null, 2) + "\n", { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return file;
}

/** Saves (or replaces) a profile and makes it the current one; returns the file written. */
export function saveProfile(name: string, p: Profile, env: NodeJS.ProcessEnv = process.env): string {
  if (!NAME.test(name)) throw new ShuyuError("usage", "USAGE", `a profile name is letters, digits, '.', '_' or '-' (got '${name}')`);
  const data = readProfiles(env);
  data.profiles[name] = Profile.parse(p);
  data.current = name;
  return writeProfiles(data, env);
}

/** Removes a profile (and unsets it as current); false if there was none. */
export function removeProfile(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const data = readProfiles(env);
  if (!data.profiles[name]) return false;
  delete data.profiles[name];
  if (data.current === name) data.current = undefined;
  writeProfiles(data, env);
  return true;
}

/** Makes an existing profile the current one. */
export function useProfile(name: string, env: NodeJS.ProcessEnv = process.env): Profile {
  const data = readProfiles(env);
  const p = data.profiles[name];
  if (!p) throw new ShuyuError("invalid", "PROFILE_NOT_FOUND", `no profile '${name}'; the profiles are: ${Object.keys(data.profiles).join(", ") || "(none: shuyu login --server URL)"}`);
  data.current = name;
  writeProfiles(data, env);
  return p;
}

/** A profile by name (or the current one); undefined when none is saved. */
export function profileNamed(name: string | undefined, env: NodeJS.ProcessEnv = process.env): { name: string; profile: Profile } | undefined {
  const data = readProfiles(env);
  const n = name ?? data.current;
  if (n === undefined) return undefined;
  const p = data.profiles[n];
  if (!p) {
    if (name !== undefined) throw new ShuyuError("invalid", "PROFILE_NOT_FOUND", `no profile '${name}'; see shuyu profile list`);
    return undefined;
  }
  return { name: n, profile: p };
}

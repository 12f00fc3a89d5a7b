import type { Command } from "commander";
import { asShuyuError, ShuyuError } from "../../policies/errors.js";
import { inertJson, neutralise } from "./neutralise.js";

/** What a command hands back: a line (or block) for people and an object for --json. */
export interface CommandResult {
  human: string;
  json: unknown;
  /** Non-zero exit with a result still printed (e.g. `audit verify` finding a bad entry). */
  exitCode?: number;
}

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  json?: boolean;
  /** Print only this field of the JSON result (scripts: `TOKEN=$(shuyu account add … --field token)`). */
  field?: string;
  /** `-o table|json|csv`: table is the human form, json as --json, csv for a list result. */
  output?: string;
  domain?: string;
  token?: string;
  /** A running server to send the command to (runtime/cli/remote.ts). */
  server?: string;
  /** A saved login (runtime/cli/profiles.ts). */
  profile?: string;
}

/** Reads the root program's global options from any subcommand. */
export function globalOptions(cmd: Command): GlobalOptions {
  let root: Command = cmd;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/** Prints an error in DESIGN §6 form (`shuyu: <code>: <message>`) or as JSON, and returns its exit code. */
export function reportError(err: unknown, json: boolean): number {
  const e = asShuyuError(err);
  if (json) {
    process.stdout.write(inertJson(JSON.stringify(e.toJSON())) + "\n");
  } else {
    process.stderr.write(neutralise(`shuyu: ${e.code}: ${e.message}`) + "\n");
  }
  return e.exitCode;
}

/**
 * Wraps a commander action: runs it, prints human text or JSON, maps errors to exit codes.
 * Every command goes through here so output and exit codes stay uniform.
 */
export function action<A extends unknown[]>(
  fn: (cmd: Command, ...args: A) => Promise<CommandResult>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2) as unknown as A; // commander passes (...positionals, opts, cmd)
    const g = globalOptions(cmd);
    const { field } = g;
    if (g.output !== undefined && !["table", "json", "csv"].includes(g.output)) {
      process.exitCode = reportError(usage(`-o is table, json or csv (got ${g.output})`), false);
      return;
    }
    const json = g.json === true || g.output === "json";
    try {
      const result = await fn(cmd, ...positional);
      // Every printer ends here: names and values from models and data files are made inert for the terminal.
      if (field !== undefined) process.stdout.write(neutralise(fieldOf(result.json, field) + "\n"));
      else if (g.output === "csv") process.stdout.write(neutralise(toCsv(result.json)));
      else if (json) process.stdout.write(inertJson(JSON.stringify(result.json, jsonReplacer)) + "\n");
      else if (result.human) process.stdout.write(neutralise(result.human.endsWith("\n") ? result.human : result.human + "\n"));
      process.exitCode = result.exitCode ?? 0;
    } catch (err) {
      process.exitCode = reportError(err, json);
    }
  };
}

/** A list result as CSV (RFC 4180 quoting, header from the first row's keys; nested values as JSON); one object is a one-row list. */
export function toCsv(json: unknown): string {
  const rows = (Array.isArray(json) ? json : [json]).filter((r): r is Record<string, unknown> => r !== null && typeof r === "object");
  if (rows.length === 0) return "";
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) => {
    const t = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v, jsonReplacer) : String(v);
    return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

/** One field of a command's JSON result as plain text (a dotted path; objects print as JSON). */
export function fieldOf(json: unknown, path: string): string {
  let v: unknown = json;
  for (const k of path.split(".")) {
    if (v === null || typeof v !== "object" || !(k in v)) throw usage(`the result has no field '${path}'`);
    v = (v as Record<string, unknown>)[k];
  }
  return typeof v === "string" ? v : JSON.stringify(v, jsonReplacer);
}

/** JSON.stringify replacer for BigInt and typed arrays. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** Usage error (exit 1) for a missing or conflicting option. */
export function usage(message: string): ShuyuError {
  return new ShuyuError("usage", "USAGE", message);
}

/** Adds `--approve | --reject --reason TEXT` to a review command. */
export function reviewOptions(cmd: Command): Command {
  return cmd.option("--approve", "approve").option("--reject", "reject (final)").option("--reason <text>", "why: recorded in the audit chain and shown to the requester");
}

/** Reads the decision of a review command: exactly one of --approve or --reject (or --return where the command offers it). */
export function reviewDecision(cmd: Command): { decision: "approve" | "reject" | "return"; reason?: string } {
  const o = cmd.opts<{ approve?: boolean; reject?: boolean; return?: boolean; reason?: string }>();
  const chosen = (["approve", "reject", "return"] as const).filter((k) => o[k]);
  if (chosen.length !== 1) throw usage(`give exactly one of --approve or --reject${cmd.options.some((x) => x.long === "--return") ? " or --return" : ""}`);
  return { decision: chosen[0], reason: o.reason };
}

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { createRng, fakeMobile, fakePersonName, fakeResidentId } from "../../policies/pii/fake/index.js";
import { BIN, cli } from "../helpers/fixture.js";

export const ROWS = 3000;

/** A domain built through the CLI: a provider, a developer, a reviewer, one dataset, an agreement. */
export interface FlowDomain {
  dir: string;
  root: string;
  tok: Record<string, string>;
  run: (who: string, ...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed CLI JSON, shaped per command by each test
  ok: (who: string, ...args: string[]) => Promise<any>;
  /** Runs a CLI command with a fault point armed; resolves with how it ended. */
  fault: (point: string, who: string, ...args: string[]) => Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Builds the domain under `root` (a temp folder); `control`: on that PostgreSQL database (scale-out tests). */
export async function flowDomain(root: string, opts: { control?: string } = {}): Promise<FlowDomain> {
  const dir = join(root, "domain");
  const tok: Record<string, string> = {};
  const run = (who: string, ...args: string[]) => cli(["--domain", dir, "--token", tok[who], "--json", ...args], { SHUYU_LOCK_WAIT_MS: "3000" });
  const ok = async (who: string, ...args: string[]) => {
    const r = await run(who, ...args);
    if (r.code !== 0) throw new Error(`${args.join(" ")} → exit ${r.code}: ${r.stdout} ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const fault = (point: string, who: string, ...args: string[]) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((res, rej) => {
      const child = spawn(process.execPath, [BIN, "--domain", dir, "--token", tok[who], "--json", ...args], { env: { ...process.env, NODE_ENV: "test", SHUYU_FAULT: point }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", rej);
      child.on("exit", (code, signal) => res({ code, signal, stdout, stderr }));
    });
  const init = await cli(["--json", "init", dir, "--operator", "贵州省数据运营", ...(opts.control ? ["--control", opts.control] : [])]);
  tok.admin = JSON.parse(init.stdout).token;
  await ok("admin", "org", "add", "--id", "wjw", "--name", "省卫健委", "--kind", "provider");
  await ok("admin", "org", "add", "--id", "dev1", "--name", "数智科技", "--kind", "developer");
  tok.dev = (await ok("admin", "account", "add", "--id", "alice", "--name", "张三", "--org", "dev1", "--role", "developer")).token;
  tok.prov = (await ok("admin", "account", "add", "--id", "wang", "--name", "王五", "--org", "wjw", "--role", "provider,reviewer")).token;
  tok.rev = (await ok("admin", "account", "add", "--id", "zhao", "--name", "赵六", "--org", "operator", "--role", "reviewer")).token;
  const rng = createRng(7);
  const lines = ["name,id_number,mobile,gender,age,income"];
  for (let i = 0; i < ROWS; i++) lines.push([fakePersonName(rng), fakeResidentId(rng), fakeMobile(rng), i % 2 ? "F" : "M", 20 + (i % 50), 1000 + ((i * 37) % 9000)].join(","));
  writeFileSync(join(root, "people.csv"), lines.join("\n") + "\n");
  writeFileSync(join(root, "agg.js"), `export default async (ctx) => {
    const r = await ctx.query("SELECT gender, count(*)::INTEGER AS n, round(avg(income), -2) AS avg_income FROM people GROUP BY gender ORDER BY gender");
    return { tables: { by_gender: r.columns } };
  };`);
  return { dir, root, tok, run, ok, fault };
}

/** Ingests people.csv as dataset `id`, adds the agreement once. */
export async function ingestPeople(d: FlowDomain, id = "people"): Promise<void> {
  await d.ok("admin", "dataset", "ingest", "--id", id, "--file", join(d.root, "people.csv"), "--provider", "wjw", "--grade", "2");
  await d.ok("admin", "dataset", "tag", id, "--subject", "id_number");
}

/** Ingests people, adds dev1's agreement and has scenario `inc` (granting `columns`) approved by the admin and the provider. */
export async function approvedScenario(d: FlowDomain, columns = "gender,age,income"): Promise<void> {
  await ingestPeople(d);
  await d.ok("admin", "agreement", "add", "--org", "dev1", "--datasets", "people", "--start", "2026-01-01", "--end", "2028-12-31");
  await d.ok("dev", "scenario", "submit", "--id", "inc", "--purpose", "按性别统计收入分布以支持政策制定", "--grant", `people:${columns}`);
  await d.ok("admin", "scenario", "approve", "inc");
  await d.ok("prov", "scenario", "approve", "inc");
}

const sm3 = (file: string) => createHash("sm3").update(readFileSync(file)).digest("hex");
const TEMP = /(\.pending-|\.tmp-|\.old-|^\.pkg-)/;

/**
 * The invariants after any crash: a writer opens the domain (running recovery), the chain
 * and every control row verify, no job is left queued or running, every library and
 * package is complete or absent, and nothing temporary is left behind.
 */
export async function assertConsistent(d: FlowDomain): Promise<void> {
  const open = await d.run("admin", "org", "list");
  expect(open.code, open.stderr).toBe(0);
  const verify = await d.run("admin", "audit", "verify");
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, controlRows: { tampered: [] } });
  const jobs = (await d.ok("admin", "job", "list")) as { id: string; state: string }[];
  for (const j of jobs) expect(["queued", "running"], `job ${j.id}`).not.toContain(j.state);
  for (const folder of ["libraries", "samples", "staging", "outbox"]) {
    for (const n of readdirSync(join(d.dir, folder))) expect(TEMP.test(n), `${folder}/${n} left behind`).toBe(false);
  }
  const scenarios = (await d.ok("admin", "scenario", "list")) as { id: string; state: string }[];
  for (const sc of scenarios) {
    for (const folder of ["libraries", "samples"]) {
      const lib = join(d.dir, folder, sc.id);
      if (sc.state === "approved") {
        const m = JSON.parse(readFileSync(join(lib, "manifest.json"), "utf8")) as { datasets: { file: string; sm3: string }[] };
        for (const ds of m.datasets) expect(sm3(join(lib, ds.file)), `${folder}/${sc.id}/${ds.file}`).toBe(ds.sm3);
      } else {
        expect(existsSync(lib), `${folder}/${sc.id} of a ${sc.state} scenario`).toBe(false);
      }
    }
  }
  const products = (await d.ok("admin", "product", "list")) as { package: string; sm3: string }[];
  const registered = new Set(products.map((p) => p.package.split("/").pop()));
  for (const n of readdirSync(join(d.dir, "outbox"))) expect(registered.has(n), `outbox/${n} unregistered`).toBe(true);
  for (const p of products) expect(sm3(p.package)).toBe(p.sm3);
  const catalog = (await d.ok("admin", "catalog", "list")) as { id: string; rowCount: number }[];
  for (const c of catalog) expect(c.rowCount).toBe(ROWS);
  // A writer open chains the read-only commands' audit records now, so the next command's
  // recovery pass has nothing to do (fault points count transactions from a clean start).
  expect((await d.run("admin", "org", "list")).code).toBe(0);
}

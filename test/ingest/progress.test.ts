/**
 * Ingest reports its phases in order with counts (structure check in bytes, load in rows, PII
 * discovery in columns, catalog), and the CLI draws them as bars on a terminal (a real pseudo-terminal
 * through util-linux `script`), never on a pipe.
 */
import { execFile } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestDataset, type IngestProgress } from "../../runtime/services/datasets.js";
import { addOrg } from "../../runtime/services/orgs.js";
import { as, BIN, cli, newDomain, writeCsv } from "../helpers/fixture.js";

describe("ingest progress", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let file: string;
  beforeAll(async () => {
    env = await newDomain();
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "p1", name: "提供方", kind: "provider" }));
    file = writeCsv(join(env.dir, "..", "r.csv"), ["rid", "grp", "v"], Array.from({ length: 5000 }, (_, i) => [`R${i}`, i % 3, i]));
  });
  afterAll(() => env.cleanup());

  it("phases arrive in order: check (bytes of the file), load (its rows), detect (its columns), catalog", async () => {
    const seen: IngestProgress[] = [];
    await as(env.dir, env.adminToken, (s) => ingestDataset(s, { id: "recs", file, provider: "p1", grade: 1 }, (p) => void seen.push(p)));
    const order = seen.map((p) => p.phase).filter((p, i, a) => a[i - 1] !== p);
    expect(order).toEqual(["check", "load", "detect", "catalog"]);
    const last = (phase: string) => seen.filter((p) => p.phase === phase).at(-1)!;
    expect(last("check")).toEqual({ phase: "check", done: statSync(file).size, total: statSync(file).size, unit: "bytes" });
    expect(last("load")).toEqual({ phase: "load", done: 5000, total: 5000, unit: "rows" });
    expect(last("detect")).toEqual({ phase: "detect", done: 3, total: 3, unit: "columns" });
    expect(last("catalog")).toMatchObject({ done: 1, total: 1 });
  }, 120_000);

  it.skipIf(!existsSync("/usr/bin/script"))("the CLI draws one bar per phase on a terminal, none on a pipe", async () => {
    const args = ["--domain", env.dir, "--token", env.adminToken, "dataset", "ingest", "--id", "recs2", "--file", file, "--provider", "p1", "--grade", "1"];
    const piped = await cli(args);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toMatch(/structure check/);
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const tty = await promisify(execFile)("/usr/bin/script", ["-qec", quoted.replace("recs2", "recs3"), "/dev/null"], { env: { ...process.env, COLUMNS: "120" } });
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what this strips
    const screen = tty.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, "");
    for (const line of [/1\/4 structure check .* \/ 0\.\d MiB/, /2\/4 load .*5,000 rows/, /3\/4 PII discovery .*3 columns/, /4\/4 catalog .*done/]) expect(screen).toMatch(line);
    expect(screen).toMatch(/dataset recs3 version 1: 5000 rows/);
  }, 120_000);
});

/**
 * `npm run demo [-- --rows N] [-- --dir DIR] [-- --no-keep] [-- --scale-out]`: the README's main job, in one
 * process. Its artefacts (data, domain, packages) stay in a named folder it prints, so a newcomer
 * can look at what each step made; `--no-keep` removes them. Exits 0 when every step behaved.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { asShuyuError } from "../../policies/errors.js";
import { progressBar } from "../cli/progress.js";
import { closeSharedPool } from "../jobs/shared-pool.js";
import { startLocalCluster, type LocalCluster } from "../scale/local-cluster.js";
import { runDemo } from "./walkthrough.js";

/** Parses the demo's arguments and runs it; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let rows = 1_000_000;
  let keep = true;
  let dir: string | undefined;
  let scaleOut = false;
  try {
    const { values } = parseArgs({ args: argv, options: { rows: { type: "string" }, keep: { type: "boolean" }, "no-keep": { type: "boolean" }, dir: { type: "string" }, "scale-out": { type: "boolean" } }, strict: true });
    scaleOut = values["scale-out"] === true;
    if (values.rows !== undefined) {
      rows = Number(values.rows.replace(/[_,]/g, ""));
      if (!Number.isInteger(rows) || rows < 200) throw new Error(`--rows must be a whole number ≥ 200 (got ${values.rows})`);
    }
    keep = !values["no-keep"];
    // A named folder by the minute, so two runs do not mix and the printed path says when it was made.
    dir = values.dir ?? (keep ? join(tmpdir(), `shuyu-demo-${new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-")}`) : undefined);
  } catch (err) {
    process.stderr.write(`shuyu demo: USAGE: ${(err as Error).message}\nusage: npm run demo -- [--rows N] [--dir DIR] [--no-keep] [--scale-out]\n`);
    return 1;
  }
  process.stdout.write(`shuyu demo: ${rows.toLocaleString("en-US")} people, end to end${dir ? `; artefacts in ${dir}` : ""}\n`);
  const bar = progressBar("generate", process.stderr.isTTY === true, "rows");
  let cluster: LocalCluster | undefined;
  try {
    if (scaleOut) {
      // PostgreSQL, the S3 server and two `shuyu worker` processes on loopback (docs/scale-out.md).
      const t = performance.now();
      cluster = await startLocalCluster({ root: join(dir ?? tmpdir(), `shuyu-scale-${process.pid}`), hosts: 2 });
      process.stdout.write(`${((performance.now() - t) / 1000).toFixed(2).padStart(7)} s  ${"scale-out".padEnd(18)} PostgreSQL, S3 ${cluster.s3.endpoint}, worker hosts ${cluster.hosts.map((h) => h.id).join(", ")}\n`);
    }
    const r = await runDemo({ rows, keep, dir, control: cluster?.controlUrl, onProgress: (d, t) => (d >= t ? bar.stop() : bar.update(d, t)) });
    if (keep) process.stdout.write(`kept in ${r.dir}: data/ (the generated files), domain/ (open it with SHUYU_DOMAIN=${r.dir}/domain), domain/outbox/ (the sealed packages)\n`);
    return 0;
  } catch (err) {
    const e = asShuyuError(err);
    process.stderr.write(`shuyu demo: ${e.code}: ${e.message}\n`);
    if (process.env.SHUYU_DEBUG && e.cause instanceof Error) process.stderr.write(`${e.cause.stack}\n`);
    return e.exitCode;
  } finally {
    bar.stop();
    await cluster?.stop();
    await closeSharedPool();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}

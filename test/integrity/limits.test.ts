import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync, readdirSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../runtime/server/serve.js";
import { cli, tempDir } from "../helpers/fixture.js";
import { approvedScenario, flowDomain, type FlowDomain } from "./fixture.js";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("limits on every input, and permissions", () => {
  const t = tempDir("shuyu-limits-");
  let d: FlowDomain;
  beforeAll(async () => {
    d = await flowDomain(t.dir);
    await approvedScenario(d);
  }, 300_000);
  afterAll(() => t.cleanup());

  const code = (r: { stdout: string }) => JSON.parse(r.stdout).error?.code;

  it("job params nested 4,000 deep: INPUT_TOO_DEEP, nothing recorded", async () => {
    const r = await d.run("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "agg.js"), "--params", `{"a":${nested(4000)}}`);
    expect(r.code).toBe(3);
    expect(code(r)).toBe("INPUT_TOO_DEEP");
    expect(await d.ok("dev", "job", "list")).toEqual([]);
  });

  it("an HTTP body nested 4,000 deep is refused and the server keeps serving everyone", async () => {
    const srv: RunningServer = await startServer({ dir: d.dir, port: 0, logLevel: false });
    try {
      const res = await fetch(`${srv.url}/api/jobs`, { method: "POST", headers: { authorization: `Bearer ${d.tok.dev}`, "content-type": "application/json" }, body: `{"scenario":"inc","sql":"SELECT 1","params":${nested(4000)}}` });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("INPUT_TOO_DEEP");
      const ok = await fetch(`${srv.url}/api/whoami`, { headers: { authorization: `Bearer ${d.tok.admin}` } });
      expect(ok.status).toBe(200);
    } finally {
      await srv.close();
    }
  });

  it("a JSON file nested 5,000 deep and a NUL in a CSV header are clear invalid-input errors", async () => {
    writeFileSync(join(t.dir, "deep.json"), `[{"a":${nested(5000)}}]`);
    let r = await d.run("admin", "dataset", "ingest", "--id", "deep", "--file", join(t.dir, "deep.json"), "--provider", "wjw", "--grade", "2");
    expect([r.code, code(r)]).toEqual([3, "INPUT_TOO_DEEP"]);
    writeFileSync(join(t.dir, "nul.csv"), "id,na\0me\n1,x\n");
    r = await d.run("admin", "dataset", "ingest", "--id", "nul", "--file", join(t.dir, "nul.csv"), "--provider", "wjw", "--grade", "2");
    expect([r.code, code(r)]).toEqual([3, "INGEST_NUL_IN_HEADER"]);
  });

  it("a one-row CSV with 5,000 columns is TOO_WIDE; 300 columns ingest", async () => {
    const wide = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`).join(",") + "\n" + Array.from({ length: n }, (_, i) => String(i)).join(",") + "\n";
    writeFileSync(join(t.dir, "wide.csv"), wide(5000));
    let r = await d.run("admin", "dataset", "ingest", "--id", "wide", "--file", join(t.dir, "wide.csv"), "--provider", "wjw", "--grade", "2");
    expect([r.code, code(r)]).toEqual([3, "TOO_WIDE"]);
    writeFileSync(join(t.dir, "w300.csv"), wide(300));
    r = await d.run("admin", "dataset", "ingest", "--id", "w300", "--file", join(t.dir, "w300.csv"), "--provider", "wjw", "--grade", "2");
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout).columns.length).toBe(300);
  }, 240_000);

  it("package verify refuses /dev/zero, a FIFO, a folder and an oversize file", async () => {
    const fifo = join(t.dir, "pipe");
    execFileSync("mkfifo", [fifo]);
    for (const f of ["/dev/zero", fifo, t.dir]) {
      const r = await cli(["--json", "package", "verify", f]);
      expect([r.code, code(r)]).toEqual([3, "NOT_A_FILE"]);
    }
    writeFileSync(join(t.dir, "big.tar"), Buffer.alloc(4096));
    const r = await cli(["--json", "package", "verify", join(t.dir, "big.tar")], { SHUYU_MAX_PACKAGE_BYTES: "1024" });
    expect([r.code, code(r)]).toEqual([3, "INPUT_TOO_LARGE"]);
  });

  it("the domain folder is 0700 and every file in it 0600, including libraries, samples and staging", async () => {
    await d.ok("dev", "job", "submit", "--scenario", "inc", "--model", join(t.dir, "agg.js"));
    const walk = (p: string) => {
      const st = statSync(p);
      if (st.isDirectory()) {
        expect((st.mode & 0o777).toString(8), p).toBe("700");
        for (const n of readdirSync(p)) walk(join(p, n));
      } else {
        expect((st.mode & 0o777).toString(8), p).toBe("600");
      }
    };
    walk(d.dir);
  });

  it("init refuses a world-writable parent folder", async () => {
    const open = join(t.dir, "open");
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await cli(["--json", "init", join(open, "dom"), "--operator", "x"]);
    expect([r.code, code(r)]).toEqual([3, "UNSAFE_PARENT"]);
  });
});

import { spawn } from "node:child_process";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addOrg } from "../../runtime/services/orgs.js";
import { BIN, as, cli, newDomain } from "../helpers/fixture.js";

const ROWS = 3_000_000;

describe("R1 ingest survives SIGKILL: the domain opens, the dataset is absent or complete, the chain verifies", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let csv: string;
  beforeAll(async () => {
    env = await newDomain();
    await as(env.dir, env.adminToken, (s) => addOrg(s, { id: "prov", name: "提供方", kind: "provider" }));
    csv = join(env.dir, "..", "big.csv");
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    await c.run(`COPY (SELECT i AS id, 'name' || i AS name, 13800000000 + i AS mobile, (i * 7) % 1000 AS amount FROM range(${ROWS}) t(i)) TO '${csv}' (HEADER)`);
    c.closeSync();
  });
  afterAll(() => env.cleanup());

  for (const delayMs of [300, 900, 1800]) {
    it(`killed after ${delayMs} ms`, async () => {
      const child = spawn(process.execPath, [BIN, "--domain", env.dir, "--token", env.adminToken, "dataset", "ingest", "--id", "big", "--file", csv, "--provider", "prov", "--grade", "2"], { stdio: "ignore" });
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill("SIGKILL");
      await new Promise((r) => child.on("exit", r));
      const list = await cli(["--domain", env.dir, "--token", env.adminToken, "--json", "catalog", "list"]);
      expect(list.code).toBe(0);
      const entry = (JSON.parse(list.stdout) as { id: string; rowCount: number }[]).find((e) => e.id === "big");
      if (entry) expect(entry.rowCount).toBe(ROWS);
      const verify = await cli(["--domain", env.dir, "--token", env.adminToken, "--json", "audit", "verify"]);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
      expect(verify.code).toBe(0);
    });
  }
});

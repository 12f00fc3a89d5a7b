import { join } from "node:path";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/fixture.js";
import { assertConsistent, flowDomain, ingestPeople, type FlowDomain } from "./fixture.js";

/**
 * SIGKILL at each named step of ingest, approval, job, staging, egress request, review
 * and package write (runtime/domain/faults.ts). After each: the domain opens, the chain
 * and control rows verify, every object is absent or complete, no job is stuck — and the
 * interrupted action can simply be run again.
 */
describe("fault injection: a crash at any named step leaves nothing or everything", { timeout: 300_000 }, () => {
  const t = tempDir("shuyu-faults-");
  let d: FlowDomain;
  // Read-only commands leave audit records for the next writer to chain (a transaction of its
  // own); a writer open chains them now so each fault point counts from a clean start.
  const settle = async () => expect((await d.run("admin", "org", "list")).code).toBe(0);
  const killed = async (point: string, who: string, ...args: string[]) => {
    const r = await d.fault(point, who, ...args);
    expect(r.signal, `${point}: ${r.stdout} ${r.stderr}`).toBe("SIGKILL");
  };

  beforeAll(async () => {
    d = await flowDomain(t.dir);
    await ingestPeople(d);
    await d.ok("admin", "agreement", "add", "--org", "dev1", "--datasets", "people", "--start", "2026-01-01", "--end", "2028-12-31");
  }, 240_000);
  afterAll(() => t.cleanup());

  const ingestPoints = ["ingest.after-load", "tx.before-commit:dataset.ingest", "audit.after-append:dataset.ingest", "tx.after-commit:dataset.ingest"];
  for (const [i, point] of ingestPoints.entries()) {
    it(`ingest killed at ${point}`, async () => {
      await killed(point, "admin", "dataset", "ingest", "--id", `p${i}`, "--file", join(t.dir, "people.csv"), "--provider", "wjw", "--grade", "2");
      await assertConsistent(d);
      const listed = ((await d.ok("admin", "catalog", "list")) as { id: string }[]).some((c) => c.id === `p${i}`);
      // Before the commit: absent. After it: present and complete (checked by assertConsistent).
      expect(listed).toBe(point.startsWith("tx.after-commit"));
      await settle();
    });
  }

  const approvePoints = ["approve.after-library", "approve.after-sample", "tx.before-commit:scenario.approve", "audit.after-append:scenario.approve", "tx.after-commit:scenario.approve"];
  for (const [i, point] of approvePoints.entries()) {
    it(`final approval (library materialisation) killed at ${point}`, async () => {
      const id = `s${i}`;
      await d.ok("dev", "scenario", "submit", "--id", id, "--purpose", "按性别统计收入分布以支持政策制定", "--grant", "people:gender,age,income");
      await d.ok("admin", "scenario", "approve", id);
      await killed(point, "prov", "scenario", "approve", id);
      await assertConsistent(d);
      const sc = await d.ok("admin", "scenario", "show", id);
      expect(sc.state).toBe(point.startsWith("tx.after-commit") ? "approved" : "submitted");
      if (sc.state === "submitted") expect((await d.ok("prov", "scenario", "approve", id)).state).toBe("approved");
      await assertConsistent(d);
    }, 300_000);
  }

  const sql = ["--sql", "SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender ORDER BY gender"];
  const jobPoints: [string, string][] = [["job.before-run", "failed"], ["job.after-run", "failed"], ["job.after-staging", "failed"], ["tx.after-commit:job.succeeded", "succeeded"]];
  for (const [point, state] of jobPoints) {
    it(`job submit killed at ${point}`, async () => {
      const before = new Set(((await d.ok("admin", "job", "list")) as { id: string }[]).map((j) => j.id));
      await killed(point, "dev", "job", "submit", "--scenario", "s0", ...sql);
      await assertConsistent(d);
      const job = ((await d.ok("admin", "job", "list")) as { id: string; state: string; reason: string | null }[]).find((j) => !before.has(j.id))!;
      expect(job).toMatchObject({ state });
      if (state === "failed") {
        expect(job.reason).toBe("INTERRUPTED");
        expect(existsSync(join(d.dir, "staging", job.id))).toBe(false);
      }
      await settle();
    }, 300_000);
  }

  let jobId = "";
  it("egress request killed at egress.after-checks and tx.after-commit", async () => {
    jobId = (await d.ok("dev", "job", "submit", "--scenario", "s0", "--model", join(t.dir, "agg.js"))).id;
    await killed("egress.after-checks", "dev", "egress", "request", "--job", jobId, "--form", "dataset");
    await assertConsistent(d);
    expect(await d.ok("dev", "egress", "list")).toEqual([]);
    await settle();
    await killed("tx.after-commit:egress.request", "dev", "egress", "request", "--job", jobId, "--form", "dataset");
    await assertConsistent(d);
    const reqs = (await d.ok("dev", "egress", "list")) as { state: string }[];
    expect(reqs.map((r) => r.state)).toEqual(["checked"]);
    await settle();
  }, 300_000);

  const reviewPoints = ["review.before-release", "release.after-package", "tx.before-commit:product.register", "audit.after-append:product.register", "tx.after-commit:product.register"];
  it(`review and package write killed at ${reviewPoints.join(", ")}`, async () => {
    const req = ((await d.ok("admin", "egress", "list")) as { id: string; state: string }[])[0];
    await settle();
    for (const point of reviewPoints) {
      await killed(point, "rev", "egress", "review", req.id, "--approve", "--reason", "聚合结果满足门限");
      await assertConsistent(d);
      const state = (await d.ok("admin", "egress", "show", req.id)).state;
      const products = (await d.ok("admin", "product", "list")) as unknown[];
      expect({ point, state, products: products.length }).toEqual({ point, state: point.startsWith("tx.after-commit") ? "released" : "checked", products: point.startsWith("tx.after-commit") ? 1 : 0 });
      await settle();
    }
    const pkg = ((await d.ok("admin", "product", "list")) as { package: string }[])[0].package;
    expect((await d.run("dev", "package", "verify", pkg)).code).toBe(0);
  }, 600_000);
});

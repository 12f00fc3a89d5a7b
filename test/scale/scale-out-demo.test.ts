import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { authenticate } from "../../runtime/auth/authenticate.js";
import { runDemo } from "../../runtime/demo/walkthrough.js";
import { Domain } from "../../runtime/domain/domain.js";
import { jobStatus } from "../../runtime/services/jobs.js";
import { startLocalCluster, type LocalCluster } from "../../runtime/scale/local-cluster.js";
import { TEST_CONTROL } from "../helpers/fixture.js";
import { ensureWorkerBuilt } from "../sandbox/fixtures.js";

describe.runIf(TEST_CONTROL === "postgresql")("the demo flow in scale-out mode: control and audit on PostgreSQL, raw runs on worker-host processes", () => {
  const root = mkdtempSync(join(tmpdir(), "shuyu-scale-demo-"));
  let cluster: LocalCluster;
  beforeAll(async () => {
    ensureWorkerBuilt();
    cluster = await startLocalCluster({ root: join(root, "cluster"), hosts: 2, adminUrl: inject("pgAdminUrl") });
  });
  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs end to end: the raw run is claimed by a host from the queue, staged by the owner, released and verified", async () => {
    const r = await runDemo({ rows: 1000, dir: join(root, "demo"), keep: true, control: cluster.controlUrl, print: () => undefined });
    const host = r.steps.find((s) => s.step === "worker host");
    expect(host?.result).toMatch(new RegExp(`ran on worker host (${cluster.hosts.map((h) => h.id).join("|")})`));
    expect(r.aggregate.state).toBe("released");
    expect(r.extract.state).toBe("blocked");
    expect(r.packageVerified.ok).toBe(true);
    expect(r.audit.ok).toBe(true);
    // job status (operator view) names the host too.
    const d = await Domain.open(join(root, "demo", "domain"), { readOnly: true });
    try {
      const status = await jobStatus({ domain: d, principal: await authenticate(d, r.tokens.admin) }, r.aggregate.job);
      expect(cluster.hosts.map((h) => h.id)).toContain(status.worker);
    } finally {
      d.close();
    }
  });
});

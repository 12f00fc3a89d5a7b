import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSeal } from "../../runtime/domain/seal.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { accessLogDir } from "../../runtime/lifecycle/access-log.js";
import { exportAudit, verifyAuditExport } from "../../runtime/lifecycle/audit-export.js";
import { pruneAccessLogs, retentionPolicy } from "../../runtime/lifecycle/retention.js";
import { buildServer } from "../../runtime/server/app.js";
import { packTar, unpackTar } from "../../runtime/egress/tar.js";
import { today } from "../../runtime/clock.js";
import { cli, tempDir } from "../helpers/fixture.js";
import { lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";
import { api } from "./world.js";

describe("R3 R7 retention: a durable access log, sealed audit exports, nothing deleted inside the window", () => {
  let w: LifecycleWorld;
  beforeAll(async () => {
    w = await lifecycleWorld();
    const built = await buildServer({ domain: w.domain, seal: loadSeal(w.domain.paths.keys), logLevel: false });
    const url = await built.app.listen({ port: 0, host: "127.0.0.1" });
    await api(url, "GET", "/api/catalog/people?sample=true&rows=7&secret=QUERYVALUE9", w.tokens.alice);
    await api(url, "POST", `/api/api-products/${w.ids.api}/call`, w.tokens.carol, { params: { gender: "BODYVALUE-7Q" } });
    await api(url, "GET", "/api/agreements", "nobody.bad-token-value");
    await built.app.close();
    await built.products.close();
  }, 180_000);
  afterAll(async () => {
    await closeSharedPool();
    await w?.close();
  });

  it("R3 the access log is in the domain, one file per day, with route, status and account but never a token, query or body value", () => {
    const file = join(accessLogDir(w.env.dir), `access-${today()}.jsonl`);
    const text = readFileSync(file, "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.method, l.route, l.status, l.account])).toEqual([
      ["GET", "/api/catalog/:id", 200, "alice"],
      ["POST", "/api/api-products/:id/call", 200, "carol"],
      ["GET", "/api/agreements", 401, null],
    ]);
    for (const secret of [w.tokens.alice, w.tokens.carol, "bad-token-value", "QUERYVALUE9", "BODYVALUE-7Q", "rows=7"]) expect(text).not.toContain(secret);
  });

  it("R7 audit export writes a sealed archive of the chain and logs that verifies on its own; a changed byte fails", async () => {
    const r = await exportAudit(await w.session(w.tokens.admin), { from: today(), to: today() });
    expect(r.entries).toBeGreaterThan(20);
    expect(r.logs).toBe(1);
    const v = verifyAuditExport(r.archive);
    expect(v).toMatchObject({ ok: true, entries: r.entries, domain: w.domain.info.id });
    const parts = unpackTar(r.archive);
    const log = parts.find((p) => p.name.startsWith("logs/"))!;
    log.data = Buffer.from(Buffer.from(log.data).toString("utf8").replace('"status":200', '"status":201'));
    expect(() => verifyAuditExport(packTar(parts))).toThrow(/does not verify/);
    const chain = unpackTar(r.archive);
    const c = chain.find((p) => p.name === "chain.jsonl")!;
    const lines = Buffer.from(c.data).toString("utf8").trim().split("\n");
    lines.splice(3, 1);
    c.data = Buffer.from(lines.join("\n") + "\n");
    expect(() => verifyAuditExport(packTar(chain))).toThrow(/does not verify/);
    await expect(exportAudit(await w.session(w.tokens.alice), { from: today(), to: today() })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    await expect(exportAudit(await w.session(w.tokens.admin), { from: "2026-13-01", to: today() })).rejects.toMatchObject({ code: "INVALID_EXPORT" });
  });

  it("R3 nothing inside the five-year window can be deleted; older access logs can", async () => {
    const admin = await w.session(w.tokens.admin);
    const dir = accessLogDir(w.env.dir);
    writeFileSync(join(dir, "access-2019-03-01.jsonl"), "{}\n");
    const policy = await retentionPolicy(admin);
    expect(policy.years).toBe(5);
    expect(policy.rules.map((x) => x.cite)).toEqual(["GZ 7", "HLJ 29", "HB 18"]);
    await expect(pruneAccessLogs(admin, { before: today() })).rejects.toMatchObject({ code: "RETENTION_WINDOW" });
    await expect(pruneAccessLogs(admin, { before: policy.keptFrom })).resolves.toMatchObject({ deleted: ["access-2019-03-01.jsonl"] });
    await expect(pruneAccessLogs(await w.session(w.tokens.alice), { before: "2020-01-01" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(readFileSync(join(dir, `access-${today()}.jsonl`), "utf8").length).toBeGreaterThan(0);
  });

  it("R7 the CLI exports and anyone verifies the export (--json); a bad period is a typed error", async () => {
    const t = tempDir();
    const dir = w.env.dir;
    await w.runtime.close();
    w.domain.close();
    try {
      const env = { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.admin };
      const out = join(t.dir, "audit.tar");
      const e = await cli(["--json", "audit", "export", "--from", today(), "--to", today(), "--out", out], env);
      expect(e.code).toBe(0);
      const v = await cli(["--json", "audit", "verify-export", out]);
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).state).toBe("valid");
      const bad = await cli(["audit", "export", "--from", "2026-12-31", "--to", "2026-01-01", "--out", out], env);
      expect(bad.code).toBe(3);
      expect(bad.stderr).toMatch(/INVALID_PERIOD/);
    } finally {
      t.cleanup();
      const { Domain } = await import("../../runtime/domain/domain.js");
      w.domain = await Domain.open(dir);
    }
  }, 120_000);
});

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { createBackup, restoreBackup, verifyBackup } from "../../runtime/lifecycle/backup.js";
import { submitJob } from "../../runtime/services/jobs.js";
import { as, cli, tempDir } from "../helpers/fixture.js";
import { lifecycleWorld } from "../helpers/lifecycle-world.js";
import { listAgreements } from "../../runtime/services/agreements.js";
import { listProducts } from "../../runtime/services/egress.js";
import { verifyAudit } from "../../runtime/services/audit.js";

const PASS = "备份口令-correct-horse-battery";

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("R5 backup and restore", () => {
  afterAll(() => closeSharedPool());

  it("R5 HLJ 16, ZJ 17 backup: a snapshot taken while a job runs is consistent and sealed, keys encrypted; restore rebuilds a domain whose audit chain verifies", async () => {
    const w = await lifecycleWorld();
    const t = tempDir();
    try {
      const slow = `${w.model}.slow.js`;
      writeFileSync(slow, `export default async (ctx) => { const t = Date.now(); while (Date.now() - t < 2000) {} return { tables: { t: (await ctx.query("SELECT gender, count(*)::INTEGER AS n FROM people GROUP BY gender")).columns } }; };`);
      const running = submitJob(await w.session(w.tokens.alice), { scenario: "stats", model: slow });
      await new Promise((r) => setTimeout(r, 500));
      const admin = await w.session(w.tokens.admin);
      await expect(createBackup(admin, join(t.dir, "short"), "short")).rejects.toMatchObject({ code: "PASSPHRASE_REQUIRED" });
      await expect(createBackup(await w.session(w.tokens.alice), join(t.dir, "dev"), PASS)).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
      const b = await createBackup(admin, join(t.dir, "b1"), PASS);
      expect((await running).state).toBe("succeeded");
      expect(b.files).toBeGreaterThan(10);
      // Keys never appear in clear: neither the pseudonym secret nor the seal passphrase.
      const secrets = ["pseudonym.key", "seal.pass"].map((f) => readFileSync(join(w.domain.paths.keys, f), "utf8").trim());
      for (const f of filesUnder(b.dir)) for (const secret of secrets) expect(readFileSync(f).includes(secret), f).toBe(false);
      expect(verifyBackup(b.dir).auditHead).toEqual(b.auditHead);
      await expect(restoreBackup(b.dir, join(t.dir, "r0"), "wrong passphrase!!")).rejects.toMatchObject({ code: "WRONG_PASSPHRASE" });
      await expect(restoreBackup(b.dir, join(t.dir, "r0"), PASS, "00".repeat(32))).rejects.toMatchObject({ code: "SEAL_MISMATCH" });
      const r = await restoreBackup(b.dir, join(t.dir, "r1"), PASS);
      expect(r.auditOk).toBe(true);
      expect((await as(r.dir, w.tokens.admin, verifyAudit)).ok).toBe(true);
      expect((await as(r.dir, w.tokens.admin, listAgreements)).map((a) => a.id)).toEqual(["agr1"]);
      expect((await as(r.dir, w.tokens.admin, listProducts)).map((p) => p.id)).toEqual([w.ids.product]);
      // A tampered backup is refused before anything is written.
      const victim = filesUnder(join(b.dir, "vault")).find((f) => f.endsWith(".parquet"))!;
      const bytes = readFileSync(victim);
      bytes[bytes.length - 20] ^= 1;
      writeFileSync(victim, bytes);
      await expect(restoreBackup(b.dir, join(t.dir, "r2"), PASS)).rejects.toMatchObject({ code: "BACKUP_TAMPERED" });
      writeFileSync(join(b.dir, "extra.txt"), "x");
      expect(() => verifyBackup(b.dir)).toThrow(/BACKUP_TAMPERED|differs|added/);
    } finally {
      await w.close();
      t.cleanup();
    }
  }, 180_000);

  it("R5 the CLI backs up and restores with --json; audit verify passes in the restored domain", async () => {
    const w = await lifecycleWorld();
    const dir = w.env.dir;
    await w.runtime.close();
    w.domain.close();
    const t = tempDir();
    try {
      const env = { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.admin, BK_PASS: PASS };
      const b = await cli(["--json", "backup", join(t.dir, "b"), "--passphrase-env", "BK_PASS"], env);
      expect(b.code).toBe(0);
      expect(JSON.parse(b.stdout).manifestSm3).toMatch(/^[0-9a-f]{64}$/);
      const missing = await cli(["backup", join(t.dir, "b2"), "--passphrase-env", "NOPE"], env);
      expect(missing.code).toBe(1);
      const r = await cli(["--json", "restore", join(t.dir, "b"), join(t.dir, "r"), "--passphrase-env", "BK_PASS"], env);
      expect(r.code).toBe(0);
      const v = await cli(["--json", "audit", "verify"], { SHUYU_DOMAIN: join(t.dir, "r"), SHUYU_TOKEN: w.tokens.admin });
      expect(v.code).toBe(0);
      expect(JSON.parse(v.stdout).ok).toBe(true);
    } finally {
      w.env.cleanup();
      t.cleanup();
    }
  }, 180_000);
});

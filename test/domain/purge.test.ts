import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { all } from "../../runtime/domain/db.js";
import { closeSharedPool } from "../../runtime/jobs/shared-pool.js";
import { showAgreement, terminateOrg } from "../../runtime/lifecycle/org-exit.js";
import { addAgreement, changeAgreement, listAgreements } from "../../runtime/services/agreements.js";
import { verifyAudit } from "../../runtime/services/audit.js";
import { ingestDataset } from "../../runtime/services/datasets.js";
import { listEgress } from "../../runtime/services/egress.js";
import { changeScenario, showScenario } from "../../runtime/services/scenarios.js";
import { cli, writeCsv } from "../helpers/fixture.js";
import { lifecycleWorld, type LifecycleWorld } from "../helpers/lifecycle-world.js";

const MARKER = "PRG7QX-ORGDATA";

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Where the marker's bytes are: every file of the domain except the audit chain (which keeps SM3s, never values). */
function filesHolding(w: LifecycleWorld, needle: string): string[] {
  return filesUnder(w.env.dir).filter((f) => !f.includes(`${join("audit", "chain.jsonl")}`) && statSync(f).size > 0 && readFileSync(f).includes(needle));
}

/** Vault tables with a text cell containing the needle. */
async function vaultTablesHolding(w: LifecycleWorld, needle: string): Promise<string[]> {
  const out: string[] = [];
  const tables = await all<{ table_name: string }>(w.domain.vault, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()");
  for (const t of tables) {
    const hit = await all(w.domain.vault, `SELECT 1 FROM "${t.table_name}" AS x WHERE position(? IN CAST(x AS VARCHAR)) > 0 LIMIT 1`, [needle]);
    if (hit.length) out.push(t.table_name);
  }
  return out;
}

describe("R3 purge that is complete and provable", () => {
  afterAll(() => closeSharedPool());

  it("R3 termination deletes libraries, samples, staged, gate and ledger tables and packages, rejects pending requests, delists products, revokes accounts, and proves it with a receipt of SM3s", async () => {
    const w = await lifecycleWorld({ marker: MARKER });
    try {
      const admin = await w.session(w.tokens.admin);
      // The marker is where an organisation's outputs live before the purge (the test can see it).
      expect(await vaultTablesHolding(w, MARKER)).not.toEqual([]);
      // Checkpointed, with later data after them, the staged rows sit in vault.duckdb's inner blocks, where a plain DROP would leave them.
      await w.domain.vault.run("CHECKPOINT");
      const big = writeCsv(join(w.env.dir, "..", "later.csv"), ["k", "v"], Array.from({ length: 30_000 }, (_, i) => [`k${i}`, (i * 7919) % 100_003]));
      await ingestDataset(admin, { id: "later", file: big, provider: "wjw", grade: 1 });
      await w.domain.vault.run("CHECKPOINT");
      expect(filesHolding(w, MARKER).some((f) => f.includes("outbox"))).toBe(true);
      expect(filesHolding(w, MARKER).some((f) => f.endsWith("vault.duckdb"))).toBe(true);
      const t = await changeAgreement(admin, "agr1", "terminate", "严重违约");
      expect(t.state).toBe("terminated");
      const receipt = t.purged!.receipt;
      // No byte of the organisation's data is left: no file, no vault cell, not even in the vault file's free blocks.
      expect(await vaultTablesHolding(w, MARKER)).toEqual([]);
      expect(filesHolding(w, MARKER)).toEqual([]);
      expect(existsSync(w.domain.paths.library("stats"))).toBe(false);
      expect(existsSync(w.domain.paths.sampleLibrary("stats"))).toBe(false);
      for (const j of [w.ids.released, w.ids.requested, w.ids.fresh]) expect(existsSync(w.domain.paths.jobStaging(j))).toBe(false);
      // Shared bookkeeping tables (the ledger's query index, the gate's released cells and raw facts)
      // may remain, but hold no row of the purged jobs.
      const shared = ["led_queries", "released_cells", "released_cell_subjects", "gate_raw_facts"];
      const left = await all<{ table_name: string }>(w.domain.vault, "SELECT table_name FROM duckdb_tables() WHERE table_name NOT LIKE 'ds\\_%' ESCAPE '\\'");
      expect(left.map((x) => x.table_name).filter((t) => !shared.includes(t))).toEqual([]);
      if (left.some((x) => x.table_name === "led_queries")) {
        for (const j of [w.ids.released, w.ids.requested, w.ids.fresh]) {
          expect((await all(w.domain.vault, "SELECT 1 FROM led_queries WHERE job = ?", [j])).length).toBe(0);
        }
      }
      // The receipt lists each item with its SM3 and the counts.
      expect(receipt.items.filter((i) => i.kind === "library").length).toBeGreaterThan(0);
      expect(receipt.items.filter((i) => i.kind === "sample").length).toBeGreaterThan(0);
      expect(receipt.items.filter((i) => i.kind === "package").length).toBe(1);
      expect(receipt.items.filter((i) => i.kind === "vault-table").map((i) => i.name).sort()).toEqual(
        expect.arrayContaining([expect.stringMatching(/^stg_job_/), expect.stringMatching(/^egr_/)]),
      );
      for (const i of receipt.items) expect(i.sm3).toMatch(/^[0-9a-f]{64}$/);
      expect(receipt.rejectedRequests).toEqual([w.ids.pending]);
      expect(receipt.delistedProducts).toEqual([w.ids.product]);
      expect(receipt.delistedApiProducts).toEqual([w.ids.api]);
      expect(receipt.revokedAccounts).toEqual(["alice", "carol"]);
      expect(receipt.vaultWipe.ok).toBe(true);
      expect(receipt.counts).toMatchObject({ rejectedRequests: 1, delistedProducts: 2, revokedAccounts: 2, scenarios: 1 });
      const pending = (await listEgress(admin)).find((e) => e.id === w.ids.pending)!;
      expect(pending.state).toBe("rejected");
      expect(pending.reviews.at(-1)).toMatchObject({ by: "system", decision: "reject" });
      expect(pending.reviews.at(-1)!.reason).toMatch(/agr1 terminated/);
      expect((await w.products()).every((p) => p.state === "delisted")).toBe(true);
      // The receipt is in the audit chain and `agreement show` shows it.
      const entry = (await w.domain.auditEntries()).find((e) => e.action === "purge.receipt")!;
      expect((entry.details.receipt as { id: string }).id).toBe(receipt.id);
      const shown = await showAgreement(admin, "agr1");
      expect(shown.purges.map((p) => p.id)).toEqual([receipt.id]);
      expect(shown.purges[0].sm3).toMatch(/^[0-9a-f]{64}$/);
      expect((await verifyAudit(admin)).ok).toBe(true);
    } finally {
      await w.close();
    }
  }, 180_000);

  it("R3 ending one of two agreements ends only its scope; the organisation's accounts are revoked when its last agreement ends, and expiry purges like termination", async () => {
    const w = await lifecycleWorld();
    try {
      const admin = await w.session(w.tokens.admin);
      const file = writeCsv(join(w.env.dir, "..", "places.csv"), ["district", "n"], [["a", 1], ["b", 2]]);
      await ingestDataset(admin, { id: "places", file, provider: "wjw", grade: 1 });
      await addAgreement(admin, { id: "agr2", org: "dev1", datasets: ["places"], start: "2026-01-01", end: "2027-12-31" });
      const t = await changeAgreement(admin, "agr1", "terminate", "该场景违约");
      expect(t.purged!.receipt.revokedAccounts).toEqual([]);
      expect((await listAgreements(admin)).find((a) => a.id === "agr2")?.state).toBe("active");
      expect((await w.session(w.tokens.alice)).principal.accountId).toBe("alice");
      // agr2 lapses: expiry purges and, being the last agreement, closes every permission (HLJ 29).
      const { atTime } = await import("../helpers/fixture.js");
      await atTime("2028-01-01T00:00:00Z", async () => {
        const after = await listAgreements(admin);
        expect(after.find((a) => a.id === "agr2")?.state).toBe("expired");
        const shown = await showAgreement(admin, "agr2");
        expect(shown.purges[0]).toMatchObject({ cause: "expired", revokedAccounts: ["alice", "carol"] });
      });
      await expect(w.session(w.tokens.carol)).rejects.toMatchObject({ code: "ACCOUNT_REVOKED" });
    } finally {
      await w.close();
    }
  }, 180_000);

  it("R3 scenario revoke purges that scenario's library, sample and outputs; org terminate ends every agreement", async () => {
    const w = await lifecycleWorld();
    try {
      const admin = await w.session(w.tokens.admin);
      await changeScenario(admin, "stats", "revoke", "超出授权范围");
      expect(existsSync(w.domain.paths.library("stats"))).toBe(false);
      expect(existsSync(w.domain.paths.sampleLibrary("stats"))).toBe(false);
      expect(existsSync(w.domain.paths.jobStaging(w.ids.fresh))).toBe(false);
      expect((await showScenario(admin, "stats")).state).toBe("revoked");
      expect((await listAgreements(admin)).find((a) => a.id === "agr1")?.state).toBe("active");
      const r = await terminateOrg(admin, "dev1", "考核不合格，予以清退");
      expect(r.revokedAccounts).toEqual(["alice", "carol"]);
      expect((await listAgreements(admin)).find((a) => a.id === "agr1")?.state).toBe("terminated");
      await expect(terminateOrg(admin, "dev1", "again")).rejects.toMatchObject({ code: "ILLEGAL_TRANSITION" });
      await expect(terminateOrg(admin, "wjw", "x")).rejects.toMatchObject({ code: "NOT_A_DEVELOPER" });
    } finally {
      await w.close();
    }
  }, 180_000);

  it("R3 the CLI shows the agreement with its purge receipt (--json) and refuses bad input with a typed error", async () => {
    const w = await lifecycleWorld();
    const dir = w.env.dir;
    try {
      await changeAgreement(await w.session(w.tokens.admin), "agr1", "terminate", "严重违约");
    } finally {
      await w.runtime.close();
      w.domain.close();
    }
    try {
      const env = { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.admin };
      const shown = await cli(["--json", "agreement", "show", "agr1"], env);
      expect(shown.code).toBe(0);
      const j = JSON.parse(shown.stdout);
      expect(j.state).toBe("terminated");
      expect(j.purges[0].counts.vaultTables).toBeGreaterThan(0);
      const human = await cli(["agreement", "show", "agr1"], env);
      expect(human.stdout).toMatch(/purge prg-\d{8}-[0-9a-f]{8} \(terminated/);
      const missing = await cli(["agreement", "show", "nope"], env);
      expect(missing.code).toBe(3);
      expect(missing.stderr).toMatch(/NOT_FOUND/);
      const dev = await cli(["org", "terminate", "dev1", "--reason", "x"], { SHUYU_DOMAIN: dir, SHUYU_TOKEN: w.tokens.rev });
      expect(dev.code).toBe(2);
    } finally {
      w.env.cleanup();
    }
  }, 180_000);
});

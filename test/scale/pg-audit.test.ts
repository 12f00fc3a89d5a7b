import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryHash, GENESIS, type AuditEntry } from "../../runtime/audit/chain.js";
import { canonicalJson } from "../../runtime/canonical-json.js";
import { controlUrl } from "../../runtime/domain/control-store.js";
import { Domain } from "../../runtime/domain/domain.js";
import { domainPaths } from "../../runtime/domain/layout.js";
import { signCheckpoint } from "../../runtime/domain/checkpoint.js";
import { readFileSync } from "node:fs";
import { appendPgAudit, CHECKPOINT_EVERY, readPgAudit, verifyPgAudit } from "../../runtime/scale/pg-audit.js";
import { PgConnection } from "../../runtime/scale/pg-connection.js";
import { verifyAudit } from "../../runtime/services/audit.js";
import { as, newDomain, TEST_CONTROL } from "../helpers/fixture.js";

/** Rewrites the whole audit_log as an attacker with the database superuser would: trigger off, rows replaced, hashes recomputed. */
async function rewrite(pg: PgConnection, entries: AuditEntry[]): Promise<void> {
  let prev = GENESIS;
  await pg.native("ALTER TABLE audit_log DISABLE TRIGGER USER");
  await pg.native("DELETE FROM audit_log");
  for (const [i, e] of entries.entries()) {
    const base = { ...e, seq: i + 1, prev };
    const hash = entryHash(base);
    await pg.native("INSERT INTO audit_log VALUES ($1, $2, $3, $4)", [i + 1, canonicalJson({ ...base, hash }), hash, e.action === "audit.checkpoint"]);
    prev = hash;
  }
  await pg.native("UPDATE meta SET value = $1 WHERE key = 'audit_head'", [JSON.stringify({ seq: entries.length, hash: prev })]);
  await pg.native("ALTER TABLE audit_log ENABLE TRIGGER USER");
}

describe.runIf(TEST_CONTROL === "postgresql")("the audit chain on PostgreSQL: append-only rows, one lock, signed checkpoints", () => {
  let env: Awaited<ReturnType<typeof newDomain>>;
  let pg: PgConnection;
  const domainId = () => (JSON.parse(readFileSync(`${env.dir}/domain.json`, "utf8")) as { id: string }).id;
  beforeAll(async () => {
    env = await newDomain();
    const d = await Domain.open(env.dir);
    try {
      await d.exclusive(async () => {
        for (let i = 0; i < CHECKPOINT_EVERY + 5; i++) await d.audit({ actor: "test", action: "test.fill", object: `n:${i}`, details: { i } });
      });
    } finally {
      d.close();
    }
    pg = await PgConnection.connect(controlUrl(domainPaths(env.dir)));
  });
  afterAll(async () => {
    await pg?.end();
    env?.cleanup();
  });

  it("entries are rows in audit_log, signed every CHECKPOINT_EVERY entries, and verify", async () => {
    const entries = await readPgAudit(pg);
    expect(entries.length).toBeGreaterThan(CHECKPOINT_EVERY + 5);
    expect(entries.filter((e) => e.action === "audit.checkpoint").length).toBeGreaterThanOrEqual(1);
    const r = await as(env.dir, env.adminToken, (s) => verifyAudit(s));
    expect(r).toMatchObject({ ok: true });
  });

  it("row MACs carry over: an account row edited (or one added) in the database outside shuyu refuses the next open", async () => {
    await pg.native("UPDATE accounts SET roles = $1 WHERE id = 'admin'", ['["admin","auditor"]']);
    try {
      await expect(Domain.open(env.dir)).rejects.toMatchObject({ code: "CONTROL_TAMPERED" });
    } finally {
      await pg.native("UPDATE accounts SET roles = $1 WHERE id = 'admin'", ['["admin"]']);
    }
    // A copy of the admin row under another id: no MAC was ever written for it.
    await pg.native("CREATE TEMP TABLE a AS SELECT * FROM accounts WHERE id = 'admin'; UPDATE a SET id = 'mallory'; INSERT INTO accounts SELECT * FROM a; DROP TABLE a");
    try {
      await expect(Domain.open(env.dir)).rejects.toMatchObject({ code: "CONTROL_TAMPERED", details: { rows: [expect.objectContaining({ table: "accounts", problem: "inserted" })] } });
    } finally {
      await pg.native("DELETE FROM accounts WHERE id = 'mallory'");
    }
    (await Domain.open(env.dir)).close();
  });

  it("UPDATE, DELETE and TRUNCATE of audit_log are refused by the database", async () => {
    await expect(pg.native("UPDATE audit_log SET entry = entry WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(pg.native("DELETE FROM audit_log WHERE seq > 3")).rejects.toThrow(/append-only/);
    await expect(pg.native("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
  });

  it("a superuser's rewrite is caught: re-hashed edits break the checkpoint signature; dropping checkpoints leaves an unsigned run; a cut tail misses the anchor", async () => {
    const original = await readPgAudit(pg);
    const keys = `${env.dir}/keys`;
    const id = domainId();
    try {
      const edited = original.map((e) => (e.object === "n:3" ? { ...e, details: { i: 999 } } : e));
      await rewrite(pg, edited);
      const anchor = JSON.parse(((await pg.native("SELECT value FROM meta WHERE key = 'audit_head'")).rows[0] as { value: string }).value) as { seq: number; hash: string };
      expect(verifyPgAudit(await readPgAudit(pg), anchor, keys, id)).toMatchObject({ ok: false, problem: expect.stringMatching(/checkpoint/) });

      await rewrite(pg, edited.filter((e) => e.action !== "audit.checkpoint"));
      const anchor2 = JSON.parse(((await pg.native("SELECT value FROM meta WHERE key = 'audit_head'")).rows[0] as { value: string }).value) as { seq: number; hash: string };
      expect(verifyPgAudit(await readPgAudit(pg), anchor2, keys, id)).toMatchObject({ ok: false, problem: expect.stringMatching(/without a signed checkpoint/) });

      await rewrite(pg, original);
      const head = original.at(-1)!;
      await pg.native("ALTER TABLE audit_log DISABLE TRIGGER USER");
      await pg.native("DELETE FROM audit_log WHERE seq > $1", [original.length - 3]);
      await pg.native("ALTER TABLE audit_log ENABLE TRIGGER USER");
      expect(verifyPgAudit(await readPgAudit(pg), { seq: head.seq, hash: head.hash }, keys, id)).toMatchObject({ ok: false, problem: expect.stringMatching(/cut off/) });
    } finally {
      await rewrite(pg, original);
    }
    expect(verifyPgAudit(await readPgAudit(pg), { seq: original.at(-1)!.seq, hash: original.at(-1)!.hash }, keys, id)).toMatchObject({ ok: true });
  });

  it("two owners appending at once are serialised by the advisory lock: one gap-free chain", async () => {
    const url = controlUrl(domainPaths(env.dir));
    const sign = (head: { seq: number; hash: string }) => ({ actor: "system", action: "audit.checkpoint", object: "audit", details: signCheckpoint(`${env.dir}/keys`, domainId(), head) });
    const owners = await Promise.all([PgConnection.connect(url), PgConnection.connect(url)]);
    try {
      await Promise.all(
        owners.map(async (c, o) => {
          for (let i = 0; i < 20; i++) await c.inTx(() => appendPgAudit(c, { actor: `owner${o}`, action: "test.race", object: `n:${i}` }, sign));
        }),
      );
    } finally {
      await Promise.all(owners.map((c) => c.end()));
    }
    const entries = await readPgAudit(pg);
    expect(entries.filter((e) => e.action === "test.race")).toHaveLength(40);
    expect(verifyPgAudit(entries, undefined, `${env.dir}/keys`, domainId())).toMatchObject({ ok: true });
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AuditChain, readEntries, verifyChain } from "../../runtime/audit/chain.js";

const dir = mkdtempSync(join(tmpdir(), "shuyu-audit-group-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("grouped durable appends (one fsync per group, off the event loop)", () => {
  it("answers each caller only once an fsync that started after its write has completed, and shares fsyncs", async () => {
    const chain = AuditChain.open(join(dir, "a.jsonl"), { create: true });
    try {
      const n = 300;
      const answered: { seq: number; durableAt: number; syncsAt: number }[] = [];
      const all: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const { entry, durable } = chain.appendGrouped({ actor: "t", action: "call", object: `c:${i}`, details: { i } });
        // Nothing is durable at write time: the fsync has not run yet.
        expect(chain.durable).toBeLessThan(entry.seq);
        all.push(durable.then(() => void answered.push({ seq: entry.seq, durableAt: chain.durable, syncsAt: chain.groupSyncs })));
        if (i % 50 === 49) await new Promise((r) => setImmediate(r)); // callers arriving over time
      }
      await Promise.all(all);
      expect(answered).toHaveLength(n);
      for (const a of answered) {
        expect(a.durableAt).toBeGreaterThanOrEqual(a.seq);
        expect(a.syncsAt).toBeGreaterThanOrEqual(1);
      }
      // Far fewer fsyncs than entries: the group commit is real.
      expect(chain.groupSyncs).toBeGreaterThanOrEqual(1);
      expect(chain.groupSyncs).toBeLessThan(n / 5);
      // Answers come in chain order and the chain is intact.
      expect(answered.map((a) => a.seq)).toEqual(answered.map((a) => a.seq).sort((x, y) => x - y));
      expect(verifyChain(readEntries(chain.file)).ok).toBe(true);
    } finally {
      chain.close();
    }
  });

  it("a synchronous append makes earlier grouped entries durable with it", async () => {
    const chain = AuditChain.open(join(dir, "b.jsonl"), { create: true });
    try {
      const g = chain.appendGrouped({ actor: "t", action: "grouped", object: "x" });
      const s = chain.append({ actor: "t", action: "sync", object: "y" });
      expect(chain.durable).toBe(s.seq);
      await g.durable;
      expect(verifyChain(readEntries(chain.file)).entries).toBe(2);
    } finally {
      chain.close();
    }
  });
  it("a grouped append after a rolled-back synchronous one still becomes durable (seqs are reused after a cut)", async () => {
    const chain = AuditChain.open(join(dir, "c.jsonl"), { create: true });
    try {
      const mark = chain.position;
      chain.append({ actor: "t", action: "rolled-back", object: "y" });
      chain.truncateTo(mark);
      const g = chain.appendGrouped({ actor: "t", action: "grouped", object: "x" });
      expect(g.entry.seq).toBe(mark.seq + 1);
      await g.durable;
      expect(chain.durable).toBe(g.entry.seq);
      const entries = readEntries(chain.file);
      expect(entries.map((e) => e.action)).toEqual(["grouped"]);
      expect(verifyChain(entries).ok).toBe(true);
    } finally {
      chain.close();
    }
  });
});

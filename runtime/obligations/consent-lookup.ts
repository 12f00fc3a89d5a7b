/**
 * Per-call consent lookups, grouped: calls that arrive while a lookup runs are looked up
 * together in the next query (one query per dataset/product/scenario, the subjects' digests
 * as a list). Every call is still looked up by a query that starts after the call arrived,
 * on committed state, so a withdrawal answered before the call refuses it.
 */
import { today } from "../clock.js";
import type { Domain } from "../domain/domain.js";
import { all } from "../domain/db.js";

interface Waiting {
  dataset: string;
  digest: string;
  product: string;
  scenario: string;
  resolve: (id: string | undefined) => void;
  reject: (err: unknown) => void;
}

/** Looks up consents in force for calls as they arrive, many per query. */
export class ConsentLookup {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly domain: Domain) {}

  /** The id of a consent in force now for this subject and product/scenario, if any (as consentInForce). */
  inForce(dataset: string, digest: string, product: string, scenario: string): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ dataset, digest, product, scenario, resolve, reject });
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) {
        const items = this.waiting.splice(0, 1024);
        const groups = new Map<string, Waiting[]>();
        for (const it of items) {
          const k = [it.dataset, it.product, it.scenario].join("\u0000");
          groups.set(k, [...(groups.get(k) ?? []), it]);
        }
        for (const g of groups.values()) {
          try {
            const found = await this.lookup(g[0], [...new Set(g.map((i) => i.digest))]);
            for (const it of g) it.resolve(found.get(it.digest));
          } catch (err) {
            for (const it of g) it.reject(err);
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async lookup(w: Waiting, digests: string[]): Promise<Map<string, string>> {
    const d = today();
    const rows = await this.domain.committed(() =>
      all<{ subject_digest: string; id: string }>(
        this.domain.control,
        `SELECT subject_digest, min(id) AS id FROM consents WHERE dataset = ? AND state = 'active' AND granted_on <= ?::DATE AND expires >= ?::DATE
         AND scope IN ('*', ?, ?) AND subject_digest IN (${digests.map(() => "?").join(", ")}) GROUP BY subject_digest`,
        [w.dataset, d, d, `product:${w.product}`, `scenario:${w.scenario}`, ...digests],
      ),
    );
    return new Map(rows.map((r) => [r.subject_digest, r.id]));
  }
}

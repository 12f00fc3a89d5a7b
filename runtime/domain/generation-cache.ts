import { today } from "../clock.js";
import type { Domain } from "./domain.js";

/**
 * Values derived from control rows, kept while the domain's control generation and the
 * date are what they were when the derivation started (so a write committed meanwhile, or
 * a new day, means a fresh derivation on the next use). Concurrent misses share one derivation.
 */
export class GenerationCache<V> {
  private readonly entries = new Map<string, { gen: number; day: string; value: Promise<V> }>();

  constructor(private readonly domain: Pick<Domain, "generation">, private readonly maxEntries = 10_000) {}

  /** The cached value for `key`, or `derive()`'s (cached under the generation seen before it ran). */
  get(key: string, derive: () => Promise<V>): Promise<V> {
    const gen = this.domain.generation;
    const day = today();
    const hit = this.entries.get(key);
    if (hit && hit.gen === gen && hit.day === day) return hit.value;
    const value = derive();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = { gen, day, value };
    this.entries.set(key, entry);
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }
}

/** A small insertion-ordered cache that forgets its oldest entry when full. */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly limit: number) {}

  /** The cached value for key, if any. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Stores value under key, evicting the oldest entry beyond the limit. */
  set(key: string, value: V): void {
    if (this.map.size >= this.limit && !this.map.has(key)) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }
}

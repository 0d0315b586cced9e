/**
 * A bounded map for the network's caches: at most `max` entries, least recently used evicted first,
 * optional expiry per entry. Every cache the node services and the aggregator keep goes through it, so
 * no input (addresses, keys, block numbers, client addresses) can grow one without bound.
 */
export interface BoundedCache<K, V> {
  get(key: K, now?: number): V | undefined;
  /** `expiresAt` in the same unit as the `now` given to get (default: never expires). */
  set(key: K, value: V, expiresAt?: number): void;
  delete(key: K): void;
  readonly size: number;
  clear(): void;
}

export function boundedCache<K, V>(max: number): BoundedCache<K, V> {
  if (!Number.isSafeInteger(max) || max < 1) throw new Error(`boundedCache: max must be a positive integer, got ${max}`);
  const entries = new Map<K, { value: V; expiresAt: number }>();
  return {
    get(key, now = Date.now()) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.expiresAt <= now) {
        entries.delete(key);
        return undefined;
      }
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      entries.delete(key);
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, expiresAt = Number.POSITIVE_INFINITY) {
      entries.delete(key);
      entries.set(key, { value, expiresAt });
      while (entries.size > max) entries.delete(entries.keys().next().value as K);
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}

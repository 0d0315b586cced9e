/** Views for simulations: an in-memory snapshot you edit, and a short-lived cache shared by many nodes. */
import type { NetworkSnapshot, NetworkView } from "../view";

export interface MemoryView extends NetworkView {
  set(snapshot: NetworkSnapshot): void;
}

export function memoryView(initial: NetworkSnapshot): MemoryView {
  let current = initial;
  return {
    snapshot: async () => current,
    set(snapshot) {
      current = snapshot;
    },
  };
}

export interface CachedView extends NetworkView {
  /** Drop the cached snapshot (e.g. after mining a block). */
  invalidate(): void;
  /** The cached snapshot if it was taken at most `maxAgeMs` ago, else a new one (shared by concurrent callers). */
  fresh(maxAgeMs: number): Promise<NetworkSnapshot>;
}

/** One snapshot shared by every caller for `maxAgeMs` (default 250 ms). */
export function cachedView(view: NetworkView, maxAgeMs = 250): CachedView {
  let cached: { at: number; snapshot: Promise<NetworkSnapshot> } | null = null;
  const within = (age: number): Promise<NetworkSnapshot> => {
    const now = Date.now();
    if (cached === null || now - cached.at > age) {
      const snapshot = view.snapshot();
      cached = { at: now, snapshot };
      snapshot.catch(() => {
        if (cached?.snapshot === snapshot) cached = null;
      });
    }
    return cached.snapshot;
  };
  return {
    snapshot: () => within(maxAgeMs),
    fresh: (age) => within(Math.min(age, maxAgeMs)),
    invalidate() {
      cached = null;
    },
  };
}

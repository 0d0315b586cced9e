/**
 * A write overlay over the store for one processed range: handlers read through it and write into it;
 * every write is recorded as an {@link EntityChange} (with the value it replaced) for the undo log.
 */
import type { EntityChange, TrackerStore } from "../store/types";

export interface StateContext {
  /** Block of the event being applied (changes are attributed to it for rollbacks). */
  block: bigint;
  get(kind: string, key: string): Promise<string | null>;
  put(kind: string, key: string, value: string): Promise<void>;
  del(kind: string, key: string): Promise<void>;
}

export interface RangeOverlay extends StateContext {
  readonly changes: EntityChange[];
  /** Reads these entities from the store in one query, so the handlers' reads of them cost no query each. */
  preload(kind: string, keys: readonly string[]): Promise<void>;
}

export function createOverlay(store: TrackerStore): RangeOverlay {
  const pending = new Map<string, string | null>();
  /** Store reads of this range (the store does not change while a range is applied). */
  const loaded = new Map<string, string | null>();
  const id = (kind: string, key: string): string => `${kind}\u0000${key}`;
  const changes: EntityChange[] = [];
  const overlay: RangeOverlay = {
    block: 0n,
    changes,
    async preload(kind, keys) {
      const wanted = [...new Set(keys)].filter((key) => !loaded.has(id(kind, key)) && !pending.has(id(kind, key)));
      const found = await store.getEntities(kind, wanted);
      for (const key of wanted) loaded.set(id(kind, key), found.get(key) ?? null);
    },
    async get(kind, key) {
      const k = id(kind, key);
      if (pending.has(k)) return pending.get(k) ?? null;
      if (loaded.has(k)) return loaded.get(k) ?? null;
      const value = await store.getEntity(kind, key);
      loaded.set(k, value);
      return value;
    },
    async put(kind, key, value) {
      const before = await overlay.get(kind, key);
      if (before === value) return;
      pending.set(id(kind, key), value);
      changes.push({ block: overlay.block, kind, key, before, after: value });
    },
    async del(kind, key) {
      const before = await overlay.get(kind, key);
      if (before === null) return;
      pending.set(id(kind, key), null);
      changes.push({ block: overlay.block, kind, key, before, after: null });
    },
  };
  return overlay;
}

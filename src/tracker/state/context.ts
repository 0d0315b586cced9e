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
  /**
   * The entity as this range sees it, synchronously, when that needs no store read (it was preloaded, or
   * read or written by this range); undefined otherwise. Lets a handler skip the async frames of get/put
   * for the common case (a dense range applies 10,000s of events).
   */
  peek(kind: string, key: string): string | null | undefined;
  /** put, synchronously, for an entity {@link peek} knows; throws for one it does not (read it first). */
  set(kind: string, key: string, value: string): void;
}

export interface RangeOverlay extends StateContext {
  readonly changes: EntityChange[];
  /** Reads these entities from the store in one query, so the handlers' reads of them cost no query each. */
  preload(kind: string, keys: readonly string[]): Promise<void>;
}

const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_NULL: Promise<null> = Promise.resolve(null);

export function createOverlay(store: TrackerStore): RangeOverlay {
  /**
   * kind → key → the entity as this range sees it: its value after this range's writes, else as read from
   * the store (the store does not change while a range is applied); null = absent. One map per kind, so a
   * lookup costs no key concatenation (a dense range does 10,000s of them).
   */
  const known = new Map<string, Map<string, string | null>>();
  const ofKind = (kind: string): Map<string, string | null> => {
    let map = known.get(kind);
    if (map === undefined) {
      map = new Map();
      known.set(kind, map);
    }
    return map;
  };
  const changes: EntityChange[] = [];
  const read = async (map: Map<string, string | null>, kind: string, key: string): Promise<string | null> => {
    const value = map.get(key);
    if (value !== undefined) return value;
    if (map.has(key)) return null;
    const stored = await store.getEntity(kind, key);
    map.set(key, stored);
    return stored;
  };
  /** The map knows the entity: its value, or that it is absent. */
  const knows = (map: Map<string, string | null>, key: string): boolean => map.get(key) !== undefined || map.has(key);
  /** Records a write of an entity the map knows. */
  const write = (map: Map<string, string | null>, kind: string, key: string, value: string): void => {
    const before = map.get(key) ?? null;
    if (before === value) return;
    map.set(key, value);
    changes.push({ block: overlay.block, kind, key, before, after: value });
  };
  const overlay: RangeOverlay = {
    block: 0n,
    changes,
    async preload(kind, keys) {
      const map = ofKind(kind);
      const wanted: string[] = [];
      for (const key of keys) {
        if (map.has(key)) continue;
        map.set(key, null); // placeholder (also dedupes keys); replaced below when the store has it
        wanted.push(key);
      }
      if (wanted.length === 0) return;
      const found = await store.getEntities(kind, wanted);
      for (const [key, value] of found) map.set(key, value);
    },
    // The entities a range touches are usually known already (preloaded, or written by this range): then
    // get/put answer without an async frame and its extra promise (a dense range does 10,000s of each).
    get(kind, key) {
      const map = ofKind(kind);
      const value = map.get(key);
      if (value !== undefined) return Promise.resolve(value);
      if (map.has(key)) return RESOLVED_NULL;
      return read(map, kind, key);
    },
    put(kind, key, value) {
      const map = ofKind(kind);
      if (!knows(map, key)) return read(map, kind, key).then(() => overlay.put(kind, key, value));
      write(map, kind, key, value);
      return RESOLVED;
    },
    peek(kind, key) {
      const map = known.get(kind);
      if (map === undefined) return undefined;
      const value = map.get(key);
      return value !== undefined || !map.has(key) ? value : null;
    },
    set(kind, key, value) {
      const map = ofKind(kind);
      if (!knows(map, key)) throw new Error(`overlay.set: ${kind} ${key} was not read first`);
      write(map, kind, key, value);
    },
    async del(kind, key) {
      const map = ofKind(kind);
      const before = await read(map, kind, key);
      if (before === null) return;
      map.set(key, null);
      changes.push({ block: overlay.block, kind, key, before, after: null });
    },
  };
  return overlay;
}

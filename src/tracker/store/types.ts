/**
 * The storage boundary of the tracker. Everything the follower persists goes through this interface so
 * a PostgreSQL backend can be plugged in later; the SQLite one (`sqlite.ts`) is the default.
 * All methods are async for that reason even though better-sqlite3 is synchronous.
 */
import type { Hex } from "viem";

export interface BlockRef {
  readonly number: bigint;
  readonly hash: Hex;
}

/** A processed block: every block that carried a relevant log plus the end of every processed range. */
export interface StoredBlock extends BlockRef {
  readonly parentHash: Hex;
  /** Unix seconds (null/absent when unknown, e.g. rows written before schema version 2). */
  readonly timestamp?: bigint | null;
}

/**
 * One mutation of the mirrored state. `before`/`after` are the serialised entity (null = absent);
 * `block` is the block whose event caused it: a rollback to below `block` restores `before`.
 */
export interface EntityChange {
  readonly block: bigint;
  readonly kind: string;
  readonly key: string;
  readonly before: string | null;
  readonly after: string | null;
}

/** Everything one processed range writes, committed atomically with the checkpoint. */
export interface RangeCommit {
  readonly blocks: readonly StoredBlock[];
  readonly changes: readonly EntityChange[];
  readonly checkpoint: BlockRef;
}

export interface EntityRow {
  readonly key: string;
  readonly value: string;
}

export interface MirrorContents {
  readonly checkpoint: BlockRef | null;
  /** kind → rows ordered by key; kinds ordered by name. */
  readonly entities: Readonly<Record<string, readonly EntityRow[]>>;
}

export interface RollbackResult {
  /** Entity changes undone. */
  readonly undone: number;
  /** Processed-block records dropped. */
  readonly droppedBlocks: number;
}

export interface TrackerStore {
  readonly backend: string;
  /** Applied schema migration versions, ascending. */
  migrations(): Promise<number[]>;
  getCheckpoint(): Promise<BlockRef | null>;
  /** Small bookkeeping values that are not part of the mirror (config identity, reconciliation marks). */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  getEntity(kind: string, key: string): Promise<string | null>;
  /** Several entities of one kind in one round trip: key → value for the keys that exist. */
  getEntities(kind: string, keys: readonly string[]): Promise<Map<string, string>>;
  /** All entities of a kind, ordered by key. */
  listEntities(kind: string): Promise<EntityRow[]>;
  /** Checkpoint and every entity of the given kinds (all kinds when omitted), read atomically. */
  readAll(kinds?: readonly string[]): Promise<MirrorContents>;
  /** All entity kinds present, ordered. */
  listKinds(): Promise<string[]>;
  /** Atomically: store blocks, apply changes (recording undo), move the checkpoint. */
  commitRange(commit: RangeCommit): Promise<void>;
  getBlock(number: bigint): Promise<StoredBlock | null>;
  /** Stored blocks at or below `atOrBelow`, newest first. */
  blocksDescending(atOrBelow: bigint, limit: number): Promise<StoredBlock[]>;
  /** Oldest block still covered by the undo log (rollbacks cannot go below it), or null when empty. */
  undoFloor(): Promise<bigint | null>;
  /** Atomically undo every change of blocks > target.number and set the checkpoint to `target`. */
  rollbackTo(target: BlockRef): Promise<RollbackResult>;
  /** Atomically drop the whole mirror, blocks, undo log and checkpoint (full re-sync). */
  resetMirror(): Promise<void>;
  /** Forget undo entries and block records below `blockNumber` (they can no longer be rolled back). */
  prune(blockNumber: bigint): Promise<void>;
  close(): Promise<void>;
}

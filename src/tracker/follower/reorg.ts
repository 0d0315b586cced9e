/**
 * Reorg handling and rollback: finding the newest stored block that is still canonical, rolling the mirror
 * back to it through the undo log (or re-syncing from the start block when the reorg reaches below it),
 * and the "last good" block reconciliation vouched for, which a rollback below it forgets.
 */
import type { Hex } from "viem";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { crossCheckHeader } from "../rpc/chain";
import type { ProviderSet } from "../rpc/providers";
import type { BlockRef, StoredBlock, TrackerStore } from "../store/types";
import type { RangeFetcher } from "./fetch";
import type { PendingView } from "./pending";
import { LAST_GOOD, type ChangeEvent, type SyncState } from "./types";

export interface ReorgHandlerParameters {
  readonly store: TrackerStore;
  readonly providers: ProviderSet;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly startBlock: bigint;
  /** Its checkpoint is moved back; a reorg counts in `reorgs`; an inconsistent provider sets `dispute`. */
  readonly state: SyncState;
  /** Its plan is dropped by every rollback. */
  readonly fetcher: RangeFetcher;
  /** Emptied by every rollback. */
  readonly pending: PendingView;
  readonly emit: (event: ChangeEvent) => void;
}

export interface ReorgHandler {
  /**
   * Finds the newest stored block that is still canonical and rolls the mirror back to it. Returns
   * false when the checkpoint itself is still canonical: the provider then contradicted itself (e.g. a
   * parent hash that is not the hash it serves for the parent block) — nothing is rolled back or applied.
   */
  handleReorg(reason: string): Promise<boolean>;
  /** Rolls the mirror back to `target` (a stored block) through the undo log. */
  rollback(target: BlockRef, reason: string): Promise<void>;
  /** Empties the mirror: the next step syncs from the start block. */
  fullResync(reason: string): Promise<void>;
  /** The last block reconciliation found correct, unless a rollback went below it. */
  lastGoodReconciled(): Promise<BlockRef | null>;
}

export function createReorgHandler({ store, providers, log, metrics, startBlock, state, fetcher, pending, emit }: ReorgHandlerParameters): ReorgHandler {
  async function lastGoodReconciled(): Promise<BlockRef | null> {
    const raw = await store.getMeta(LAST_GOOD);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { number: string; hash: Hex };
    return { number: BigInt(parsed.number), hash: parsed.hash };
  }

  async function rollback(target: BlockRef, reason: string): Promise<void> {
    const good = await lastGoodReconciled();
    if (good !== null && good.number > target.number) await store.setMeta(LAST_GOOD, "");
    fetcher.clear();
    const result = await store.rollbackTo(target);
    state.checkpoint = target;
    pending.clear();
    emit({ type: "rollback", number: target.number.toString(), hash: target.hash, undone: result.undone, reason });
  }

  async function fullResync(reason: string): Promise<void> {
    log.error("full re-sync from the start block", { reason });
    fetcher.clear();
    await store.resetMirror();
    await store.setMeta(LAST_GOOD, "");
    state.checkpoint = null;
    pending.clear();
    emit({ type: "rollback", number: (startBlock - 1n).toString(), hash: "0x" as Hex, undone: -1, reason });
  }

  async function handleReorg(reason: string): Promise<boolean> {
    const checkpoint = state.checkpoint;
    if (checkpoint === null) return false;
    const from = checkpoint.number;
    let cursor = checkpoint.number;
    for (;;) {
      const blocks: StoredBlock[] = await store.blocksDescending(cursor, 32);
      if (blocks.length === 0) break;
      const canonical = await Promise.all(blocks.map((b) => crossCheckHeader(providers, b.number)));
      for (let i = 0; i < blocks.length; i++) {
        if (canonical[i] !== null && canonical[i]!.hash === blocks[i].hash) {
          const depth = from - blocks[i].number;
          if (depth === 0n) {
            metrics.inc("tracker_inconsistent_chain_total", "Provider answers whose parent hashes contradict the block hashes they serve");
            log.error("provider served an inconsistent chain; not advancing", { reason, checkpoint: from });
            state.dispute = `inconsistent chain from provider: ${reason}`;
            return false;
          }
          state.reorgs++;
          metrics.inc("tracker_reorgs_total", "Reorgs of processed blocks rolled back");
          metrics.set("tracker_last_reorg_depth", "Blocks rolled back by the last reorg", Number(depth));
          log.warn("reorg: rolling back to the common ancestor", { reason, from, ancestor: blocks[i].number, depth });
          await rollback({ number: blocks[i].number, hash: blocks[i].hash }, reason);
          return true;
        }
      }
      cursor = blocks[blocks.length - 1].number - 1n;
    }
    state.reorgs++;
    metrics.inc("tracker_reorgs_total", "Reorgs of processed blocks rolled back");
    await fullResync(`reorg below the undo log (${reason})`);
    return true;
  }

  return { handleReorg, rollback, fullResync, lastGoodReconciled };
}

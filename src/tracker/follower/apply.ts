/**
 * Applying a range: takes the range's fetch, validates it against the checkpoint (a reorg found here goes
 * to the reorg stage), decodes and applies its logs chunk by chunk to an overlay, samples the reward rate,
 * and commits blocks, state changes and the new checkpoint in one store transaction.
 */
import type { EventEmitter } from "node:events";
import { ContractFunctionExecutionError, ContractFunctionZeroDataError, type BaseError, type PublicClient } from "viem";
import { rewardRatePoolViewsAbi } from "../abi";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { recordSuccess, shrink, type BatchSizer } from "../rpc/batcher";
import { crossCheckHeader } from "../rpc/chain";
import { AllProvidersFailedError, isTimeout, isTooManyResults, shortError } from "../rpc/errors";
import type { ProviderSet } from "../rpc/providers";
import { createOverlay, type RangeOverlay } from "../state/context";
import type { DecodedEvent, HandlerRegistry } from "../state/handlers";
import { ENTITY, blockKey, serialize, type RewardRateSample } from "../state/model";
import type { BlockRef, StoredBlock, TrackerStore } from "../store/types";
import type { ChainHeader, ChainLog } from "../types";
import type { RangeData, RangeFetcher } from "./fetch";
import type { ReorgHandler } from "./reorg";
import { toPending, type Router } from "./router";
import { ZERO_HASH, type ChangeEvent, type ContractAddresses, type StepOutcome, type SyncState } from "./types";

/** Prune the undo log at most once per this many processed blocks. */
const PRUNE_EVERY_BLOCKS = 1024n;
/** Logs decoded, preloaded for and applied at a time within a range (their decoded events then die young). */
const APPLY_CHUNK_LOGS = 2048;
/** Logs applied between yields to the event loop (so responses of the fetches ahead are handled promptly). */
const LOGS_PER_YIELD = 256;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface RangeApplierParameters {
  readonly store: TrackerStore;
  readonly providers: ProviderSet;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly registry: HandlerRegistry;
  readonly contracts: ContractAddresses;
  /** Sample `rewardRate()` at every block that is a multiple of this (0 = off). */
  readonly rewardRateInterval: bigint;
  /** Keep undo entries / block records this many blocks below the checkpoint. */
  readonly undoRetentionBlocks: bigint;
  readonly router: Router;
  readonly fetcher: RangeFetcher;
  readonly reorg: ReorgHandler;
  /** Shrunk on failed ranges, grown by calm ones. */
  readonly sizer: BatchSizer;
  /** Its checkpoint moves with each commit (which also clears `dispute`); the safe head is read. */
  readonly state: SyncState;
  /** "change" events go to its listeners, "synced" once a commit reaches the safe head. */
  readonly changes: EventEmitter;
}

export interface RangeApplier {
  /** Fetches (or takes the prefetched), validates, applies and commits blocks [from, to]. */
  processRange(from: bigint, to: bigint): Promise<StepOutcome>;
  /** Smoothed processing speed of the recent ranges. */
  blocksPerSecond(): number;
}

type Validated =
  | { ok: true; toHeader: ChainHeader; logs: ChainLog[]; headers: Map<bigint, ChainHeader>; moved: Promise<boolean> }
  | { ok: false; outcome: StepOutcome };

export function createRangeApplier(parameters: RangeApplierParameters): RangeApplier {
  const { store, providers, log, metrics, registry, contracts, router, fetcher, reorg, sizer, state, changes } = parameters;
  let blocksPerSecond = 0;
  let lastPruneAt = 0n;
  const emit = (event: ChangeEvent): void => {
    changes.emit("change", event);
  };

  async function sampleRewardRate(block: bigint): Promise<string | null> {
    const address = contracts.rewardRatePool!;
    return providers.crossCheck(
      `rewardRate() at ${block}`,
      async (c: PublicClient) => {
        try {
          const v = await c.readContract({ address, abi: rewardRatePoolViewsAbi, functionName: "rewardRate", blockNumber: block });
          return v.toString();
        } catch (error) {
          // A block before the pool existed (no code) or a revert: deterministic, recorded as "no sample".
          if (error instanceof ContractFunctionZeroDataError) return null;
          if (error instanceof ContractFunctionExecutionError && (error as BaseError).walk((e) => e instanceof ContractFunctionZeroDataError)) return null;
          if (error instanceof ContractFunctionExecutionError && /revert/i.test(error.message)) return null;
          throw error;
        }
      },
      (v) => String(v),
    );
  }

  async function validate(from: bigint, to: bigint, data: RangeData, fresh: boolean): Promise<Validated> {
    const { toHeader, fromHeader, logs, headers } = data;
    if (toHeader === null || fromHeader === null) return { ok: false, outcome: "retry" }; // the provider's chain is shorter than its reported height
    if (state.checkpoint !== null && fromHeader.parentHash === ZERO_HASH && from === state.checkpoint.number + 1n) {
      // A block reported without its parent (hardhat_mine): the link cannot be read from it, so the
      // checkpoint is checked to still be canonical instead (a reorg below it is handled as any other).
      const current = await crossCheckHeader(providers, state.checkpoint.number);
      if (current === null || current.hash !== state.checkpoint.hash) {
        if (!fresh) return { ok: false, outcome: "retry" };
        const rolledBack = await reorg.handleReorg(`block ${state.checkpoint.number} is now ${current?.hash ?? "missing"} (block ${from} reports no parent hash)`);
        return { ok: false, outcome: rolledBack ? "reorg" : "retry" };
      }
      metrics.inc("tracker_zero_parent_blocks_total", "Range starts reported with a zero parent hash (hardhat_mine), linked through the checkpoint instead");
    } else if (state.checkpoint !== null && fromHeader.parentHash !== state.checkpoint.hash) {
      if (!fresh) return { ok: false, outcome: "retry" }; // stale prefetch: decided on fresh data only
      const rolledBack = await reorg.handleReorg(`parent of block ${from} is ${fromHeader.parentHash}, mirror has ${state.checkpoint.hash} at ${state.checkpoint.number}`);
      return { ok: false, outcome: rolledBack ? "reorg" : "retry" };
    }
    // Where the fetched headers are consecutive, each must be the parent of the next (one chain, not two).
    for (const h of headers.values()) {
      const parent = headers.get(h.number - 1n);
      if (parent !== undefined && h.parentHash !== ZERO_HASH && h.parentHash !== parent.hash) {
        log.warn("fetched headers do not form one chain; chain moved, retrying", { block: h.number, parentHash: h.parentHash, parent: parent.hash });
        return { ok: false, outcome: "retry" };
      }
    }
    if (logs.some((l) => l.removed)) {
      log.warn("provider returned removed logs inside the safe range; re-fetching", { from, to });
      return { ok: false, outcome: "retry" };
    }
    // Headers of every block carrying a log: they must be the blocks the logs claim (else the chain moved).
    for (const l of logs) {
      if (headers.get(l.blockNumber)?.hash !== l.blockHash) {
        log.warn("log block hash does not match the canonical header; chain moved, retrying", { block: l.blockNumber });
        return { ok: false, outcome: "retry" };
      }
    }
    return { ok: true, toHeader, logs, headers, moved: data.moved };
  }

  /** Loads, in one query per kind, what the handlers of the first `count` predecoded events read. */
  async function preloadReads(overlay: RangeOverlay, events: readonly (DecodedEvent | null | undefined)[], count: number): Promise<void> {
    const reads = new Map<string, string[]>();
    for (let i = 0; i < count; i++) {
      const event = events[i];
      const keysOf = event ? registry[event.kind]?.reads?.[event.eventName] : undefined;
      if (!event || !keysOf) continue;
      const keys = keysOf(event.args);
      for (let k = 0; k < keys.length; k++) {
        const [kind, key] = keys[k];
        const list = reads.get(kind);
        if (list) list.push(key);
        else reads.set(kind, [key]);
      }
    }
    for (const [kind, keys] of reads) await overlay.preload(kind, keys);
  }

  async function processRange(from: bigint, to: bigint): Promise<StepOutcome> {
    const started = Date.now();
    const { data: fetching, prefetched } = fetcher.take(from, to);
    let checked: Validated;
    try {
      let data = await fetching;
      checked = await validate(from, to, data, !prefetched);
      if (!checked.ok && prefetched) {
        fetcher.clear(); // the ranges planned after a stale one are stale too
        data = await fetcher.take(from, to).data; // a fresh plan, starting here
        checked = await validate(from, to, data, true);
      }
    } catch (error) {
      fetcher.clear();
      if (isTooManyResults(error) || isTimeout(error) || error instanceof AllProvidersFailedError) {
        shrink(sizer);
        metrics.inc("tracker_getlogs_shrinks_total", "Times the eth_getLogs range was shrunk");
        log.warn("range failed; shrinking", { from, to, size: sizer.size, error: shortError(error) });
        return "retry";
      }
      throw error;
    }
    if (!checked.ok) {
      fetcher.clear();
      return checked.outcome;
    }
    const { toHeader, logs, headers } = checked;

    const overlay = createOverlay(store);
    // Applied events are kept only for /events listeners (memory: a dense range has thousands).
    const listening = changes.listenerCount("change") > 0;
    const applied: DecodedEvent[] = [];
    let appliedCount = 0;
    const withLogs = new Set<bigint>();
    // Chunk by chunk, so that decoded events die young (a whole range's would outlive collections). Logs
    // of fixed addresses decode without state: a chunk's are decoded first and what their handlers read is
    // loaded in one query per kind. Pool logs are routed in order (a pool created in this range counts).
    const predecoded: (DecodedEvent | null | undefined)[] = new Array(APPLY_CHUNK_LOGS);
    for (let start = 0; start < logs.length; start += APPLY_CHUNK_LOGS) {
      const end = Math.min(logs.length, start + APPLY_CHUNK_LOGS);
      for (let i = start; i < end; i++) {
        if (i % LOGS_PER_YIELD === LOGS_PER_YIELD - 1) await yieldToEventLoop();
        predecoded[i - start] = router.routeStatic(logs[i], headers.get(logs[i].blockNumber)!.timestamp);
      }
      await preloadReads(overlay, predecoded, end - start);
      for (let i = start; i < end; i++) {
        if (i % LOGS_PER_YIELD === LOGS_PER_YIELD - 1) await yieldToEventLoop();
        const l = logs[i];
        withLogs.add(l.blockNumber);
        overlay.block = l.blockNumber;
        const routed = predecoded[i - start];
        predecoded[i - start] = null;
        const event = routed !== undefined ? routed : await router.route(overlay, l, headers.get(l.blockNumber)!.timestamp);
        if (!event) continue;
        const outcome = router.apply(overlay, event);
        if (outcome === true || (outcome !== false && (await outcome))) {
          appliedCount++;
          if (listening) applied.push(event);
        }
      }
    }
    const samples: RewardRateSample[] = [];
    if (parameters.rewardRateInterval > 0n && contracts.rewardRatePool) {
      const interval = parameters.rewardRateInterval;
      for (let k = ((from + interval - 1n) / interval) * interval; k <= to; k += interval) {
        const rate = await sampleRewardRate(k);
        if (rate === null) continue;
        const sample: RewardRateSample = { block: k.toString(), rewardRate: rate };
        overlay.block = k;
        await overlay.put(ENTITY.rewardRate, blockKey(k), serialize(sample));
        samples.push(sample);
      }
    }
    // The range's logs are done with: let them go before the commit allocates its rows.
    logs.length = 0;
    const storedBlocks: StoredBlock[] = [...headers.values()]
      .filter((h) => h.number === to || withLogs.has(h.number))
      .map((h) => ({ number: h.number, hash: h.hash, parentHash: h.parentHash, timestamp: h.timestamp }));
    // Nothing is committed before block `to` is known to have kept its hash while the logs were fetched.
    if (await checked.moved) {
      fetcher.clear();
      metrics.inc("tracker_range_moved_total", "Ranges discarded because block `to` changed while their logs were fetched");
      log.warn("block hash at the range end changed while its logs were fetched; discarding the range", { from, to, before: toHeader.hash });
      return "retry";
    }
    const next: BlockRef = { number: to, hash: toHeader.hash };
    await store.commitRange({ blocks: storedBlocks, changes: overlay.changes, checkpoint: next });
    state.checkpoint = next;
    state.dispute = null;
    // Status watchers (the CLI's progress/"caught up" line) learn of it now, not at their next poll.
    if (state.safeHead !== null && to >= state.safeHead) changes.emit("synced");

    const elapsed = Date.now() - started;
    recordSuccess(sizer, elapsed);
    const rate = Number(to - from + 1n) / Math.max(elapsed / 1000, 0.001);
    blocksPerSecond = blocksPerSecond === 0 ? rate : blocksPerSecond * 0.7 + rate * 0.3;
    metrics.inc("tracker_blocks_processed_total", "Blocks processed into the mirror", {}, Number(to - from + 1n));
    metrics.inc("tracker_events_applied_total", "Events applied to the mirror", {}, appliedCount);
    metrics.set("tracker_checkpoint_block", "Last block committed to the mirror", Number(to));
    metrics.set("tracker_getlogs_range", "Current eth_getLogs block range", Number(sizer.size));
    if (listening) {
      for (const e of applied) emit({ type: "event", ...toPending(e, null) });
      for (const s of samples) emit({ type: "rewardRate", ...s });
      emit({ type: "checkpoint", number: to.toString(), hash: toHeader.hash });
    }

    if (to - lastPruneAt >= PRUNE_EVERY_BLOCKS) {
      lastPruneAt = to;
      await store.prune(to - parameters.undoRetentionBlocks);
    }
    return "advanced";
  }

  return { processRange, blocksPerSecond: () => blocksPerSecond };
}

/**
 * The follower: RPC → store. Processes block ranges at or below the safe head, each range (its blocks,
 * state changes and the checkpoint) committed in one store transaction; detects reorgs by parent hash
 * and rolls back through the undo log; cross-checks logs and block hashes between providers; samples
 * the reward rate; reconciles the mirror against the registry's views; keeps a separate optimistic
 * "pending" view of the blocks above the safe head.
 */
import { EventEmitter } from "node:events";
import { BaseError, ContractFunctionExecutionError, ContractFunctionZeroDataError, type Address, type Hex, type PublicClient } from "viem";
import { aggregatePublicKeys } from "../../bls";
import { rewardRatePoolViewsAbi, serviceNodeRewardsViewsAbi } from "../abi";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import { AllProvidersFailedError, ProviderDisputeError, isTimeout, isTooManyResults, shortError } from "../rpc/errors";
import { receiptsArbiter } from "../rpc/proof";
import type { Arbiter, ProviderSet } from "../rpc/providers";
import { createOverlay, type RangeOverlay, type StateContext } from "../state/context";
import { MirrorGapError, decodeLog, defaultRegistry, topicsOf, type ContractKind, type DecodedEvent, type HandlerRegistry } from "../state/handlers";
import { ENTITY, blockKey, isRegistered, parseRecord, serialize, type NodeRecord, type RewardRateSample } from "../state/model";
import type { BlockRef, StoredBlock, TrackerStore } from "../store/types";
import { createBatchSizer, recordSuccess, shrink, type BatchOptions } from "./batcher";
import { fetchBlockNumber, fetchHeader, fetchLogs, headerKey, logsKey, type ChainHeader, type ChainLog, type LogQuery } from "./chain";

export interface ContractAddresses {
  readonly serviceNodeRewards: Address;
  readonly contributionFactory?: Address;
  readonly rewardRatePool?: Address;
  readonly nameService?: Address;
}

export type SafeHeadPolicy =
  | { readonly mode: "depth"; readonly confirmations: bigint }
  | { readonly mode: "tag"; readonly tag: "safe" | "finalized" }
  /** Use the `safe` tag when the chain answers it, else the confirmation depth. */
  | { readonly mode: "auto"; readonly confirmations: bigint };

export interface FollowerOptions {
  readonly store: TrackerStore;
  readonly providers: ProviderSet;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly contracts: ContractAddresses;
  readonly startBlock: bigint;
  readonly safeHead: SafeHeadPolicy;
  readonly batch: BatchOptions;
  readonly pollIntervalMs: number;
  /** Sample `rewardRate()` at every block that is a multiple of this (0 = off). */
  readonly rewardRateInterval: bigint;
  /** Reconcile against the registry views at most this often once caught up (0 = off). */
  readonly reconcileIntervalMs: number;
  /** Keep undo entries / block records this many blocks below the checkpoint. */
  readonly undoRetentionBlocks: bigint;
  readonly heightRefreshMs?: number;
  readonly registry?: HandlerRegistry;
  /** Report the mirror stalled after this long without progress (default {@link STALL_AFTER_MS}). */
  readonly stallAfterMs?: number;
  /** Decides eth_getLogs disputes no majority settles; default: receipts-root proofs; null: none (hold still). */
  readonly logsArbiter?: Arbiter<ChainLog[]> | null;
}

export interface PendingEvent {
  readonly kind: ContractKind;
  readonly eventName: string;
  readonly address: Address;
  readonly blockNumber: string;
  readonly blockHash: Hex;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  readonly args: unknown;
  /** Block at which the event becomes safe under a depth policy (null under a tag policy). */
  readonly confirmsAtBlock: string | null;
}

export type ChangeEvent =
  | ({ readonly type: "event" } & Omit<PendingEvent, "confirmsAtBlock">)
  | { readonly type: "rewardRate"; readonly block: string; readonly rewardRate: string }
  | { readonly type: "checkpoint"; readonly number: string; readonly hash: Hex }
  | { readonly type: "rollback"; readonly number: string; readonly hash: Hex; readonly undone: number; readonly reason: string }
  | { readonly type: "reconciliation"; readonly ok: boolean; readonly block: string; readonly detail: string };

export interface ReconcileResult {
  readonly block: string;
  readonly ok: boolean;
  readonly missing: string[];
  readonly extra: string[];
  readonly keyMismatch: string[];
  readonly aggregateMatches: boolean;
  readonly healed: "none" | "rollback" | "full-resync" | "skipped-persistent";
}

export interface FollowerStatus {
  readonly checkpoint: { number: string; hash: Hex } | null;
  readonly safeHead: string | null;
  readonly latest: string | null;
  readonly lagBlocks: string | null;
  readonly syncing: boolean;
  readonly batchSize: string;
  readonly blocksPerSecond: number;
  readonly etaSeconds: number | null;
  readonly reorgs: number;
  readonly dispute: string | null;
  readonly lastReconciliation: ReconcileResult | null;
  readonly safeHeadPolicy: string;
  /**
   * Set while the mirror cannot advance: blocks are waiting at or below the safe head but the checkpoint
   * has not moved for {@link STALL_AFTER_MS} (a provider dispute, failing steps, a chain it cannot follow).
   * A stalled mirror is never reported as syncing normally: the status page, /status and /metrics alert.
   */
  readonly stalled: { readonly sinceSeconds: number; readonly reason: string } | null;
}

export type StepOutcome = "advanced" | "caught-up" | "reorg" | "retry";

export interface Follower {
  init(): Promise<void>;
  step(): Promise<StepOutcome>;
  /** Loops until `stop()`; resolves after the step in flight finishes. */
  run(): Promise<void>;
  stop(): Promise<void>;
  reconcile(): Promise<ReconcileResult | null>;
  status(): FollowerStatus;
  pending(): readonly PendingEvent[];
  /** "change" ({@link ChangeEvent}) for every confirmed change; "synced" when a commit reaches the safe head. */
  readonly changes: EventEmitter;
}

const jsonSafe = (value: unknown): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === "string" && /^0x[0-9a-fA-F]{40}$/.test(v) ? v.toLowerCase() : jsonSafe(v)]));
  }
  if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) return value.toLowerCase();
  return value;
};

/** Prune the undo log at most once per this many processed blocks. */
const PRUNE_EVERY_BLOCKS = 1024n;
/** The mirror is reported stalled once blocks wait at or below the safe head and the checkpoint has not moved for this long. */
export const STALL_AFTER_MS = 60_000;
/** A parent hash of all zeroes: Hardhat's hardhat_mine reports the blocks it reserves this way (their real parent is not given). */
const ZERO_HASH = `0x${"0".repeat(64)}`;
const LAST_GOOD = "reconcile.lastGood";

/** Untaken ranges whose logs are fetched or being fetched (each holds a range's logs in memory until applied). */
const LOGS_AHEAD = 2;
/**
 * eth_getLogs asked at once: the node computes one while the next waits in its queue. Until a plan's first
 * answer is in, one at a time: the tracker has nothing to do until then, and a node serving two answers at
 * once (Hardhat's streams them interleaved) would deliver the first one up to twice as late.
 */
const LOGS_IN_FLIGHT = 2;
/** Untaken ranges planned (their headers asked for) ahead of the one being applied. */
const PLANNED_AHEAD = 3;
/**
 * A plan with more than one range of blocks ahead starts with a range this many times smaller: its answer
 * comes sooner, so the tracker starts applying while the node computes the next, full-size range instead
 * of waiting for a whole one first (in a dense sync the tracker's work is the longer of the two).
 */
const FIRST_RANGE_DIVISOR = 4n;
/** Ranges of at most this many blocks fetch every block's header before their logs (see fetchRangeHeaders). */
const HEADERS_UP_FRONT_BLOCKS = 64n;
/** Logs decoded, preloaded for and applied at a time within a range (their decoded events then die young). */
const APPLY_CHUNK_LOGS = 2048;
/** Logs applied between yields to the event loop (so responses of the fetches ahead are handled promptly). */
const LOGS_PER_YIELD = 256;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export function createFollower(options: FollowerOptions): Follower {
  const { store, providers, logger: log, metrics } = options;
  const registry = options.registry ?? defaultRegistry();
  const sizer = createBatchSizer(options.batch);
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  // Routing: static address → kinds; dynamic kinds by topic.
  const staticKinds = new Map<string, ContractKind[]>();
  const addStatic = (kind: ContractKind, address: Address | undefined): void => {
    if (!address) return;
    if (!registry[kind]) {
      if (kind !== "rewardRatePool") log.warn("no event handlers registered for this contract kind; its events are not mirrored", { kind, address });
      return;
    }
    const k = address.toLowerCase();
    staticKinds.set(k, [...(staticKinds.get(k) ?? []), kind]);
  };
  addStatic("serviceNodeRewards", options.contracts.serviceNodeRewards);
  addStatic("contributionFactory", options.contracts.contributionFactory);
  addStatic("rewardRatePool", options.contracts.rewardRatePool);
  addStatic("nameService", options.contracts.nameService);
  const dynamicKinds = (Object.keys(registry) as ContractKind[]).filter((k) => registry[k]!.dynamic);
  // The any-address (pool) query is skipped until a pool can exist: the mirror knows one, or a fixed-address
  // log of this range announces one. The flag only ever turns on (a rollback keeps it on: conservative).
  const poolAnnouncements = new Set(registry.contributionFactory ? topicsOf(registry.contributionFactory) : []);
  let poolsMayExist = dynamicKinds.length > 0 && !registry.contributionFactory;
  const query: LogQuery = {
    addresses: [...staticKinds.keys()] as Address[],
    anyAddressTopics: dynamicKinds.flatMap((k) => topicsOf(registry[k]!)),
    anyAddressWanted: (fixedLogs) => {
      if (!poolsMayExist && fixedLogs.some((l) => l.topics[0] !== undefined && poolAnnouncements.has(l.topics[0]))) poolsMayExist = true;
      return poolsMayExist;
    },
  };
  const topicSets = new Map<ContractKind, Set<string>>(
    (Object.keys(registry) as ContractKind[]).map((k) => [k, new Set(topicsOf(registry[k]!))]),
  );

  const arbiter = options.logsArbiter === undefined ? receiptsArbiter(providers, query, log) : (options.logsArbiter ?? undefined);
  let policy: SafeHeadPolicy = options.safeHead;
  let checkpoint: BlockRef | null = null;
  let safeHead: bigint | null = null;
  let latest: bigint | null = null;
  let lastHeightRefresh = 0;
  let lastHeadsRefresh = 0;
  let lastOutcome: StepOutcome | null = null;
  /** When the checkpoint last moved, or the mirror was last found caught up (Date.now()). */
  let lastProgressAt = Date.now();
  /** Why the last step did not advance (for the stall report). */
  let lastProblem: string | null = null;
  /** A refresh of the heads running alongside a sync (see updateHeads); null when none is. */
  let headsRefreshing: Promise<void> | null = null;
  let reorgs = 0;
  let dispute: string | null = null;
  let pendingView: PendingEvent[] = [];
  let lastReconcileAt = 0;
  let lastReconciliation: ReconcileResult | null = null;
  let lastHealFrom: string | null = null;
  let blocksPerSecond = 0;
  let lastPruneAt = 0n;
  let stopping = false;
  let running: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const emit = (event: ChangeEvent): void => {
    changes.emit("change", event);
  };

  /** The decoded event of a fixed-address contract's log; undefined when it may be a pool's (routed later). */
  function routeStatic(log: ChainLog, timestamp: bigint | null): DecodedEvent | null | undefined {
    const topic0 = log.topics[0];
    if (topic0 === undefined) return null;
    for (const kind of staticKinds.get(log.address) ?? []) {
      if (topicSets.get(kind)!.has(topic0)) return decodeLog(kind, registry[kind]!, log, timestamp);
    }
    return dynamicKinds.some((kind) => topicSets.get(kind)!.has(topic0)) ? undefined : null;
  }

  async function route(ctx: StateContext, log: ChainLog, timestamp: bigint | null): Promise<DecodedEvent | null> {
    const topic0 = log.topics[0];
    if (topic0 === undefined) return null;
    for (const kind of staticKinds.get(log.address) ?? []) {
      if (topicSets.get(kind)!.has(topic0)) return decodeLog(kind, registry[kind]!, log, timestamp);
    }
    for (const kind of dynamicKinds) {
      const handlers = registry[kind]!;
      if (topicSets.get(kind)!.has(topic0) && (await handlers.dynamic!.isKnownAddress(ctx, log.address))) {
        return decodeLog(kind, handlers, log, timestamp);
      }
    }
    return null;
  }

  /** A handler's MirrorGapError: counted and skipped (false); any other error is rethrown. */
  function skipGap(eventName: string, error: unknown): false {
    if (!(error instanceof MirrorGapError)) throw error;
    metrics.inc("tracker_anomalies_total", "Events that referred to state the mirror does not have", { event: eventName });
    log.warn("event refers to state the mirror does not have; skipped (reconciliation will heal nodes)", { error: error.message });
    return false;
  }

  /** Applies one event: true when a handler applied it. Synchronous when the handler is (no promise then). */
  function apply(ctx: StateContext, event: DecodedEvent): boolean | Promise<boolean> {
    const handler = registry[event.kind]?.handlers[event.eventName];
    if (!handler) return false;
    let running: void | Promise<void>;
    try {
      running = handler(ctx, event);
    } catch (error) {
      return skipGap(event.eventName, error);
    }
    return running === undefined ? true : running.then(() => true, (error: unknown) => skipGap(event.eventName, error));
  }

  const toPending = (e: DecodedEvent, confirmsAtBlock: string | null): PendingEvent => ({
    kind: e.kind,
    eventName: e.eventName,
    address: e.address,
    blockNumber: e.blockNumber.toString(),
    blockHash: e.blockHash,
    logIndex: e.logIndex,
    transactionHash: e.transactionHash,
    args: jsonSafe(e.args),
    confirmsAtBlock,
  });

  async function refreshHeads(): Promise<void> {
    const now = Date.now();
    if (now - lastHeightRefresh >= (options.heightRefreshMs ?? 10_000)) {
      lastHeightRefresh = now;
      await providers.refreshHeights();
    }
    // Requests of their own: a slow head answer must not hold up a range's headers batched beside it.
    latest = await providers.request("eth_blockNumber", fetchBlockNumber);
    if (policy.mode === "depth") {
      safeHead = latest - policy.confirmations;
    } else {
      const tag = policy.mode === "tag" ? policy.tag : "safe";
      const header = await providers.request(`block ${tag}`, (c) => fetchHeader(c, tag, true));
      if (header === null) throw new Error(`the chain returned no "${tag}" block`);
      safeHead = minBig(header.number, latest);
    }
    metrics.set("tracker_latest_block", "Latest block height of the best provider", Number(latest));
    metrics.set("tracker_safe_block", "Safe head the tracker acts at", Number(safeHead));
  }

  const crossCheckHeader = (n: bigint): Promise<ChainHeader | null> =>
    providers.crossCheck(`block ${n}`, (c) => fetchHeader(c, n), headerKey);

  /** The last block reconciliation found correct, unless a rollback went below it. */
  async function lastGoodReconciled(): Promise<BlockRef | null> {
    const raw = await store.getMeta(LAST_GOOD);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as { number: string; hash: Hex };
    return { number: BigInt(parsed.number), hash: parsed.hash };
  }

  async function rollback(target: BlockRef, reason: string): Promise<void> {
    const good = await lastGoodReconciled();
    if (good !== null && good.number > target.number) await store.setMeta(LAST_GOOD, "");
    clearPrefetch();
    const result = await store.rollbackTo(target);
    checkpoint = target;
    pendingView = [];
    emit({ type: "rollback", number: target.number.toString(), hash: target.hash, undone: result.undone, reason });
  }

  async function fullResync(reason: string): Promise<void> {
    log.error("full re-sync from the start block", { reason });
    clearPrefetch();
    await store.resetMirror();
    await store.setMeta(LAST_GOOD, "");
    checkpoint = null;
    pendingView = [];
    emit({ type: "rollback", number: (options.startBlock - 1n).toString(), hash: "0x" as Hex, undone: -1, reason });
  }

  /**
   * Finds the newest stored block that is still canonical and rolls the mirror back to it. Returns
   * false when the checkpoint itself is still canonical: the provider then contradicted itself (e.g. a
   * parent hash that is not the hash it serves for the parent block) — nothing is rolled back or applied.
   */
  async function handleReorg(reason: string): Promise<boolean> {
    if (checkpoint === null) return false;
    const from = checkpoint.number;
    let cursor = checkpoint.number;
    for (;;) {
      const blocks: StoredBlock[] = await store.blocksDescending(cursor, 32);
      if (blocks.length === 0) break;
      const canonical = await Promise.all(blocks.map((b) => crossCheckHeader(b.number)));
      for (let i = 0; i < blocks.length; i++) {
        if (canonical[i] !== null && canonical[i]!.hash === blocks[i].hash) {
          const depth = from - blocks[i].number;
          if (depth === 0n) {
            metrics.inc("tracker_inconsistent_chain_total", "Provider answers whose parent hashes contradict the block hashes they serve");
            log.error("provider served an inconsistent chain; not advancing", { reason, checkpoint: from });
            dispute = `inconsistent chain from provider: ${reason}`;
            return false;
          }
          reorgs++;
          metrics.inc("tracker_reorgs_total", "Reorgs of processed blocks rolled back");
          metrics.set("tracker_last_reorg_depth", "Blocks rolled back by the last reorg", Number(depth));
          log.warn("reorg: rolling back to the common ancestor", { reason, from, ancestor: blocks[i].number, depth });
          await rollback({ number: blocks[i].number, hash: blocks[i].hash }, reason);
          return true;
        }
      }
      cursor = blocks[blocks.length - 1].number - 1n;
    }
    reorgs++;
    metrics.inc("tracker_reorgs_total", "Reorgs of processed blocks rolled back");
    await fullResync(`reorg below the undo log (${reason})`);
    return true;
  }

  async function sampleRewardRate(block: bigint): Promise<string | null> {
    const address = options.contracts.rewardRatePool!;
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

  /** The headers a range needs before its logs are asked for. */
  interface RangeHeaders {
    readonly toHeader: ChainHeader | null;
    /** null also when the provider had no header for some block of a short range (its chain is shorter). */
    readonly fromHeader: ChainHeader | null;
    /** By block number: every block of a short range, else the range's ends. */
    readonly headers: Map<bigint, ChainHeader>;
    /** `headers` holds every block of the range: its logs can be decoded as soon as they arrive. */
    readonly complete: boolean;
  }

  /** What one range needs from the chain: its logs and the headers of its ends and of every log's block (of every block, for a short range). */
  interface RangeData {
    readonly toHeader: ChainHeader | null;
    readonly fromHeader: ChainHeader | null;
    readonly logs: ChainLog[];
    readonly headers: Map<bigint, ChainHeader>;
    /**
     * Settles once block `to` has been fetched again after the logs: true when its hash changed, so the logs
     * may be from another branch. The range is decoded and applied meanwhile; this is awaited just before
     * its commit.
     */
    readonly moved: Promise<boolean>;
  }

  const NOT_MOVED: Promise<boolean> = Promise.resolve(false);

  /**
   * The headers of a range, fetched before its logs: `to` (cross-checked) and, for a range of at most
   * {@link HEADERS_UP_FRONT_BLOCKS} blocks, every other block's too, in the same batch — a dense range then
   * needs no header round trip after its logs, and its headers chain from the checkpoint to `to`. A longer
   * range (sparse logs) fetches `from` now and the headers of the blocks with logs once they are known.
   */
  async function fetchRangeHeaders(from: bigint, to: bigint): Promise<RangeHeaders> {
    const complete = to - from < HEADERS_UP_FRONT_BLOCKS;
    const numbers: bigint[] = [];
    if (complete) for (let n = from; n < to; n++) numbers.push(n);
    else if (from !== to) numbers.push(from);
    const [toHeader, others] = await Promise.all([
      crossCheckHeader(to),
      Promise.all(numbers.map((n) => providers.request(`block ${n}`, (c) => fetchHeader(c, n)))),
    ]);
    const headers = new Map<bigint, ChainHeader>();
    let missing = false;
    numbers.forEach((n, i) => {
      const header = others[i];
      if (header === null) missing = true;
      else headers.set(n, header);
    });
    if (toHeader !== null) headers.set(to, toHeader);
    const fromHeader = missing ? null : from === to ? toHeader : (headers.get(from) ?? null);
    return { toHeader, fromHeader, headers, complete };
  }

  /**
   * The range's logs must belong to the chain whose `to` hash becomes the checkpoint. Blocks without logs
   * carry no hash in the answer, so nothing else would notice logs served from another branch (a reorg
   * landing between two answers, or a load-balanced provider answering from two backends). Hence:
   * `to` is fetched (cross-checked) before the logs (`before`); a one-block range then asks for the logs by
   * that block's hash; a longer range fetches `to` again once the logs are in (`moved`) and is discarded if
   * its hash changed. `onLogsRequested` runs just before the logs are asked for, `onLogsDone` once their
   * answer is in (or failed).
   */
  async function fetchRange(
    from: bigint,
    to: bigint,
    before: Promise<RangeHeaders>,
    onLogsRequested?: () => void,
    onLogsDone?: () => void,
  ): Promise<RangeData> {
    const { toHeader, fromHeader, headers, complete } = await before;
    if (toHeader === null || fromHeader === null) return { toHeader, fromHeader, logs: [], headers, moved: NOT_MOVED };
    const byHash = from === to ? toHeader.hash : undefined;
    onLogsRequested?.();
    let logs: ChainLog[];
    try {
      logs = await providers.crossCheck(`eth_getLogs ${from}-${to}`, (c) => fetchLogs(c, query, from, to, byHash), logsKey, arbiter);
    } finally {
      onLogsDone?.();
    }
    const moved =
      byHash !== undefined ? NOT_MOVED : providers.request(`block ${to}`, (c) => fetchHeader(c, to)).then((after) => after === null || after.hash !== toHeader.hash);
    // Awaited before the commit; a range dropped before then must not leave an unhandled rejection behind.
    moved.catch(() => undefined);
    if (!complete) {
      const logBlocks = [...new Set(logs.map((l) => l.blockNumber))].filter((n) => !headers.has(n));
      const fetched = await Promise.all(logBlocks.map((n) => providers.request(`block ${n}`, (c) => fetchHeader(c, n))));
      fetched.forEach((h, i) => {
        if (h) headers.set(logBlocks[i], h);
      });
    }
    return { toHeader, fromHeader, logs, headers, moved };
  }

  /**
   * Pipelining: the RPC node should never wait for the tracker. Ranges are planned ahead of the one being
   * applied: a planned range's headers are asked for at once (cheap; up to {@link PLANNED_AHEAD} ranges),
   * so that when its turn in the logs pipeline comes, its eth_getLogs goes out without a header round trip
   * — queued at the node behind the previous range's, while the tracker applies an earlier one. Bounded:
   * at most {@link LOGS_IN_FLIGHT} eth_getLogs asked and not answered, at most {@link LOGS_AHEAD} untaken
   * ranges with their logs fetched or being fetched (memory). A prefetched range is only data: it is
   * validated against the checkpoint when its turn comes, exactly like a fresh fetch, and dropped
   * (re-fetched) if anything about it no longer fits.
   */
  interface PlannedRange {
    readonly from: bigint;
    readonly to: bigint;
    readonly headers: Promise<RangeHeaders>;
    /** null until its logs phase starts. */
    data: Promise<RangeData> | null;
    failed: boolean;
  }
  /** Planned ranges not yet taken, consecutive and in order. */
  let planned: PlannedRange[] = [];
  /** The newest planned range (taken or not); the plan continues after it. */
  let planTail: PlannedRange | null = null;
  /** eth_getLogs asked and not yet answered (taken ranges included). */
  let logsInFlight = 0;
  /** An eth_getLogs of the current plan has been answered (see LOGS_IN_FLIGHT). */
  let planAnswered = false;

  function clearPrefetch(): void {
    planned = [];
    planTail = null;
    planAnswered = false;
  }

  function plan(from: bigint, to: bigint): PlannedRange {
    const headers = fetchRangeHeaders(from, to);
    headers.catch(() => undefined); // surfaces (and is handled) when the range is taken
    const range: PlannedRange = { from, to, headers, data: null, failed: false };
    planned.push(range);
    planTail = range;
    return range;
  }

  /** Plans the range after the plan's tail while the bounds allow. */
  function planAhead(): void {
    for (;;) {
      const tail = planTail;
      if (tail === null || tail.failed || stopping || safeHead === null || tail.to >= safeHead || planned.length >= PLANNED_AHEAD) return;
      plan(tail.to + 1n, minBig(safeHead, tail.to + sizer.size));
    }
  }

  function startLogs(range: PlannedRange): Promise<RangeData> {
    logsInFlight++;
    let counted = true;
    const done = (): void => {
      if (!counted) return;
      counted = false;
      logsInFlight--;
      planAnswered = true;
      pump();
    };
    const data = fetchRange(range.from, range.to, range.headers, planAhead, done);
    range.data = data;
    data.then(done, () => {
      // The failure surfaces (and is handled) when the range is taken; the plan stops here.
      range.failed = true;
      done();
    });
    return data;
  }

  /**
   * Starts the logs of the next planned range, when the bounds allow. One per call (each answer and each
   * taken range calls it), so requests go out staggered: two asked at the same moment are answered
   * interleaved by a node like Hardhat's, the first one as late as the second.
   */
  function pump(): void {
    let started = 0;
    for (const range of planned) {
      if (range.failed) return;
      if (range.data !== null) {
        started++;
        continue;
      }
      if (!stopping && started < LOGS_AHEAD && logsInFlight < (planAnswered ? LOGS_IN_FLIGHT : 1)) startLogs(range);
      return;
    }
  }

  /** The range's fetch: the planned one when the plan has it next (`prefetched`), else a new plan. */
  function takePrefetch(from: bigint, to: bigint): { data: Promise<RangeData>; prefetched: boolean } {
    let head = planned[0];
    let prefetched = true;
    if (head === undefined || head.from !== from || head.to !== to) {
      clearPrefetch();
      head = plan(from, to);
      prefetched = false;
    }
    planned.shift();
    const data = head.data ?? startLogs(head);
    planAhead();
    pump();
    return { data, prefetched };
  }

  /**
   * The end of the range starting at `from`: a planned range's end when one is waiting there, else the
   * first range of a new plan (a short one when more than a range of blocks is ahead).
   */
  function rangeEnd(from: bigint, safe: bigint): bigint {
    const head = planned[0];
    if (head !== undefined && head.from === from && head.to <= safe) return head.to;
    if (safe - from + 1n <= sizer.size) return safe;
    const first = sizer.size / FIRST_RANGE_DIVISOR;
    return from + (first > 0n ? first : 1n) - 1n;
  }

  type Validated =
    | { ok: true; toHeader: ChainHeader; logs: ChainLog[]; headers: Map<bigint, ChainHeader>; moved: Promise<boolean> }
    | { ok: false; outcome: StepOutcome };

  async function validate(from: bigint, to: bigint, data: RangeData, fresh: boolean): Promise<Validated> {
    const { toHeader, fromHeader, logs, headers } = data;
    if (toHeader === null || fromHeader === null) return { ok: false, outcome: "retry" }; // the provider's chain is shorter than its reported height
    if (checkpoint !== null && fromHeader.parentHash === ZERO_HASH && from === checkpoint.number + 1n) {
      // A block reported without its parent (hardhat_mine): the link cannot be read from it, so the
      // checkpoint is checked to still be canonical instead (a reorg below it is handled as any other).
      const current = await crossCheckHeader(checkpoint.number);
      if (current === null || current.hash !== checkpoint.hash) {
        if (!fresh) return { ok: false, outcome: "retry" };
        const rolledBack = await handleReorg(`block ${checkpoint.number} is now ${current?.hash ?? "missing"} (block ${from} reports no parent hash)`);
        return { ok: false, outcome: rolledBack ? "reorg" : "retry" };
      }
      metrics.inc("tracker_zero_parent_blocks_total", "Range starts reported with a zero parent hash (hardhat_mine), linked through the checkpoint instead");
    } else if (checkpoint !== null && fromHeader.parentHash !== checkpoint.hash) {
      if (!fresh) return { ok: false, outcome: "retry" }; // stale prefetch: decided on fresh data only
      const rolledBack = await handleReorg(`parent of block ${from} is ${fromHeader.parentHash}, mirror has ${checkpoint.hash} at ${checkpoint.number}`);
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
    const { data: fetching, prefetched } = takePrefetch(from, to);
    let checked: Validated;
    try {
      let data = await fetching;
      checked = await validate(from, to, data, !prefetched);
      if (!checked.ok && prefetched) {
        clearPrefetch(); // the ranges planned after a stale one are stale too
        data = await takePrefetch(from, to).data; // a fresh plan, starting here
        checked = await validate(from, to, data, true);
      }
    } catch (error) {
      clearPrefetch();
      if (isTooManyResults(error) || isTimeout(error) || error instanceof AllProvidersFailedError) {
        shrink(sizer);
        metrics.inc("tracker_getlogs_shrinks_total", "Times the eth_getLogs range was shrunk");
        log.warn("range failed; shrinking", { from, to, size: sizer.size, error: shortError(error) });
        return "retry";
      }
      throw error;
    }
    if (!checked.ok) {
      clearPrefetch();
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
        predecoded[i - start] = routeStatic(logs[i], headers.get(logs[i].blockNumber)!.timestamp);
      }
      await preloadReads(overlay, predecoded, end - start);
      for (let i = start; i < end; i++) {
        if (i % LOGS_PER_YIELD === LOGS_PER_YIELD - 1) await yieldToEventLoop();
        const l = logs[i];
        withLogs.add(l.blockNumber);
        overlay.block = l.blockNumber;
        const routed = predecoded[i - start];
        predecoded[i - start] = null;
        const event = routed !== undefined ? routed : await route(overlay, l, headers.get(l.blockNumber)!.timestamp);
        if (!event) continue;
        const outcome = apply(overlay, event);
        if (outcome === true || (outcome !== false && (await outcome))) {
          appliedCount++;
          if (listening) applied.push(event);
        }
      }
    }
    const samples: RewardRateSample[] = [];
    if (options.rewardRateInterval > 0n && options.contracts.rewardRatePool) {
      const interval = options.rewardRateInterval;
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
      clearPrefetch();
      metrics.inc("tracker_range_moved_total", "Ranges discarded because block `to` changed while their logs were fetched");
      log.warn("block hash at the range end changed while its logs were fetched; discarding the range", { from, to, before: toHeader.hash });
      return "retry";
    }
    const next: BlockRef = { number: to, hash: toHeader.hash };
    await store.commitRange({ blocks: storedBlocks, changes: overlay.changes, checkpoint: next });
    checkpoint = next;
    dispute = null;
    // Status watchers (the CLI's progress/"caught up" line) learn of it now, not at their next poll.
    if (safeHead !== null && to >= safeHead) changes.emit("synced");

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
      await store.prune(to - options.undoRetentionBlocks);
    }
    return "advanced";
  }

  async function updatePending(): Promise<void> {
    if (latest === null || safeHead === null || latest <= safeHead) {
      pendingView = [];
      return;
    }
    const from = safeHead + 1n > latest - sizer.max + 1n ? safeHead + 1n : latest - sizer.max + 1n;
    const logs = await providers.request(`eth_getLogs pending ${from}-${latest}`, (c) => fetchLogs(c, query, from, latest!));
    const overlay = createOverlay(store); // throw-away: pending changes are never committed
    const view: PendingEvent[] = [];
    for (const l of logs) {
      if (l.removed) continue; // honoured: a removed log is gone from the pending view
      overlay.block = l.blockNumber;
      const event = await route(overlay, l, null);
      if (!event) continue;
      try {
        await apply(overlay, event);
      } catch {
        // Best effort: the pending view lists the event even when its handler refuses it.
      }
      view.push(toPending(event, policy.mode === "depth" ? (l.blockNumber + policy.confirmations).toString() : null));
    }
    pendingView = view;
    metrics.set("tracker_pending_events", "Events above the safe head (optimistic view)", view.length);
  }

  async function reconcile(): Promise<ReconcileResult | null> {
    const cp = checkpoint;
    if (cp === null) return null;
    const address = options.contracts.serviceNodeRewards;
    const [ids, agg] = await Promise.all([
      providers.crossCheck(
        `allServiceNodeIDs() at ${cp.number}`,
        (c) => c.readContract({ address, abi: serviceNodeRewardsViewsAbi, functionName: "allServiceNodeIDs", blockNumber: cp.number }),
        (v) => JSON.stringify(jsonSafe(v)),
      ),
      providers.crossCheck(
        `aggregatePubkey() at ${cp.number}`,
        (c) => c.readContract({ address, abi: serviceNodeRewardsViewsAbi, functionName: "aggregatePubkey", blockNumber: cp.number }),
        (v) => JSON.stringify(jsonSafe(v)),
      ),
    ]);
    if (checkpoint === null || checkpoint.hash !== cp.hash) return null; // the mirror moved meanwhile
    const chain = new Map<string, string>();
    ids[0].forEach((id, i) => chain.set(id.toString(), `${ids[1][i].X}:${ids[1][i].Y}`));
    const mirror = new Map<string, string>();
    const keys: { X: bigint; Y: bigint }[] = [];
    for (const row of await store.listEntities(ENTITY.node)) {
      const node = parseRecord<NodeRecord>(row.value);
      if (!isRegistered(node)) continue;
      mirror.set(node.id, `${node.pubkey.X}:${node.pubkey.Y}`);
      keys.push({ X: BigInt(node.pubkey.X), Y: BigInt(node.pubkey.Y) });
    }
    const missing = [...chain.keys()].filter((id) => !mirror.has(id));
    const extra = [...mirror.keys()].filter((id) => !chain.has(id));
    const keyMismatch = [...chain.keys()].filter((id) => mirror.has(id) && mirror.get(id) !== chain.get(id));
    let aggregateMatches: boolean;
    try {
      const mine = aggregatePublicKeys(keys);
      aggregateMatches = mine.X === agg.X && mine.Y === agg.Y;
    } catch {
      aggregateMatches = false;
    }
    const ok = missing.length === 0 && extra.length === 0 && keyMismatch.length === 0 && aggregateMatches;
    let healed: ReconcileResult["healed"] = "none";
    metrics.inc("tracker_reconciliations_total", "Reconciliations against allServiceNodeIDs()/aggregatePubkey()", { result: ok ? "ok" : "mismatch" });
    if (ok) {
      await store.setMeta(LAST_GOOD, JSON.stringify({ number: cp.number.toString(), hash: cp.hash }));
      lastHealFrom = null;
    } else {
      metrics.inc("tracker_reconcile_differences_total", "Node ids/keys that differed at reconciliation", {}, missing.length + extra.length + keyMismatch.length + (aggregateMatches ? 0 : 1));
      const lastGood = await lastGoodReconciled();
      const healKey = lastGood?.number.toString() ?? "start";
      log.error("reconciliation mismatch", { block: cp.number, missing, extra, keyMismatch, aggregateMatches, healFrom: healKey });
      if (lastHealFrom === healKey) {
        healed = "skipped-persistent";
        metrics.inc("tracker_reconcile_persistent_total", "Mismatches that a re-sync did not heal");
      } else {
        lastHealFrom = healKey;
        const floor = await store.undoFloor();
        if (lastGood && floor !== null && lastGood.number >= floor && lastGood.number <= cp.number) {
          await rollback(lastGood, "reconciliation mismatch");
          healed = "rollback";
        } else {
          await fullResync("reconciliation mismatch");
          healed = "full-resync";
        }
      }
    }
    const result: ReconcileResult = { block: cp.number.toString(), ok, missing, extra, keyMismatch, aggregateMatches, healed };
    lastReconciliation = result;
    emit({ type: "reconciliation", ok, block: result.block, detail: ok ? "match" : `missing ${missing.length}, extra ${extra.length}, keys ${keyMismatch.length}, aggregate ${aggregateMatches}` });
    return result;
  }

  async function step(): Promise<StepOutcome> {
    const before = checkpoint?.number ?? null;
    let outcome: StepOutcome;
    try {
      outcome = await stepOnce();
    } catch (error) {
      lastProblem = `step failed: ${shortError(error)}`;
      throw error;
    }
    lastOutcome = outcome;
    if (outcome === "caught-up" || (checkpoint?.number ?? null) !== before) {
      lastProgressAt = Date.now();
      lastProblem = null;
    } else if (outcome === "retry") lastProblem ??= dispute ?? "the last step was retried (RPC failure, or the chain moved under the range)";
    metrics.set("tracker_stalled", "1 while the mirror cannot advance (blocks wait at or below the safe head, no progress for 60 s)", stallInfo() === null ? 0 : 1);
    metrics.set("tracker_seconds_since_progress", "Seconds since the checkpoint last moved or the mirror was last caught up", Math.round((Date.now() - lastProgressAt) / 1000));
    return outcome;
  }

  function stallInfo(): FollowerStatus["stalled"] {
    const waiting = safeHead !== null && (checkpoint === null ? safeHead >= options.startBlock : checkpoint.number < safeHead);
    const idleMs = Date.now() - lastProgressAt;
    if (!waiting || idleMs < (options.stallAfterMs ?? STALL_AFTER_MS)) return null;
    return { sinceSeconds: Math.round(idleMs / 1000), reason: dispute ?? lastProblem ?? "no progress" };
  }

  /** In the middle of a sync: the last step advanced and the known safe head is still ahead. */
  function midSync(): boolean {
    return lastOutcome === "advanced" && checkpoint !== null && safeHead !== null && checkpoint.number < safeHead;
  }

  /**
   * The heads are refreshed before every step, except in the middle of a sync: there at most once per poll
   * interval, and without waiting for it. A refresh is a round trip that queues at the node behind the
   * eth_getLogs fetched ahead (hundreds of ms in a dense sync); meanwhile ranges up to the safe head known
   * already are processed — it only grows, and a lower one (a provider's shorter chain) is applied once
   * the refresh lands: a range planned past it is re-planned when taken.
   */
  async function updateHeads(): Promise<void> {
    if (!midSync()) {
      await headsRefreshing;
      await refreshHeads();
      lastHeadsRefresh = Date.now();
      return;
    }
    if (headsRefreshing !== null || Date.now() - lastHeadsRefresh < options.pollIntervalMs) return;
    headsRefreshing = refreshHeads()
      .catch((error: unknown) => {
        // The next step that needs the heads refreshes them itself and handles the failure there.
        log.warn("refreshing the chain heads failed during the sync; continuing with the known safe head", { error: shortError(error) });
      })
      .finally(() => {
        lastHeadsRefresh = Date.now();
        headsRefreshing = null;
      });
  }

  async function stepOnce(): Promise<StepOutcome> {
    try {
      await updateHeads();
      const safe = safeHead!;
      if (checkpoint !== null && checkpoint.number >= safe) {
        // Idle (or the chain got shorter): make sure our head is still canonical.
        const header = await crossCheckHeader(checkpoint.number);
        if (header === null || header.hash !== checkpoint.hash) {
          return (await handleReorg(`block ${checkpoint.number} is now ${header?.hash ?? "missing"}`)) ? "reorg" : "retry";
        }
        await updatePending();
        if (options.reconcileIntervalMs > 0 && Date.now() - lastReconcileAt >= options.reconcileIntervalMs) {
          lastReconcileAt = Date.now();
          await reconcile();
        }
        return "caught-up";
      }
      const from = checkpoint === null ? options.startBlock : checkpoint.number + 1n;
      if (from > safe) {
        await updatePending();
        return "caught-up";
      }
      return await processRange(from, rangeEnd(from, safe));
    } catch (error) {
      if (error instanceof ProviderDisputeError) {
        dispute = error.message;
        metrics.inc("tracker_disputes_total", "Provider disagreements nothing could settle (tracker held still)");
        log.error("provider dispute; holding still", { error: error.message });
        return "retry";
      }
      if (error instanceof AllProvidersFailedError || isTimeout(error)) {
        log.warn("RPC failure; retrying", { error: shortError(error) });
        return "retry";
      }
      throw error;
    }
  }

  async function init(): Promise<void> {
    const chainId = await providers.init();
    const identity = JSON.stringify({
      chainId,
      contracts: Object.fromEntries(Object.entries(options.contracts).map(([k, v]) => [k, (v as string | undefined)?.toLowerCase() ?? null])),
      startBlock: options.startBlock.toString(),
    });
    const stored = await store.getMeta("identity");
    if (stored !== null && stored !== identity) {
      throw new Error(`tracker: the store was built for ${stored} but the configuration is ${identity}; use another --db`);
    }
    if (stored === null) await store.setMeta("identity", identity);
    checkpoint = await store.getCheckpoint();
    if ((await store.listEntities(ENTITY.pool)).length > 0) poolsMayExist = true;
    if (policy.mode === "auto") {
      const confirmations = policy.confirmations;
      const safe = await providers.request("block safe", (c) => fetchHeader(c, "safe")).catch(() => null);
      policy = safe ? { mode: "tag", tag: "safe" } : { mode: "depth", confirmations };
      log.info("safe head policy", { policy: describePolicy(policy) });
    }
    log.info("tracker starting", { chainId, checkpoint: checkpoint?.number ?? null, startBlock: options.startBlock });
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!stopping) {
      const stepStarted = Date.now();
      let outcome: StepOutcome;
      try {
        outcome = await step();
        failures = 0;
      } catch (error) {
        failures++;
        log.error("follower step failed", { error: shortError(error), failures });
        outcome = "retry";
      }
      if (stopping) break;
      if (outcome === "caught-up" || outcome === "retry") {
        // Caught up: poll at a fixed rate (the next step starts one interval after this one started), so the
        // step's own round trips do not add to the lag. Retries back off.
        const delay =
          outcome === "retry"
            ? Math.min(options.pollIntervalMs * 2 ** Math.min(failures, 5), 30_000)
            : Math.max(0, options.pollIntervalMs - (Date.now() - stepStarted));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    }
  }

  return {
    init,
    step,
    reconcile,
    changes,
    async run() {
      stopping = false;
      running = loop();
      await running;
    },
    async stop() {
      stopping = true;
      wake?.();
      if (running) await running;
    },
    pending: () => pendingView,
    status() {
      const lag = checkpoint !== null && latest !== null ? latest - checkpoint.number : null;
      const done = checkpoint !== null ? checkpoint.number : options.startBlock - 1n;
      const remaining = safeHead !== null ? (safeHead > done ? safeHead - done : 0n) : null;
      return {
        checkpoint: checkpoint ? { number: checkpoint.number.toString(), hash: checkpoint.hash } : null,
        safeHead: safeHead?.toString() ?? null,
        latest: latest?.toString() ?? null,
        lagBlocks: lag?.toString() ?? null,
        syncing: remaining === null || remaining > 0n,
        batchSize: sizer.size.toString(),
        blocksPerSecond: Math.round(blocksPerSecond * 10) / 10,
        etaSeconds: remaining !== null && remaining > 0n && blocksPerSecond > 0 ? Math.round(Number(remaining) / blocksPerSecond) : remaining === 0n ? 0 : null,
        reorgs,
        dispute,
        lastReconciliation,
        safeHeadPolicy: describePolicy(policy),
        stalled: stallInfo(),
      };
    },
  };
}

export function describePolicy(policy: SafeHeadPolicy): string {
  return policy.mode === "tag" ? `tag:${policy.tag}` : `${policy.mode}:${policy.confirmations}`;
}

export { sleep };

/**
 * The follower: RPC → store. Processes block ranges at or below the safe head, each range (its blocks,
 * state changes and the checkpoint) committed in one store transaction; detects reorgs by parent hash
 * and rolls back through the undo log; cross-checks logs and block hashes between providers; samples
 * the reward rate; reconciles the mirror against the registry's views; keeps a separate optimistic
 * "pending" view of the blocks above the safe head.
 *
 * Stages, each a factory taking a typed parameters object (./types holds what they share):
 *   router    which logs are asked for, which kind each belongs to, applying an event with its handler
 *   fetch     planning ranges ahead and fetching their headers and logs (pipelined)
 *   apply     validating a fetched range against the checkpoint, applying it, committing it
 *   reorg     finding the common ancestor, rollback through the undo log, full re-sync
 *   reconcile the mirror against the registry's views, healing a mismatch
 *   pending   the optimistic view above the safe head
 * This file keeps the loop, the heads and the status.
 */
import { EventEmitter } from "node:events";
import { createBatchSizer } from "../rpc/batcher";
import { crossCheckHeader, fetchBlockNumber, fetchHeader } from "../rpc/chain";
import { AllProvidersFailedError, ProviderDisputeError, isTimeout, shortError } from "../rpc/errors";
import { receiptsArbiter } from "../rpc/proof";
import { defaultRegistry } from "../state/handlers";
import { ENTITY } from "../state/model";
import { createRangeApplier } from "./apply";
import { createRangeFetcher } from "./fetch";
import { createPendingView } from "./pending";
import { createReconciler } from "./reconcile";
import { createReorgHandler } from "./reorg";
import { createRouter } from "./router";
import { minBig, type ChangeEvent, type Follower, type FollowerOptions, type FollowerStatus, type SafeHeadPolicy, type StepOutcome, type SyncState } from "./types";

export type {
  ChangeEvent,
  ContractAddresses,
  Follower,
  FollowerOptions,
  FollowerStatus,
  PendingEvent,
  ReconcileResult,
  SafeHeadPolicy,
  StepOutcome,
} from "./types";

/** The mirror is reported stalled once blocks wait at or below the safe head and the checkpoint has not moved for this long. */
export const STALL_AFTER_MS = 60_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createFollower(options: FollowerOptions): Follower {
  const { store, providers, logger: log, metrics } = options;
  const registry = options.registry ?? defaultRegistry();
  const sizer = createBatchSizer(options.batch);
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  const emit = (event: ChangeEvent): void => {
    changes.emit("change", event);
  };

  const state: SyncState = {
    checkpoint: null,
    safeHead: null,
    latest: null,
    policy: options.safeHead,
    dispute: null,
    reorgs: 0,
    stopping: false,
  };
  const router = createRouter({ registry, contracts: options.contracts, log, metrics });
  const arbiter = options.logsArbiter === undefined ? receiptsArbiter(providers, router.query, log) : (options.logsArbiter ?? undefined);
  const fetcher = createRangeFetcher({ providers, query: router.query, arbiter, sizer, state });
  const pending = createPendingView({ store, providers, metrics, router, sizer, state });
  const reorg = createReorgHandler({ store, providers, log, metrics, startBlock: options.startBlock, state, fetcher, pending, emit });
  const applier = createRangeApplier({
    store,
    providers,
    log,
    metrics,
    registry,
    contracts: options.contracts,
    rewardRateInterval: options.rewardRateInterval,
    undoRetentionBlocks: options.undoRetentionBlocks,
    router,
    fetcher,
    reorg,
    sizer,
    state,
    changes,
  });
  const reconciler = createReconciler({ store, providers, log, metrics, contracts: options.contracts, state, reorg, emit });

  let lastHeightRefresh = 0;
  let lastHeadsRefresh = 0;
  let lastOutcome: StepOutcome | null = null;
  /** When the checkpoint last moved, or the mirror was last found caught up (Date.now()). */
  let lastProgressAt = Date.now();
  /** Why the last step did not advance (for the stall report). */
  let lastProblem: string | null = null;
  /** A refresh of the heads running alongside a sync (see updateHeads); null when none is. */
  let headsRefreshing: Promise<void> | null = null;
  let lastReconcileAt = 0;
  let running: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  async function refreshHeads(): Promise<void> {
    const now = Date.now();
    if (now - lastHeightRefresh >= (options.heightRefreshMs ?? 10_000)) {
      lastHeightRefresh = now;
      await providers.refreshHeights();
    }
    // Requests of their own: a slow head answer must not hold up a range's headers batched beside it.
    const latest = await providers.request("eth_blockNumber", fetchBlockNumber);
    state.latest = latest;
    const policy = state.policy;
    if (policy.mode === "depth") {
      state.safeHead = latest - policy.confirmations;
    } else {
      const tag = policy.mode === "tag" ? policy.tag : "safe";
      const header = await providers.request(`block ${tag}`, (c) => fetchHeader(c, tag, true));
      if (header === null) throw new Error(`the chain returned no "${tag}" block`);
      state.safeHead = minBig(header.number, latest);
    }
    metrics.set("tracker_latest_block", "Latest block height of the best provider", Number(latest));
    metrics.set("tracker_safe_block", "Safe head the tracker acts at", Number(state.safeHead));
  }

  async function step(): Promise<StepOutcome> {
    const before = state.checkpoint?.number ?? null;
    let outcome: StepOutcome;
    try {
      outcome = await stepOnce();
    } catch (error) {
      lastProblem = `step failed: ${shortError(error)}`;
      throw error;
    }
    lastOutcome = outcome;
    if (outcome === "caught-up" || (state.checkpoint?.number ?? null) !== before) {
      lastProgressAt = Date.now();
      lastProblem = null;
    } else if (outcome === "retry") lastProblem ??= state.dispute ?? "the last step was retried (RPC failure, or the chain moved under the range)";
    metrics.set("tracker_stalled", "1 while the mirror cannot advance (blocks wait at or below the safe head, no progress for 60 s)", stallInfo() === null ? 0 : 1);
    metrics.set("tracker_seconds_since_progress", "Seconds since the checkpoint last moved or the mirror was last caught up", Math.round((Date.now() - lastProgressAt) / 1000));
    return outcome;
  }

  function stallInfo(): FollowerStatus["stalled"] {
    const { checkpoint, safeHead } = state;
    const waiting = safeHead !== null && (checkpoint === null ? safeHead >= options.startBlock : checkpoint.number < safeHead);
    const idleMs = Date.now() - lastProgressAt;
    if (!waiting || idleMs < (options.stallAfterMs ?? STALL_AFTER_MS)) return null;
    return { sinceSeconds: Math.round(idleMs / 1000), reason: state.dispute ?? lastProblem ?? "no progress" };
  }

  /** In the middle of a sync: the last step advanced and the known safe head is still ahead. */
  function midSync(): boolean {
    const { checkpoint, safeHead } = state;
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
      const safe = state.safeHead!;
      if (state.checkpoint !== null && state.checkpoint.number >= safe) {
        // Idle (or the chain got shorter): make sure our head is still canonical.
        const header = await crossCheckHeader(providers, state.checkpoint.number);
        if (header === null || header.hash !== state.checkpoint.hash) {
          return (await reorg.handleReorg(`block ${state.checkpoint.number} is now ${header?.hash ?? "missing"}`)) ? "reorg" : "retry";
        }
        await pending.update();
        if (options.reconcileIntervalMs > 0 && Date.now() - lastReconcileAt >= options.reconcileIntervalMs) {
          lastReconcileAt = Date.now();
          await reconciler.reconcile();
        }
        return "caught-up";
      }
      const from = state.checkpoint === null ? options.startBlock : state.checkpoint.number + 1n;
      if (from > safe) {
        await pending.update();
        return "caught-up";
      }
      return await applier.processRange(from, fetcher.rangeEnd(from, safe));
    } catch (error) {
      if (error instanceof ProviderDisputeError) {
        state.dispute = error.message;
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
    state.checkpoint = await store.getCheckpoint();
    if ((await store.listEntities(ENTITY.pool)).length > 0) router.poolsExist();
    if (state.policy.mode === "auto") {
      const confirmations = state.policy.confirmations;
      const safe = await providers.request("block safe", (c) => fetchHeader(c, "safe")).catch(() => null);
      state.policy = safe ? { mode: "tag", tag: "safe" } : { mode: "depth", confirmations };
      log.info("safe head policy", { policy: describePolicy(state.policy) });
    }
    log.info("tracker starting", { chainId, checkpoint: state.checkpoint?.number ?? null, startBlock: options.startBlock });
  }

  async function loop(): Promise<void> {
    let failures = 0;
    while (!state.stopping) {
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
      if (state.stopping) break;
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
    reconcile: () => reconciler.reconcile(),
    changes,
    async run() {
      state.stopping = false;
      running = loop();
      await running;
    },
    async stop() {
      state.stopping = true;
      wake?.();
      if (running) await running;
    },
    pending: () => pending.events(),
    status() {
      const { checkpoint, safeHead, latest } = state;
      const blocksPerSecond = applier.blocksPerSecond();
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
        reorgs: state.reorgs,
        dispute: state.dispute,
        lastReconciliation: reconciler.last(),
        safeHeadPolicy: describePolicy(state.policy),
        stalled: stallInfo(),
      };
    },
  };
}

export function describePolicy(policy: SafeHeadPolicy): string {
  return policy.mode === "tag" ? `tag:${policy.tag}` : `${policy.mode}:${policy.confirmations}`;
}

export { sleep };

/**
 * The pending view: an optimistic, throw-away view of the events in the blocks above the safe head
 * (never committed; replaced at every refresh, emptied by a rollback).
 */
import type { Metrics } from "../metrics";
import type { BatchSizer } from "../rpc/batcher";
import { fetchLogs } from "../rpc/chain";
import type { ProviderSet } from "../rpc/providers";
import { createOverlay } from "../state/context";
import type { TrackerStore } from "../store/types";
import { toPending, type Router } from "./router";
import type { PendingEvent, SyncState } from "./types";

export interface PendingViewParameters {
  readonly store: TrackerStore;
  readonly providers: ProviderSet;
  readonly metrics: Metrics;
  readonly router: Router;
  /** Its maximum bounds how far below the latest block the view reaches. */
  readonly sizer: BatchSizer;
  /** Read for the heads and the safe-head policy. */
  readonly state: Readonly<SyncState>;
}

export interface PendingView {
  /** Re-reads the blocks above the safe head. */
  update(): Promise<void>;
  clear(): void;
  events(): readonly PendingEvent[];
}

export function createPendingView({ store, providers, metrics, router, sizer, state }: PendingViewParameters): PendingView {
  let pendingView: PendingEvent[] = [];

  async function update(): Promise<void> {
    const { latest, safeHead } = state;
    if (latest === null || safeHead === null || latest <= safeHead) {
      pendingView = [];
      return;
    }
    const from = safeHead + 1n > latest - sizer.max + 1n ? safeHead + 1n : latest - sizer.max + 1n;
    const logs = await providers.request(`eth_getLogs pending ${from}-${latest}`, (c) => fetchLogs(c, router.query, from, state.latest!));
    const overlay = createOverlay(store); // throw-away: pending changes are never committed
    const view: PendingEvent[] = [];
    for (const l of logs) {
      if (l.removed) continue; // honoured: a removed log is gone from the pending view
      overlay.block = l.blockNumber;
      const event = await router.route(overlay, l, null);
      if (!event) continue;
      try {
        await router.apply(overlay, event);
      } catch {
        // Best effort: the pending view lists the event even when its handler refuses it.
      }
      const policy = state.policy;
      view.push(toPending(event, policy.mode === "depth" ? (l.blockNumber + policy.confirmations).toString() : null));
    }
    pendingView = view;
    metrics.set("tracker_pending_events", "Events above the safe head (optimistic view)", view.length);
  }

  return {
    update,
    clear() {
      pendingView = [];
    },
    events: () => pendingView,
  };
}

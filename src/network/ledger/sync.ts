/**
 * Drives a ledger from a {@link NetworkView}: network height = floor(timestamp / 120 s); every height up to
 * the snapshot's is applied in order with that snapshot's nodes and rate. Eligibility and stake returns
 * are decided from the nodes' own timestamps, so a late sync still attributes registrations and exits to
 * the right blocks; only the rate is the snapshot's sample unless the snapshot carries the pool's state: then
 * `rewardRate()` as the contract returns it at each block's own time (exact when the pool did not change
 * between that block and the snapshot: sync at least once per block), and the sample only for a block
 * before the pool's last payout.
 */
import { impostorsAt } from "../impostors";
import type { NetworkSnapshot, NetworkView } from "../view";
import type { Ledger } from "./ledger";
import { rewardRateAt } from "./rate";

export const NETWORK_BLOCK_SECONDS = 120n;

export function networkHeightAt(timestamp: bigint): bigint {
  return timestamp / NETWORK_BLOCK_SECONDS;
}

export interface SyncResult {
  readonly from: bigint | null;
  readonly to: bigint | null;
  readonly applied: number;
  readonly snapshot: NetworkSnapshot;
}

/**
 * Applies every network block up to the snapshot's height. An empty ledger starts at `startHeight`
 * (default: the current height, i.e. no back-fill).
 */
export async function syncLedger(ledger: Ledger, view: NetworkView, startHeight?: bigint): Promise<SyncResult> {
  const snapshot = await view.snapshot();
  return applySnapshot(ledger, snapshot, startHeight);
}

/** The rate for the network block starting at `timestamp` (see the file comment). */
export function blockRate(snapshot: NetworkSnapshot, timestamp: bigint): bigint {
  const pool = snapshot.rewardPool;
  return pool !== undefined && timestamp >= pool.lastPaidOutTime ? rewardRateAt(pool, timestamp) : snapshot.rewardRate;
}

/**
 * The impostors (impostors.ts) at each block's time, from the snapshot's nodes: the verdict changes only
 * when a node registers or leaves, so it is recomputed only when a block crosses one of those times.
 */
export function refusalTimeline(snapshot: NetworkSnapshot): (timestamp: bigint) => ReadonlySet<bigint> {
  const changes = new Set<bigint>();
  for (const node of snapshot.nodes) {
    changes.add(node.registeredAt);
    if (node.exitedAt !== null) changes.add(node.exitedAt);
  }
  const times = [...changes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let cached: { epoch: number; refused: ReadonlySet<bigint> } | null = null;
  return (timestamp) => {
    // The epoch: how many change times are ≤ timestamp (the verdict is constant within one).
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= timestamp) lo = mid + 1;
      else hi = mid;
    }
    if (cached === null || cached.epoch !== lo) cached = { epoch: lo, refused: new Set(impostorsAt(snapshot.nodes, snapshot.domain, timestamp).keys()) };
    return cached.refused;
  };
}

export function applySnapshot(ledger: Ledger, snapshot: NetworkSnapshot, startHeight?: bigint): SyncResult {
  const target = networkHeightAt(snapshot.timestamp);
  const last = ledger.lastHeight();
  const from = last === null ? (startHeight ?? target) : last + 1n;
  let applied = 0;
  const refusedAt = refusalTimeline(snapshot);
  for (let h = from; h <= target; h++) {
    const timestamp = h * NETWORK_BLOCK_SECONDS;
    ledger.applyBlock({ height: h, timestamp, rewardRate: blockRate(snapshot, timestamp), nodes: snapshot.nodes, refused: refusedAt(timestamp) });
    applied++;
  }
  return { from: applied ? from : null, to: applied ? target : null, applied, snapshot };
}

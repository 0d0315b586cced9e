/**
 * Drives a ledger from a {@link NetworkView}: network height = floor(timestamp / 120 s); every height up to
 * the snapshot's is applied in order with that snapshot's nodes and rate. Eligibility and stake returns
 * are decided from the nodes' own timestamps, so a late sync still attributes registrations and exits to
 * the right blocks; only the rate is the snapshot's sample unless the snapshot carries the pool's state: then
 * `rewardRate()` as the contract returns it at each block's own time (exact when the pool did not change
 * between that block and the snapshot: sync at least once per block), and the sample only for a block
 * before the pool's last payout.
 */
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

export function applySnapshot(ledger: Ledger, snapshot: NetworkSnapshot, startHeight?: bigint): SyncResult {
  const target = networkHeightAt(snapshot.timestamp);
  const last = ledger.lastHeight();
  const from = last === null ? (startHeight ?? target) : last + 1n;
  let applied = 0;
  for (let h = from; h <= target; h++) {
    ledger.applyBlock({ height: h, timestamp: h * NETWORK_BLOCK_SECONDS, rewardRate: blockRate(snapshot, h * NETWORK_BLOCK_SECONDS), nodes: snapshot.nodes });
    applied++;
  }
  return { from: applied ? from : null, to: applied ? target : null, applied, snapshot };
}

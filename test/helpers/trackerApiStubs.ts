/** Stand-ins for the follower and the provider set, for tests of the tracker's API alone (no chain). */
import { EventEmitter } from "node:events";
import type { Follower, FollowerStatus } from "../../src/tracker/follower/follower";
import type { ProviderSet } from "../../src/tracker/rpc/providers";

export function stubFollower(changes = new EventEmitter()): Follower {
  const status: FollowerStatus = {
    checkpoint: null,
    safeHead: "10",
    latest: "12",
    lagBlocks: "2",
    syncing: false,
    batchSize: "1000",
    blocksPerSecond: 0,
    etaSeconds: 0,
    reorgs: 0,
    dispute: null,
    lastReconciliation: null,
    safeHeadPolicy: "depth:2",
  } as FollowerStatus;
  return { changes, status: () => status, pending: () => [] } as unknown as Follower;
}

export const stubProviders = { status: () => [], chainId: () => 31337 } as unknown as ProviderSet;

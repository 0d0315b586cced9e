/**
 * The follower's types: its options and public interface (re-exported by ./follower), and the state its
 * stages share. Stage modules import from here, never from ./follower (which assembles them).
 */
import type { EventEmitter } from "node:events";
import type { Address, Hex } from "viem";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { BatchOptions } from "../rpc/batcher";
import type { Arbiter, ProviderSet } from "../rpc/providers";
import type { ContractKind, HandlerRegistry } from "../state/handlers";
import type { BlockRef, TrackerStore } from "../store/types";
import type { ChainLog } from "../types";

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

/**
 * Where the follower stands, shared by its stages: the follower owns it (the loop moves the heads), the
 * apply and reorg stages move the checkpoint, a dispute is set by whichever stage meets one.
 */
export interface SyncState {
  checkpoint: BlockRef | null;
  safeHead: bigint | null;
  latest: bigint | null;
  policy: SafeHeadPolicy;
  dispute: string | null;
  reorgs: number;
  /** Set by stop(): no new fetches are started. */
  stopping: boolean;
}

/** A parent hash of all zeroes: Hardhat's hardhat_mine reports the blocks it reserves this way (their real parent is not given). */
export const ZERO_HASH = `0x${"0".repeat(64)}`;
/** Meta key of the last block reconciliation found correct. */
export const LAST_GOOD = "reconcile.lastGood";
export const minBig = (a: bigint, b: bigint): bigint => (a < b ? a : b);

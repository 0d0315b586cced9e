/**
 * The tracker's bottom floor: chain data as every layer above reads it (the RPC readers produce it, the
 * state handlers decode it, the follower orders it). Imports nothing of the tracker.
 */
import type { Address, Hex } from "viem";

/** A log as the tracker reads it: every hex field lowercase (both readers of eth_getLogs answers ensure it). */
export interface ChainLog {
  readonly address: Address;
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  readonly transactionIndex: number;
  readonly removed: boolean;
}

export interface ChainHeader {
  readonly number: bigint;
  readonly hash: Hex;
  readonly parentHash: Hex;
  /** Unix seconds. */
  readonly timestamp: bigint;
}

export interface LogQuery {
  /** Contracts whose every log is wanted. */
  readonly addresses: readonly Address[];
  /** topic0 values wanted from any address (dynamically discovered contracts, filtered afterwards). */
  readonly anyAddressTopics: readonly Hex[];
  /**
   * When given, the any-address query is sent only if this returns true for the range's fixed-address
   * logs (fetched first): e.g. only once a factory has announced a pool. Without it both run in parallel.
   */
  readonly anyAddressWanted?: (fixedAddressLogs: readonly ChainLog[]) => boolean;
}

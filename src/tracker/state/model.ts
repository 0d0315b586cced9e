/**
 * The mirrored state: plain JSON records stored as entities (kind, key) → value. Values are serialised
 * with a fixed field order and bigints as decimal strings, so two stores holding the same state hold
 * the same bytes (the crash tests compare dumps byte for byte).
 */
import type { Address, Hex } from "viem";

export const ENTITY = {
  node: "node",
  balance: "balance",
  pool: "pool",
  rewardRate: "rewardRate",
  network: "network",
} as const;

export type NodeStatus = "active" | "exit-requested" | "exited" | "liquidated";
export const NODE_STATUSES: readonly NodeStatus[] = ["active", "exit-requested", "exited", "liquidated"];

export interface G1Json {
  readonly X: string;
  readonly Y: string;
}

export interface ContributorRecord {
  readonly addr: Address;
  readonly beneficiary: Address;
  readonly stakedAmount: string;
}

export interface NodeRecord {
  readonly id: string;
  readonly status: NodeStatus;
  readonly operator: Address;
  readonly initiator: Address;
  readonly pubkey: G1Json;
  readonly ed25519Pubkey: string;
  readonly ed25519Signature0: string;
  readonly ed25519Signature1: string;
  readonly fee: number;
  readonly contributors: readonly ContributorRecord[];
  readonly addedBlock: string;
  readonly addedTx: Hex;
  readonly exitRequestedBlock: string | null;
  readonly exitRequestInitiator: Address | null;
  readonly exitBlock: string | null;
  readonly exitInitiator: Address | null;
  readonly returnedAmount: string | null;
  readonly liquidatedBlock: string | null;
  readonly liquidator: Address | null;
}

export interface BalanceRecord {
  readonly recipient: Address;
  /** Lifetime rewards balance from the last RewardsBalanceUpdated. */
  readonly lifetimeBalance: string;
  readonly previousBalance: string;
  readonly updatedBlock: string | null;
  /** Sum of RewardsClaimed amounts. */
  readonly totalClaimed: string;
  readonly claims: number;
  readonly lastClaimBlock: string | null;
}

export interface PoolContribution {
  readonly contributor: Address;
  readonly beneficiary: Address;
  readonly amount: string;
  readonly block: string;
}

export interface PoolRecord {
  readonly address: Address;
  readonly serviceNodePubkey: string;
  readonly operator: Address;
  readonly createdBlock: string;
  readonly totalContributed: string;
  readonly contributions: readonly PoolContribution[];
}

export interface RewardRateSample {
  readonly block: string;
  readonly rewardRate: string;
}

export interface NetworkRecord {
  readonly stakingRequirement: string | null;
  readonly stakingRequirementBlock: string | null;
}

/** Keys sort like the numbers they encode. */
export const nodeKey = (id: bigint): string => id.toString().padStart(20, "0");
export const blockKey = (block: bigint): string => block.toString().padStart(20, "0");
export const addressKey = (address: string): string => address.toLowerCase();
export const NETWORK_KEY = "network";

export const serialize = (value: object): string => JSON.stringify(value);
export function parseRecord<T>(value: string): T {
  return JSON.parse(value) as T;
}

/** A node is still registered on chain (part of allServiceNodeIDs / the aggregate key). */
export const isRegistered = (node: NodeRecord): boolean => node.status === "active" || node.status === "exit-requested";

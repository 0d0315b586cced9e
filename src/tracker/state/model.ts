/**
 * The mirrored state: plain JSON records stored as entities (kind, key) → value. Values are serialised
 * with a fixed field order and bigints as decimal strings, so two stores holding the same state hold
 * the same bytes (the crash tests compare dumps byte for byte).
 */
import type { Address, Hex } from "viem";
import { lowercase } from "../lowercase";

export const ENTITY = {
  node: "node",
  balance: "balance",
  pool: "pool",
  rewardRate: "rewardRate",
  network: "network",
  name: "name",
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
  // The fields below are always written by this version; they are optional in the type because records
  // written by earlier versions (and hand-built ones) lack them.
  /** Migrated by the registry owner before `start()` (NewSeededServiceNode): no initiator, no fee event. */
  readonly seeded?: boolean;
  /** Unix seconds of the blocks above (null when the block's header was not available, e.g. pending). */
  readonly addedTimestamp?: string | null;
  readonly exitRequestedTimestamp?: string | null;
  readonly exitTimestamp?: string | null;
  readonly liquidatedTimestamp?: string | null;
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

/** ServiceNodeContribution.Status, named. */
export type PoolStatus = "awaiting-operator" | "open" | "filled" | "finalized";
export const POOL_STATUSES: readonly PoolStatus[] = ["awaiting-operator", "open", "filled", "finalized"];

/**
 * One contributor slot of a pool, in the pool's own slot order (slot 0 is the operator). `paid: false`
 * is a reservation (amount = the reserved minimum) or the operator's slot before its first contribution
 * (amount = the operator's own reservation, "0" if none). A paid reserved slot keeps its `reservation`:
 * a withdrawal turns the slot back into it.
 */
export interface PoolSlot {
  readonly addr: Address;
  readonly beneficiary: Address;
  readonly amount: string;
  readonly paid: boolean;
  readonly reservation?: string;
}

export interface PoolRecord {
  readonly address: Address;
  /** The node's Ed25519 key (the factory event's `serviceNodePubkey`, as the reference; PubkeysUpdated changes it). */
  readonly serviceNodePubkey: string;
  readonly operator: Address;
  readonly createdBlock: string;
  /** Stake paid in now (withdrawals and resets subtract). */
  readonly totalContributed: string;
  /** Every NewContribution ever, in order (history; `slots` is the current state). */
  readonly contributions: readonly PoolContribution[];
  readonly createdTimestamp: string | null;
  readonly status: PoolStatus;
  /** The registry's requirement snapshotted at creation / the last PoolReset (null: not yet known). */
  readonly stakingRequirement: string | null;
  readonly maxContributors: number;
  /** Operator fee in basis points (null until the pool announces it: FeeUpdated / OpenForPublicContribution). */
  readonly fee: number | null;
  readonly manualFinalize: boolean | null;
  readonly totalReserved: string;
  readonly slots: readonly PoolSlot[];
  readonly finalizedBlock: string | null;
  readonly resets: number;
}

export interface RewardRateSample {
  readonly block: string;
  readonly rewardRate: string;
}

export interface NetworkRecord {
  readonly stakingRequirement: string | null;
  readonly stakingRequirementBlock: string | null;
  /** ServiceNodeRewards.initialize sets 10 without an event; MaxContributorsUpdated changes it. */
  readonly maxContributors: number;
  readonly maxContributorsBlock: string | null;
}

/** The registry's `maxContributors` right after `initialize` (no event announces it). */
export const DEFAULT_MAX_CONTRIBUTORS = 10;

/** A typed name record's presence (kinds 1 Session ID, 2 Lokinet, 3 wallet). */
export interface TypedRecordPresence {
  readonly encrypted: boolean;
  readonly bytes: number;
  /** The stored bytes when plaintext (public on chain anyway); null when sealed. */
  readonly value: Hex | null;
}

export interface TextRecordPresence {
  readonly encrypted: boolean;
  readonly bytes: number;
}

export interface NameRecords {
  readonly session: TypedRecordPresence | null;
  readonly lokinet: TypedRecordPresence | null;
  readonly wallet: TypedRecordPresence | null;
  /** Text records by key (keys sorted). */
  readonly text: Readonly<Record<string, TextRecordPresence>>;
}

/**
 * A Session name. The chain never sees the plaintext label: a name is known only by its namehash (the
 * ERC-721 token id is the same 32 bytes as a uint256).
 */
export interface NameEntry {
  readonly namehash: Hex;
  readonly tokenId: string;
  /** null while burnt (or between the burn and re-mint of an expired name). */
  readonly owner: Address | null;
  /** Unix seconds (null before the NameRegistered of the current registration). */
  readonly expiry: string | null;
  readonly registeredBlock: string;
  readonly registeredTimestamp: string | null;
  readonly payer: Address | null;
  readonly fee: string | null;
  readonly renewals: number;
  /** How many times the name was minted (each registration starts with empty records). */
  readonly registrations: number;
  readonly burntBlock: string | null;
  readonly records: NameRecords;
}

export type NameState = "live" | "grace" | "expired" | "burnt";
/** NameToken.GRACE_PERIOD: after expiry only the owner may renew, for 90 days. */
export const NAME_GRACE_PERIOD_SECONDS = 90n * 86_400n;

/** The state of a name at unix time `now` (seconds). */
export function nameState(name: NameEntry, now: bigint): NameState {
  if (name.owner === null) return "burnt";
  if (name.expiry === null) return "live";
  const expiry = BigInt(name.expiry);
  if (now < expiry) return "live";
  return now < expiry + NAME_GRACE_PERIOD_SECONDS ? "grace" : "expired";
}

export const EMPTY_NAME_RECORDS: NameRecords = { session: null, lokinet: null, wallet: null, text: {} };

/** PROTOCOL.md §3: the network signs an exit 15 days after the request; anyone may exit after 30 days. */
export { EXIT_UNLOCK_SECONDS, EXIT_WAIT_SECONDS } from "../../protocol";

/**
 * The smallest contribution a pool accepts now: for the operator while it awaits the operator
 * (ceil(requirement / 4), or its own reservation); for a new contributor while open (ceil(remaining / free slots), reservations
 * counting as both stake and slots). null when nobody new can contribute (or the requirement is unknown).
 */
export function poolMinimumContribution(pool: PoolRecord): { readonly who: "operator" | "anyone"; readonly amount: string } | null {
  if (pool.stakingRequirement === null) return null;
  const requirement = BigInt(pool.stakingRequirement);
  if (pool.status === "awaiting-operator") {
    // The operator's own reservation (slot 0 before it pays) is at least the quarter.
    const quarter = (requirement + 3n) / 4n;
    const own = pool.slots[0] !== undefined && !pool.slots[0].paid ? BigInt(pool.slots[0].amount) : 0n;
    return { who: "operator", amount: (own > quarter ? own : quarter).toString() };
  }
  if (pool.status !== "open") return null;
  const taken = pool.slots.length;
  if (taken >= pool.maxContributors) return null;
  const remaining = requirement - BigInt(pool.totalContributed) - BigInt(pool.totalReserved);
  const free = BigInt(pool.maxContributors - taken);
  return { who: "anyone", amount: ((remaining + free - 1n) / free).toString() };
}

/** Keys sort like the numbers they encode. */
export const nodeKey = (id: bigint): string => id.toString().padStart(20, "0");
export const blockKey = (block: bigint): string => block.toString().padStart(20, "0");
export const addressKey = (address: string): string => lowercase(address);
/** Names are keyed by their namehash, 0x + 64 lowercase hex digits. */
export const nameKey = (namehash: string): string => lowercase(namehash);
export const NETWORK_KEY = "network";

export const serialize = (value: object): string => JSON.stringify(value);
export function parseRecord<T>(value: string): T {
  return JSON.parse(value) as T;
}

/** A node is still registered on chain (part of allServiceNodeIDs / the aggregate key). */
export const isRegistered = (node: NodeRecord): boolean => node.status === "active" || node.status === "exit-requested";

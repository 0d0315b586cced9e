/**
 * What the node network needs to know about the chain, as one immutable snapshot. Two sources implement
 * {@link NetworkView}: the tracker's mirror (`views/tracker.ts`, production: data flows tracker → network)
 * and the registry read directly with viem (`views/contract.ts`, tests and devnets).
 */
import type { Address, G1Affine, SigningDomain } from "../bls";
import type { RewardPoolState } from "./ledger/rate";

export type ViewNodeStatus = "active" | "exit-requested" | "exited" | "liquidated";

export interface ViewContributor {
  readonly addr: Address;
  readonly beneficiary: Address;
  readonly stakedAmount: bigint;
}

export interface ViewNode {
  readonly id: bigint;
  readonly pubkey: G1Affine;
  /** Contributor 0 of the registration. */
  readonly operator: Address;
  /** Operator fee in basis points of 10,000. */
  readonly fee: number;
  /** Operator first; never empty. */
  readonly contributors: readonly ViewContributor[];
  /** Unix seconds of the registration (or seeding). */
  readonly registeredAt: bigint;
  /** Unix seconds of the first exit request, if any. */
  readonly exitRequestedAt: bigint | null;
  /** Unix seconds of the ServiceNodeExit, if it left. */
  readonly exitedAt: bigint | null;
  /** What the registry credited back to the owners (ServiceNodeExit.returnedAmount), if it left. */
  readonly returnedAmount: bigint | null;
  readonly status: ViewNodeStatus;
  /** The node's Ed25519 identity as registered (`ServiceNodeParams.ed25519Pubkey`: the 32 key bytes, big-endian). */
  readonly ed25519Pubkey: bigint;
  /**
   * The registration's Ed25519 signature, `ed25519Signature0 ‖ ed25519Signature1` (32 bytes each, big-endian),
   * of the proof-of-possession bytes. The registry does not check it: the network does (impostors.ts).
   * Both 0 for a seeded node.
   */
  readonly ed25519Signature0: bigint;
  readonly ed25519Signature1: bigint;
  /** Migrated by the registry's owner before start() (NewSeededServiceNode): no Ed25519 signature exists. */
  readonly seeded: boolean;
}

export interface NetworkSnapshot {
  /**
   * The chain id and registry (proxy) the state is of: the domain of every signed message, and of the
   * proof of possession each registration's Ed25519 signature must verify over (impostors.ts).
   */
  readonly domain: SigningDomain;
  /** L2 block the snapshot is taken at, and its timestamp (unix seconds). */
  readonly height: bigint;
  readonly timestamp: bigint;
  /** Every node the source knows, registered or gone, by id ascending. */
  readonly nodes: readonly ViewNode[];
  /** `allServiceNodeIDs()` at `height`: ids of the registered nodes, ascending (the non-signer order). */
  readonly registeredIds: readonly bigint[];
  /** `RewardRatePool.rewardRate()` at (or last sampled before) `height`: atomic SESH per 2-minute block. */
  readonly rewardRate: bigint;
  /**
   * The reward pool's balance and last payout time at `height`, when the source reads them: the ledger then
   * evaluates `rewardRate()` at each network block's own time, as the contract would (ledger/rate.ts).
   */
  readonly rewardPool?: RewardPoolState;
  /** The registry's cap on non-signers (`blsNonSignerThresholdMax()`). */
  readonly nonSignerMax: bigint;
}

export interface NetworkView {
  /** The current snapshot (the source's latest confirmed height). */
  snapshot(): Promise<NetworkSnapshot>;
}

/** The registry's non-signer threshold: min(registered / 3, max). */
export function nonSignerThreshold(snapshot: Pick<NetworkSnapshot, "registeredIds" | "nonSignerMax">): bigint {
  const third = BigInt(snapshot.registeredIds.length) / 3n;
  return third < snapshot.nonSignerMax ? third : snapshot.nonSignerMax;
}

/** Still registered on chain (in the aggregate key and `allServiceNodeIDs()`). */
export function isRegistered(node: ViewNode): boolean {
  return node.status === "active" || node.status === "exit-requested";
}

/** Case-insensitive key for an address. */
export function addressKey(address: string): Address {
  return address.toLowerCase() as Address;
}

/** Node lookup by G1 key ("X:Y" in decimal). */
export function pubkeyKey(pk: G1Affine): string {
  return `${pk.X}:${pk.Y}`;
}

export function findNodeByPubkey(snapshot: NetworkSnapshot, pk: G1Affine): ViewNode | undefined {
  const key = pubkeyKey(pk);
  // A key may be re-registered after an exit; prefer the newest record.
  let found: ViewNode | undefined;
  for (const node of snapshot.nodes) if (pubkeyKey(node.pubkey) === key) found = node;
  return found;
}

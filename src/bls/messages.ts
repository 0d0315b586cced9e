/**
 * Domain tags and the byte layouts of every message the network signs (PROTOCOL.md §1), tag first,
 * `abi.encodePacked`. These bytes are hashed to G2 with `hashToFieldDst(...)` as the `dst`.
 */
import { encodePacked, hexToBytes, isAddress, keccak256 } from "viem";
import type { Address, G1Affine, Hex } from "./types";

export const DOMAIN_TAG_BASES = {
  proofOfPossession: "BLS_SIG_TRYANDINCREMENT_POP",
  reward: "BLS_SIG_TRYANDINCREMENT_REWARD",
  exit: "BLS_SIG_TRYANDINCREMENT_EXIT",
  liquidate: "BLS_SIG_TRYANDINCREMENT_LIQUIDATE",
  hashToField: "BLS_SIG_HASH_TO_FIELD_TAG",
} as const;

export type DomainTagBase = (typeof DOMAIN_TAG_BASES)[keyof typeof DOMAIN_TAG_BASES];

/** Where signatures are valid: one chain and one rewards contract (the proxy address users call). */
export interface SigningDomain {
  readonly chainId: bigint;
  readonly contract: Address;
}

const UINT256_MAX = (1n << 256n) - 1n;

function assertUint256(name: string, value: bigint): void {
  if (typeof value !== "bigint" || value < 0n || value > UINT256_MAX) throw new Error(`${name} must be a uint256, got ${value}`);
}

function assertAddress(name: string, value: string): void {
  if (!isAddress(value, { strict: false })) throw new Error(`${name} is not an address: ${value}`);
}

/** tag(base) = keccak256(abi.encodePacked(base, chainId, contract)). */
export function domainTag(base: DomainTagBase, domain: SigningDomain): Hex {
  assertUint256("chainId", domain.chainId);
  assertAddress("contract", domain.contract);
  return keccak256(encodePacked(["string", "uint256", "address"], [base, domain.chainId, domain.contract]));
}

/** The `dst` given to hash-to-G2 for every message of this domain. */
export function hashToFieldDst(domain: SigningDomain): Hex {
  return domainTag(DOMAIN_TAG_BASES.hashToField, domain);
}

function packWithTag(base: DomainTagBase, domain: SigningDomain, types: readonly string[], values: readonly unknown[]): Uint8Array {
  return hexToBytes(encodePacked(["bytes32", ...types] as never, [domainTag(base, domain), ...values] as never));
}

/** What a node signs with its own key when registering: popTag ‖ pk.X ‖ pk.Y ‖ operator ‖ ed25519 pubkey. */
export function proofOfPossessionMessage(domain: SigningDomain, pk: G1Affine, operator: Address, ed25519Pubkey: bigint): Uint8Array {
  assertAddress("operator", operator);
  assertUint256("ed25519 public key", ed25519Pubkey);
  return packWithTag(DOMAIN_TAG_BASES.proofOfPossession, domain, ["uint256", "uint256", "address", "uint256"], [pk.X, pk.Y, operator, ed25519Pubkey]);
}

/** What the network signs to set a recipient's lifetime reward balance. */
export function rewardMessage(domain: SigningDomain, recipient: Address, lifetimeRewards: bigint): Uint8Array {
  assertAddress("recipient", recipient);
  assertUint256("lifetime rewards", lifetimeRewards);
  return packWithTag(DOMAIN_TAG_BASES.reward, domain, ["address", "uint256"], [recipient, lifetimeRewards]);
}

/** What the network signs to let a node exit. */
export function exitMessage(domain: SigningDomain, pk: G1Affine, timestamp: bigint): Uint8Array {
  assertUint256("timestamp", timestamp);
  return packWithTag(DOMAIN_TAG_BASES.exit, domain, ["uint256", "uint256", "uint256"], [pk.X, pk.Y, timestamp]);
}

/** What the network signs to liquidate a node. */
export function liquidationMessage(domain: SigningDomain, pk: G1Affine, timestamp: bigint): Uint8Array {
  assertUint256("timestamp", timestamp);
  return packWithTag(DOMAIN_TAG_BASES.liquidate, domain, ["uint256", "uint256", "uint256"], [pk.X, pk.Y, timestamp]);
}

/** Chain-free fixtures shared by the network tests: a domain, nodes with seeded keys, snapshots. */
import { ed25519 } from "@noble/curves/ed25519";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import type { Address } from "viem";
import { proofOfPossessionMessage, publicKey, secretKeyFromSeed, type G1Affine, type SigningDomain } from "../../src/bls";
import type { NetworkSnapshot, ViewNode } from "../../src/network/view";
import type { NodeRecord } from "../../src/tracker/state/model";

export const DAY = 86_400n;
export const domain: SigningDomain = { chainId: 31337n, contract: "0x00000000000000000000000000000000000000c0" };
export const OWNER: Address = "0x00000000000000000000000000000000000000a1";
export const NOW = 1_000n * DAY;

const big = (bytes: Uint8Array): bigint => BigInt(`0x${bytesToHex(bytes)}`);

/** The Ed25519 secret of `seed` (32 bytes) and its public key as the registry's uint256. */
export function ed25519Identity(seed: string): { secret: Uint8Array; pubkey: bigint } {
  const secret = keccak_256(utf8ToBytes(`ed25519:${seed}`));
  return { secret, pubkey: big(ed25519.getPublicKey(secret)) };
}

/**
 * The Ed25519 fields of a registration of `node` (its BLS key and operator) in `d`, really signed by the
 * identity of `seed` over the proof-of-possession bytes, as `addBLSPublicKey` carries them.
 */
export function ed25519Fields(node: Pick<ViewNode, "pubkey" | "operator">, seed: string, d: SigningDomain = domain): Pick<ViewNode, "ed25519Pubkey" | "ed25519Signature0" | "ed25519Signature1"> {
  const { secret, pubkey } = ed25519Identity(seed);
  const signature = ed25519.sign(proofOfPossessionMessage(d, node.pubkey, node.operator, pubkey), secret);
  return { ed25519Pubkey: pubkey, ed25519Signature0: big(signature.slice(0, 32)), ed25519Signature1: big(signature.slice(32)) };
}

/**
 * Node i of `label`: its BLS key from `${label}-${i}` and a valid registration (a real Ed25519 signature by
 * its own identity, made after `over` is applied unless `over` gives the Ed25519 fields itself).
 */
export function simNode(i: number, over: Partial<ViewNode> = {}, label = "unit"): ViewNode {
  const node = {
    id: BigInt(i + 1),
    pubkey: publicKey(secretKeyFromSeed(`${label}-${i}`)),
    operator: OWNER,
    fee: 0,
    contributors: [{ addr: OWNER, beneficiary: OWNER, stakedAmount: 25_000n }],
    registeredAt: NOW - 10n * DAY,
    exitRequestedAt: null,
    exitedAt: null,
    returnedAmount: null,
    status: "active" as const,
    seeded: false,
    ...over,
  };
  return { ...ed25519Fields(node, `${label}-${i}`), ...node };
}

export function snapshotOf(nodes: readonly ViewNode[], timestamp = NOW, height = 77n): NetworkSnapshot {
  return {
    domain,
    height,
    timestamp,
    nodes,
    registeredIds: nodes.filter((n) => n.status === "active" || n.status === "exit-requested").map((n) => n.id),
    rewardRate: 1_200n,
    nonSignerMax: 4000n,
  };
}

/**
 * The tracker's record of an active node registered at block 10 by `operator` as its only contributor (fee 0),
 * as the tracker's store holds it; `over` sets anything else (status, fee, contributors, exit fields …).
 */
export function mirroredNode(
  id: number | bigint,
  operator: Address,
  pubkey: G1Affine,
  ed: { readonly ed25519Pubkey: bigint | string; readonly ed25519Signature0: bigint | string; readonly ed25519Signature1: bigint | string },
  over: Partial<NodeRecord> = {},
): NodeRecord {
  return {
    id: id.toString(),
    status: "active",
    operator,
    initiator: operator,
    pubkey: { X: pubkey.X.toString(), Y: pubkey.Y.toString() },
    ed25519Pubkey: ed.ed25519Pubkey.toString(),
    ed25519Signature0: ed.ed25519Signature0.toString(),
    ed25519Signature1: ed.ed25519Signature1.toString(),
    fee: 0,
    contributors: [{ addr: operator, beneficiary: operator, stakedAmount: "25000" }],
    addedBlock: "10",
    addedTx: "0x00",
    exitRequestedBlock: null,
    exitRequestInitiator: null,
    exitBlock: null,
    exitInitiator: null,
    returnedAmount: null,
    liquidatedBlock: null,
    liquidator: null,
    ...over,
  };
}

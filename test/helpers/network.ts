/**
 * A simulated node network for tests: N BLS node keys (deterministic from a label), registered in a
 * ServiceNodeRewards contract under ids, that signs messages as a whole minus chosen non-signers. Uses only
 * the public `src/bls` API. The aggregate signature of a set of signers is computed as one signature with
 * the sum of their secret keys (σ = Σskᵢ·H(m) = Σ(skᵢ·H(m))), which `aggregateSignatures` over individual
 * signatures reproduces exactly (checked in the tests); signatures are memoised per (secret, message).
 */
import { keccak256, toHex } from "viem";
import {
  R,
  exitMessage,
  hashToFieldDst,
  liquidationMessage,
  proofOfPossessionMessage,
  publicKey,
  rewardMessage,
  secretKeyFromSeed,
  sign,
  signatureToParams,
  type Address,
  type BLSSignatureParams,
  type G1Affine,
  type G2Affine,
  type SecretKey,
  type SigningDomain,
} from "../../src/bls";
import { hintedNonSignersFor } from "../../src/network/nonSigners";

/** One node's keys: BLS secret and public key, and an Ed25519 public key (random-looking 32 bytes). */
export interface NodeKey {
  readonly label: string;
  readonly sk: SecretKey;
  readonly pk: G1Affine;
  readonly ed25519: bigint;
}

/** The network as the contract sees it: active node ids → keys, and the signing domain. */
export interface SimNetwork {
  readonly domain: SigningDomain;
  readonly nodes: Map<bigint, NodeKey>;
}

/** `count` deterministic node keys named `${label}-${i}`. */
export function makeNodeKeys(count: number, label: string): NodeKey[] {
  return Array.from({ length: count }, (_, i) => nodeKey(`${label}-${i}`));
}

/** One deterministic node key. */
export function nodeKey(label: string): NodeKey {
  const sk = secretKeyFromSeed(label);
  return { label, sk, pk: publicKey(sk), ed25519: BigInt(keccak256(toHex(`ed25519:${label}`))) };
}

const signatureCache = new Map<string, G2Affine>();

/** sign() memoised on (secret, message, dst): property tests repeat the same messages across runs. */
export function cachedSign(sk: SecretKey, message: Uint8Array, dst: `0x${string}`): G2Affine {
  const key = `${sk.toString(16)}:${toHex(message)}:${dst}`;
  let sig = signatureCache.get(key);
  if (sig === undefined) {
    sig = sign(sk, message, dst);
    signatureCache.set(key, sig);
  }
  return sig;
}

/** Σ of the secret keys of the active nodes that are not in `nonSigners` (mod r). */
export function signersSecret(network: SimNetwork, nonSigners: readonly bigint[] = []): SecretKey {
  const skip = new Set(nonSigners);
  let sum = 0n;
  for (const [id, key] of network.nodes) if (!skip.has(id)) sum = (sum + key.sk) % R;
  if (sum === 0n) throw new Error("signersSecret: no signers");
  return sum;
}

/** The network's aggregate signature of `message` by every active node except `nonSigners`. */
export function networkSign(network: SimNetwork, message: Uint8Array, nonSigners: readonly bigint[] = []): BLSSignatureParams {
  return signatureToParams(cachedSign(signersSecret(network, nonSigners), message, hashToFieldDst(network.domain)));
}

/** Network signature on a lifetime reward balance. */
export function signReward(network: SimNetwork, recipient: Address, total: bigint, nonSigners: readonly bigint[] = [], domain = network.domain) {
  return signatureToParams(cachedSign(signersSecret(network, nonSigners), rewardMessage(domain, recipient, total), hashToFieldDst(domain)));
}

/** Network signature on an exit of `pk` at `timestamp`. */
export function signExit(network: SimNetwork, pk: G1Affine, timestamp: bigint, nonSigners: readonly bigint[] = [], domain = network.domain) {
  return signatureToParams(cachedSign(signersSecret(network, nonSigners), exitMessage(domain, pk, timestamp), hashToFieldDst(domain)));
}

/** Network signature on a liquidation of `pk` at `timestamp`. */
export function signLiquidation(network: SimNetwork, pk: G1Affine, timestamp: bigint, nonSigners: readonly bigint[] = [], domain = network.domain) {
  return signatureToParams(cachedSign(signersSecret(network, nonSigners), liquidationMessage(domain, pk, timestamp), hashToFieldDst(domain)));
}

/** A node's proof of possession for registration by `operator`. */
export function proofOfPossession(key: NodeKey, domain: SigningDomain, operator: Address, ed25519 = key.ed25519, sk = key.sk): BLSSignatureParams {
  return signatureToParams(cachedSign(sk, proofOfPossessionMessage(domain, key.pk, operator, ed25519), hashToFieldDst(domain)));
}

/** `{X, Y}` for contract calls. */
export function g1(pk: G1Affine): { X: bigint; Y: bigint } {
  return { X: pk.X, Y: pk.Y };
}

/** The `bytes nonSigners` of the registry's `…NonSignerKeys` functions (updateRewardsBalanceWithNonSignerKeys, exitBLSPublicKeyWithSignatureAndNonSignerKeys, liquidateBLSPublicKeyWithSignatureAndNonSignerKeys) for `ids` (keys from the simulated network). */
export function hinted(network: SimNetwork, ids: readonly bigint[]): `0x${string}` {
  return hintedNonSignersFor(ids, (id) => network.nodes.get(id)?.pk);
}

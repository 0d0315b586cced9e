/**
 * Deterministic node keys for devnets: node i of seed S has the BLS secret key
 * `secretKeyFromSeed("S/bls/i")` and the Ed25519 secret key `keccak256("S/ed25519/i")`, so a devnet that
 * registers the keys on chain and the network that signs with them agree without sharing a file.
 *
 * {@link registrationParams} gives what `addBLSPublicKey` needs for each node: the G1 key, the proof of
 * possession (the node's BLS signature of popTag ‖ pk.X ‖ pk.Y ‖ operator ‖ ed25519 pubkey, PROTOCOL.md
 * §1) and the Ed25519 key with an Ed25519 signature of the same bytes, split into two 32-byte words
 * (the registry stores the Ed25519 fields but does not check them).
 */
import { ed25519 } from "@noble/curves/ed25519";
import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import { isAddress } from "viem";
import {
  hashToFieldDst,
  proofOfPossessionMessage,
  publicKey,
  publicKeyToHex,
  secretKeyFromSeed,
  sign,
  signatureToParams,
  type Address,
  type BLSSignatureParams,
  type G1Affine,
  type Hex,
  type SecretKey,
  type SigningDomain,
} from "../bls";

/** Most nodes one seed derives (the simulation is tested with ≥ 100; the registry takes far more). */
export const MAX_DERIVED_NODES = 10_000;

export interface DerivedNodeKey {
  readonly index: number;
  readonly blsSecretKey: SecretKey;
  readonly blsPublicKey: G1Affine;
  /** 32-byte Ed25519 secret seed. */
  readonly ed25519SecretKey: Uint8Array;
  /** The Ed25519 public key as the registry's uint256 (big-endian bytes). */
  readonly ed25519Pubkey: bigint;
}

/** What a devnet passes to `addBLSPublicKey` for one node (integers as bigints). */
export interface NodeRegistration {
  readonly index: number;
  readonly operator: Address;
  readonly blsPubkey: { readonly X: bigint; readonly Y: bigint };
  readonly blsPubkeyHex: Hex;
  readonly proofOfPossession: BLSSignatureParams;
  readonly serviceNodeParams: { readonly ed25519Pubkey: bigint; readonly ed25519Signature0: bigint; readonly ed25519Signature1: bigint; readonly fee: number };
}

function checkSeed(seed: string): void {
  if (typeof seed !== "string" || seed.length === 0) throw new Error("the key seed must be a non-empty string (e.g. --seed devnet)");
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_DERIVED_NODES) {
    throw new Error(`the node count must be an integer from 1 to ${MAX_DERIVED_NODES}, got ${count}`);
  }
}

const toBig = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${bytesToHex(bytes)}`));

/** Node `index` of `seed`. */
export function deriveNodeKey(seed: string, index: number): DerivedNodeKey {
  checkSeed(seed);
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`node index must be a non-negative integer, got ${index}`);
  const blsSecretKey = secretKeyFromSeed(`${seed}/bls/${index}`);
  const ed25519SecretKey = keccak_256(utf8ToBytes(`${seed}/ed25519/${index}`));
  return {
    index,
    blsSecretKey,
    blsPublicKey: publicKey(blsSecretKey),
    ed25519SecretKey,
    ed25519Pubkey: toBig(ed25519.getPublicKey(ed25519SecretKey)),
  };
}

/** Nodes 0 … count − 1 of `seed`. */
export function deriveNodeKeys(seed: string, count: number): DerivedNodeKey[] {
  checkSeed(seed);
  checkCount(count);
  return Array.from({ length: count }, (_, i) => deriveNodeKey(seed, i));
}

/**
 * Registration parameters for each key; node i is operated by `operators[i % operators.length]` with
 * operator fee `fee` (basis points of 10,000; a solo node ignores it).
 */
export function registrationParams(keys: readonly DerivedNodeKey[], domain: SigningDomain, operators: readonly string[], fee = 0): NodeRegistration[] {
  if (operators.length === 0) throw new Error("give at least one operator address (the address that will call addBLSPublicKey)");
  for (const op of operators) if (!isAddress(op, { strict: false })) throw new Error(`operator ${JSON.stringify(op)} is not a 20-byte 0x-hex address`);
  if (!Number.isInteger(fee) || fee < 0 || fee > 10_000) throw new Error(`fee must be basis points from 0 to 10000, got ${fee}`);
  const dst = hashToFieldDst(domain);
  return keys.map((key) => {
    const operator = operators[key.index % operators.length].toLowerCase() as Address;
    const message = proofOfPossessionMessage(domain, key.blsPublicKey, operator, key.ed25519Pubkey);
    const edSignature = ed25519.sign(message, key.ed25519SecretKey);
    return {
      index: key.index,
      operator,
      blsPubkey: { X: key.blsPublicKey.X, Y: key.blsPublicKey.Y },
      blsPubkeyHex: publicKeyToHex(key.blsPublicKey),
      proofOfPossession: signatureToParams(sign(key.blsSecretKey, message, dst)),
      serviceNodeParams: { ed25519Pubkey: key.ed25519Pubkey, ed25519Signature0: toBig(edSignature.slice(0, 32)), ed25519Signature1: toBig(edSignature.slice(32)), fee },
    };
  });
}

const hex = (v: bigint, bytes = 32): string => `0x${v.toString(16).padStart(bytes * 2, "0")}`;

/**
 * {@link registrationParams} as JSON-safe values: every integer as 0x-hex (32-byte words zero-padded),
 * the Ed25519 signature also whole (`ed25519Signature`, 64 bytes), as `node:register --ed25519-signature`
 * takes it.
 */
export function registrationToJson(r: NodeRegistration): Record<string, unknown> {
  const sp = r.serviceNodeParams;
  return {
    index: r.index,
    operator: r.operator,
    blsPubkey: { X: hex(r.blsPubkey.X), Y: hex(r.blsPubkey.Y) },
    blsPubkeyHex: r.blsPubkeyHex,
    proofOfPossession: { sigs0: hex(r.proofOfPossession.sigs0), sigs1: hex(r.proofOfPossession.sigs1), sigs2: hex(r.proofOfPossession.sigs2), sigs3: hex(r.proofOfPossession.sigs3) },
    serviceNodeParams: { ed25519Pubkey: hex(sp.ed25519Pubkey), ed25519Signature0: hex(sp.ed25519Signature0), ed25519Signature1: hex(sp.ed25519Signature1), fee: sp.fee },
    ed25519Pubkey: hex(sp.ed25519Pubkey),
    ed25519Signature: `${hex(sp.ed25519Signature0)}${sp.ed25519Signature1.toString(16).padStart(64, "0")}`,
  };
}

/**
 * The secret keys of a derived node, for devnets only (anyone who knows the seed derives them too), and
 * the `node:register` arguments that register it from its operator's account.
 */
export function devnetSecretsToJson(key: DerivedNodeKey, r: NodeRegistration): Record<string, unknown> {
  const secrets = { blsSecretKey: hex(key.blsSecretKey), ed25519SecretKey: `0x${bytesToHex(key.ed25519SecretKey)}` };
  const json = registrationToJson(r);
  return {
    devnetOnlySecrets: { warning: "DEVNET ONLY: derived from a public seed, anyone can recompute these keys; never use them for a real node", ...secrets },
    nodeRegister: `node:register --bls-key ${secrets.blsSecretKey} --ed25519 ${String(json.ed25519Pubkey)} --ed25519-signature ${String(json.ed25519Signature)}`,
  };
}

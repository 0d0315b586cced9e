/**
 * Session ID keys and the signed reverse-record change: a Session ID is `05` ‖ the X25519 key Session derives
 * from the account's Ed25519 key, and only a signature by that Ed25519 key can set, change or clear what the
 * Session ID reverse-resolves to (SessionNameReverse.setSessionReverseName).
 */
import { ed25519, edwardsToMontgomeryPub } from "@noble/curves/ed25519";
import { type Address, type Hex, bytesToHex, encodeAbiParameters, hexToBytes, keccak256, stringToHex, toHex } from "viem";
import { RecordValueError, formatSessionId } from "./values";

/** keccak256("Session reverse name v1"), SessionNameReverse.SESSION_REVERSE_TAG. */
export const SESSION_REVERSE_TAG = keccak256(stringToHex("Session reverse name v1"));

/** An Ed25519 key pair of a Session account and the Session ID it gives. */
export interface SessionKeyPair {
  /** 32-byte Ed25519 seed (libsodium `crypto_sign_seed_keypair` seed; Session pads its 16-byte seed with zeros). */
  readonly seed: Uint8Array;
  readonly ed25519Key: Hex;
  /** The 32-byte X25519 key (the Session ID without `05`). */
  readonly sessionKey: Hex;
  readonly sessionId: string;
}

/** Parses a 32-byte Ed25519 seed given as hex (with or without 0x); a 16-byte Session seed is zero-padded. */
export function parseSessionSeed(value: string): Uint8Array {
  const hex = value.trim().replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]*$/.test(hex) || (hex.length !== 64 && hex.length !== 32)) {
    throw new RecordValueError(`Session key seed must be 32 bytes (64 hex digits) or a 16-byte Session seed (32 hex digits), got ${hex.length} characters`);
  }
  const seed = new Uint8Array(32);
  seed.set(hexToBytes(`0x${hex}`));
  return seed;
}

/** The Ed25519 key, X25519 key and Session ID of `seed`. */
export function sessionKeyPair(seed: Uint8Array): SessionKeyPair {
  const pub = ed25519.getPublicKey(seed);
  const x25519 = edwardsToMontgomeryPub(pub);
  return { seed, ed25519Key: bytesToHex(pub), sessionKey: bytesToHex(x25519), sessionId: formatSessionId(x25519) };
}

/** The message SessionNameReverse.sessionReverseMessage(sessionKey, fullName, nonce) computes on `chainId`. */
export function sessionReverseMessage(args: {
  readonly chainId: bigint | number;
  readonly reverse: Address;
  readonly sessionKey: Hex;
  /** The full name (`alice.session`), or "" to clear. */
  readonly fullName: string;
  readonly nonce: bigint;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "uint256" }, { type: "bytes32" }],
      [SESSION_REVERSE_TAG, BigInt(args.chainId), args.reverse, args.sessionKey, args.nonce, keccak256(args.fullName === "" ? "0x" : stringToHex(args.fullName))],
    ),
  );
}

/** Signs a reverse change with the Session key: the arguments `setSessionReverseName` takes after the name. */
export function signSessionReverse(
  key: SessionKeyPair,
  message: Hex,
): { readonly ed25519Key: Hex; readonly signature: Hex } {
  return { ed25519Key: key.ed25519Key, signature: toHex(ed25519.sign(hexToBytes(message), key.seed)) };
}

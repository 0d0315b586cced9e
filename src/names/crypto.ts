/**
 * Record encryption (ONS model): the key is derived from the full name with BLAKE2b, so only someone who
 * knows the name can read the record. XChaCha20-Poly1305 with a random nonce stored in front of the value.
 *
 * Sealed layout: nonce (16 random bytes) ‖ ciphertext ‖ Poly1305 tag (16 bytes). The 24-byte XChaCha nonce is
 * those 16 random bytes followed by 8 zero bytes: HChaCha20 turns the 16 random bytes into a fresh subkey per
 * value, and a 128-bit random nonce makes a repeat under one name's key negligible (birthday bound 2^64
 * values). Storing 16 rather than 24 bytes lets an encrypted Session ID fit in two storage words.
 * Associated data binds the value to its name's node and record slot, so it cannot be moved elsewhere.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha";
import { blake2b } from "@noble/hashes/blake2b";
import { randomBytes, utf8ToBytes } from "@noble/hashes/utils";
import { Hex, hexToBytes, pad, toHex } from "viem";

/** Bytes of random nonce stored with each sealed value. */
export const NONCE_LENGTH = 16;
/** Poly1305 tag length. */
export const TAG_LENGTH = 16;
/** Domain-separation key of the BLAKE2b key derivation. */
const KDF_KEY = utf8ToBytes("SessionNameService record key v1");

/** Sealed data that does not authenticate under the given name: wrong name, wrong slot or tampered bytes. */
export class RecordDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecordDecryptionError";
  }
}

/** 32-byte record key of the normalised full name (`alice.session`). */
export function recordKey(fullName: string): Uint8Array {
  return blake2b(utf8ToBytes(fullName), { dkLen: 32, key: KDF_KEY });
}

/** Associated data: the node and a record slot id (typed kind as uint256, or keccak256 of a text key). */
export function recordAad(node: Hex, slot: Hex): Uint8Array {
  const aad = new Uint8Array(64);
  aad.set(hexToBytes(node), 0);
  aad.set(hexToBytes(pad(slot, { size: 32 })), 32);
  return aad;
}

function xnonce(stored: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(24);
  nonce.set(stored, 0);
  return nonce;
}

/** Encrypts `plaintext` for `fullName`; `nonce` (16 bytes) is random unless given (tests only). */
export function seal(plaintext: Uint8Array, fullName: string, aad: Uint8Array, nonce?: Uint8Array): Uint8Array {
  const stored = nonce ?? randomBytes(NONCE_LENGTH);
  if (stored.length !== NONCE_LENGTH) throw new Error(`nonce must be ${NONCE_LENGTH} bytes, got ${stored.length}`);
  const body = xchacha20poly1305(recordKey(fullName), xnonce(stored), aad).encrypt(plaintext);
  const out = new Uint8Array(NONCE_LENGTH + body.length);
  out.set(stored, 0);
  out.set(body, NONCE_LENGTH);
  return out;
}

/** Decrypts a sealed value; throws {@link RecordDecryptionError} if it does not authenticate. */
export function open(sealed: Uint8Array, fullName: string, aad: Uint8Array): Uint8Array {
  if (sealed.length < NONCE_LENGTH + TAG_LENGTH) {
    throw new RecordDecryptionError(`sealed value is ${sealed.length} bytes: shorter than nonce + tag (32)`);
  }
  try {
    return xchacha20poly1305(recordKey(fullName), xnonce(sealed.subarray(0, NONCE_LENGTH)), aad).decrypt(
      sealed.subarray(NONCE_LENGTH),
    );
  } catch {
    throw new RecordDecryptionError(
      `cannot decrypt record of "${fullName}": wrong name or tampered value (authentication failed)`,
    );
  }
}

/** Hex helper for sealed bytes. */
export function sealedHex(sealed: Uint8Array): Hex {
  return toHex(sealed);
}

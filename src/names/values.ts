/** Validation and byte encoding of record values: Session ID, Lokinet address, wallet address. */
import { ed25519 } from "@noble/curves/ed25519";
import { Hex, bytesToHex, getAddress, hexToBytes, isAddress } from "viem";

/** A record value that is not of the expected format; the message names the problem. */
export class RecordValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecordValueError";
  }
}

/** Parses a Session ID (`05` + 64 hex digits) into its 32-byte X25519 key. */
export function parseSessionId(value: string): Uint8Array {
  if (value.length !== 66) {
    throw new RecordValueError(`Session ID must be 66 hex characters ("05" + 64), got ${value.length}`);
  }
  if (!value.startsWith("05")) {
    throw new RecordValueError(`Session ID must start with "05", got "${value.slice(0, 2)}"`);
  }
  if (!/^[0-9a-fA-F]{66}$/.test(value)) throw new RecordValueError(`Session ID "${value}" has non-hex characters`);
  return hexToBytes(`0x${value.slice(2)}`);
}

/** Formats a 32-byte X25519 key as a Session ID. */
export function formatSessionId(key: Uint8Array): string {
  if (key.length !== 32) throw new RecordValueError(`Session key must be 32 bytes, got ${key.length}`);
  return `05${bytesToHex(key).slice(2)}`;
}

/** z-base-32 alphabet used by Lokinet. */
const ZBASE32 = "ybndrfg8ejkmcpqxot1uwisza345h769";

/** z-base-32 encoding of `bytes` (big-endian bit order, last digit zero-padded). */
export function zbase32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ZBASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ZBASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** z-base-32 digits whose low four bits are zero: the only possible last characters of a Lokinet address. */
export const LOKINET_LAST_CHARACTERS = "yo";

/**
 * Parses a Lokinet address (`<52 z-base-32 characters>.loki`, any case) into its 32-byte ed25519 key.
 *
 * Lokinet writes the service's ed25519 public key in z-base-32, most significant bit first, zero-padded:
 * 52 digits carry 260 bits, so the last digit holds the key's final bit followed by four zero bits and is
 * always `y` (0) or `o` (16). The key must also be a canonical ed25519 point, as every key Lokinet derives is;
 * that rejects about half of the mistyped addresses the padding rule lets through.
 */
export function parseLokinetAddress(value: string): Uint8Array {
  const lower = value.toLowerCase();
  if (!lower.endsWith(".loki")) throw new RecordValueError(`Lokinet address "${value}" must end with ".loki"`);
  const body = lower.slice(0, -5);
  if (body.length !== 52) {
    throw new RecordValueError(`Lokinet address must have 52 z-base-32 characters before ".loki", got ${body.length}`);
  }
  let buffer = 0n;
  for (const [i, ch] of Array.from(body).entries()) {
    const digit = ZBASE32.indexOf(ch);
    if (digit < 0) {
      throw new RecordValueError(`Lokinet address has invalid character ${JSON.stringify(ch)} at position ${i + 1}`);
    }
    buffer = (buffer << 5n) | BigInt(digit);
  }
  // 52 digits carry 260 bits: the 256 key bits followed by 4 zero padding bits.
  if ((buffer & 0xfn) !== 0n) {
    throw new RecordValueError(
      `Lokinet address "${value}" has non-zero padding bits: its 52nd character must be "y" or "o", got "${body[51]}"`,
    );
  }
  const key = hexToBytes(`0x${(buffer >> 4n).toString(16).padStart(64, "0")}`);
  try {
    ed25519.Point.fromHex(key);
  } catch {
    throw new RecordValueError(`Lokinet address "${value}" is not an ed25519 public key: check it for a typo`);
  }
  return key;
}

/** Formats a 32-byte ed25519 key as a Lokinet address. */
export function formatLokinetAddress(key: Uint8Array): string {
  if (key.length !== 32) throw new RecordValueError(`Lokinet key must be 32 bytes, got ${key.length}`);
  return `${zbase32Encode(key)}.loki`;
}

/** Parses an EIP-55 checksummed wallet address into its 20 bytes. */
export function parseWalletAddress(value: string): Uint8Array {
  if (!isAddress(value, { strict: false })) {
    throw new RecordValueError(`wallet address "${value}" is not 0x followed by 40 hex digits`);
  }
  const checksummed = getAddress(value);
  if (value !== checksummed) {
    throw new RecordValueError(`wallet address "${value}" is not EIP-55 checksummed (expected ${checksummed})`);
  }
  return hexToBytes(checksummed);
}

/** Formats 20 bytes as a checksummed address. */
export function formatWalletAddress(bytes: Uint8Array): Hex {
  if (bytes.length !== 20) throw new RecordValueError(`wallet address must be 20 bytes, got ${bytes.length}`);
  return getAddress(bytesToHex(bytes));
}

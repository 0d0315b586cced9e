/** Encoding of records as the contract stores them (plaintext or sealed), and decoding back to strings. */
import { Hex, bytesToHex, hexToBytes, keccak256, toBytes, toHex } from "viem";
import { open, recordAad, seal } from "./crypto";
import {
  RecordValueError,
  formatLokinetAddress,
  formatSessionId,
  formatWalletAddress,
  parseLokinetAddress,
  parseSessionId,
  parseWalletAddress,
} from "./values";

/** Record kinds, as numbered by the contract. */
export const RecordKind = { Text: 0, Session: 1, Lokinet: 2, Wallet: 3 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

/** Text keys the contract answers from typed records (ENS `text(node, "session")`); not settable as text. */
export const RESERVED_TEXT_KEYS: readonly string[] = ["session", "lokinet"];

/** One record as the contract's `RecordInput` tuple. */
export interface RecordInput {
  readonly kind: number;
  readonly key: string;
  readonly value: Hex;
}

/** A record the user wants to write, before encoding. Encrypted unless `plaintext` is true. */
export type RecordSpec =
  | { readonly kind: "session"; readonly value: string; readonly plaintext?: boolean }
  | { readonly kind: "lokinet"; readonly value: string; readonly plaintext?: boolean }
  | { readonly kind: "wallet"; readonly value: string; readonly plaintext?: boolean }
  | { readonly kind: "text"; readonly key: string; readonly value: string; readonly plaintext?: boolean };

/** Slot id used in the associated data: the kind for typed records, keccak256(key) for text records. */
export function recordSlot(kind: number, key = ""): Hex {
  return kind === RecordKind.Text ? keccak256(toBytes(key)) : toHex(kind, { size: 32 });
}

function typedKind(kind: RecordSpec["kind"]): RecordKind {
  return kind === "session" ? RecordKind.Session : kind === "lokinet" ? RecordKind.Lokinet : RecordKind.Wallet;
}

/** Validates and encodes `spec` for `fullName` / `node` (encrypting unless `spec.plaintext`). */
export function encodeRecord(spec: RecordSpec, fullName: string, node: Hex): RecordInput {
  if (spec.kind === "text") {
    if (spec.key.length === 0) throw new RecordValueError("text record key is empty");
    if (RESERVED_TEXT_KEYS.includes(spec.key)) {
      throw new RecordValueError(`text key "${spec.key}" is reserved: set the ${spec.key} record instead`);
    }
    const body = toBytes(spec.value);
    const envelope = spec.plaintext
      ? new Uint8Array([0, ...body])
      : new Uint8Array([1, ...seal(body, fullName, recordAad(node, recordSlot(RecordKind.Text, spec.key)))]);
    return { kind: RecordKind.Text, key: spec.key, value: bytesToHex(envelope) };
  }
  const kind = typedKind(spec.kind);
  const raw =
    kind === RecordKind.Session
      ? parseSessionId(spec.value)
      : kind === RecordKind.Lokinet
        ? parseLokinetAddress(spec.value)
        : parseWalletAddress(spec.value);
  const value = spec.plaintext ? raw : seal(raw, fullName, recordAad(node, recordSlot(kind)));
  return { kind, key: "", value: bytesToHex(value) };
}

/** A record input that clears typed record `kind` (or text `key`). */
export function clearRecord(kind: RecordKind, key = ""): RecordInput {
  return { kind, key, value: "0x" };
}

/** Decodes typed record bytes read from the contract (`record(node, kind)`); null when unset. */
export function decodeTypedRecord(
  kind: RecordKind,
  stored: Hex,
  encrypted: boolean,
  fullName: string,
  node: Hex,
): string | null {
  if (stored === "0x") return null;
  const bytes = hexToBytes(stored);
  const raw = encrypted ? open(bytes, fullName, recordAad(node, recordSlot(kind))) : bytes;
  if (kind === RecordKind.Session) return formatSessionId(raw);
  if (kind === RecordKind.Lokinet) return formatLokinetAddress(raw);
  if (kind === RecordKind.Wallet) return formatWalletAddress(raw);
  throw new RecordValueError(`record kind ${kind} is not a typed record`);
}

/** Decodes a text envelope read from the contract (`textRecord(node, key)`); null when unset. */
export function decodeTextRecord(key: string, envelope: Hex, fullName: string, node: Hex): string | null {
  if (envelope === "0x") return null;
  const bytes = hexToBytes(envelope);
  const body = bytes.subarray(1);
  if (bytes[0] === 0) return new TextDecoder().decode(body);
  if (bytes[0] === 1) {
    return new TextDecoder().decode(open(body, fullName, recordAad(node, recordSlot(RecordKind.Text, key))));
  }
  throw new RecordValueError(`text record "${key}" has unknown envelope byte ${bytes[0]}`);
}

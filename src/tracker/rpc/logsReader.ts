/**
 * Reads an eth_getLogs answer straight from its bytes into {@link ChainLog}s. A sync receives megabytes of
 * logs per range; parsed as JSON, every log first becomes a text, then an object with nine strings, then a
 * ChainLog, and the garbage of the first two costs more than the parsing (it outlives young-generation
 * collections while the range waits its turn). Here each log becomes its ChainLog directly, and the strings
 * a range repeats (the emitter, the event signature, the block hash, the transaction hash) are shared
 * between consecutive logs, not copied per log.
 *
 * Only the compact, canonical answer is read — `{"jsonrpc":"2.0","id":…,"result":[{…},…]}` with no
 * whitespace inside the result, lowercase hex, each standard log member once (plus an ignored
 * `blockTimestamp`). Anything else (an error answer, whitespace, uppercase hex, other members, duplicates,
 * oversized quantities) gives null, and the caller parses the answer generically (JSON.parse, then
 * `parseRpcLog`), which yields the same logs or the exact error. Invariant: where this reader returns logs,
 * the generic path returns equal logs.
 */
import type { Address, Hex } from "viem";
import type { ChainLog } from "../types";

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const ZERO = 0x30;
const X = 0x78;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** Value of a lowercase hex digit by byte, -1 for any other byte. */
const HEX_DIGIT = new Int8Array(256).fill(-1);
for (let d = 0; d < 10; d++) HEX_DIGIT[0x30 + d] = d;
for (let d = 0; d < 6; d++) HEX_DIGIT[0x61 + d] = 10 + d;

/** The members before and after the result: `jsonrpc` and `id` only, so the first `[` opens the result. */
const WS = "[ \\t\\n\\r]*";
const ENVELOPE_MEMBER = `(?:"jsonrpc"${WS}:${WS}"2\\.0"|"id"${WS}:${WS}(?:-?(?:0|[1-9][0-9]*)|"[0-9A-Za-z_.:-]*"|null))`;
const BEFORE_RESULT = new RegExp(`^${WS}\\{${WS}(?:${ENVELOPE_MEMBER}${WS},${WS})*"result"${WS}:${WS}$`);
const AFTER_RESULT = new RegExp(`^${WS}(?:,${WS}${ENVELOPE_MEMBER}${WS})*\\}${WS}$`);
/** The envelope before the result is a few dozen bytes; a longer one is not the canonical shape. */
const MAX_BEFORE_RESULT = 256;

// Log members, numbered for the `seen` bit set.
const ADDRESS = 1;
const BLOCK_HASH = 2;
const BLOCK_NUMBER = 3;
const DATA = 4;
const LOG_INDEX = 5;
const REMOVED = 6;
const TOPICS = 7;
const TRANSACTION_HASH = 8;
const TRANSACTION_INDEX = 9;
const BLOCK_TIMESTAMP = 10;
const MEMBER_NAMES: readonly (readonly [number, string])[] = [
  [ADDRESS, "address"],
  [BLOCK_HASH, "blockHash"],
  [BLOCK_NUMBER, "blockNumber"],
  [DATA, "data"],
  [LOG_INDEX, "logIndex"],
  [REMOVED, "removed"],
  [TOPICS, "topics"],
  [TRANSACTION_HASH, "transactionHash"],
  [TRANSACTION_INDEX, "transactionIndex"],
  [BLOCK_TIMESTAMP, "blockTimestamp"],
];
/** Member names by length, as bytes. */
const MEMBERS_BY_LENGTH: (readonly [number, Buffer])[][] = [];
for (const [member, name] of MEMBER_NAMES) (MEMBERS_BY_LENGTH[name.length] ??= []).push([member, Buffer.from(name, "latin1")]);
const LONGEST_NAME = MEMBERS_BY_LENGTH.length - 1;
/** Every member a log must have (`removed` and `blockTimestamp` may be absent). */
const REQUIRED =
  (1 << ADDRESS) | (1 << BLOCK_HASH) | (1 << BLOCK_NUMBER) | (1 << DATA) | (1 << LOG_INDEX) | (1 << TOPICS) | (1 << TRANSACTION_HASH) | (1 << TRANSACTION_INDEX);
/** Quantities are read as doubles: at most 13 hex digits (below 2^52), as parseRpcLog's indexes. */
const MAX_QUANTITY_DIGITS = 13;
const ADDRESS_CHARS = 42;
const HASH_CHARS = 66;

/** The member whose name is b[start, end), or 0. */
function memberAt(b: Buffer, start: number, end: number): number {
  const candidates = MEMBERS_BY_LENGTH[end - start];
  if (candidates === undefined) return 0;
  next: for (const [member, name] of candidates) {
    for (let k = 0; k < name.length; k++) if (b[start + k] !== name[k]) continue next;
    return member;
  }
  return 0;
}

/** With b[at] the opening quote of `"0x…"` (lowercase hex digits only): the index of its closing quote, else -1. */
function hexStringEnd(b: Buffer, at: number): number {
  if (b[at] !== QUOTE || b[at + 1] !== ZERO || b[at + 2] !== X) return -1;
  let i = at + 3;
  while (HEX_DIGIT[b[i]] >= 0) i++;
  return b[i] === QUOTE ? i : -1;
}

/** The value of the hex quantity b[start + 2, end) (after "0x"): 1 to 13 digits, else -1. */
function quantity(b: Buffer, start: number, end: number): number {
  const digits = end - start - 2;
  if (digits < 1 || digits > MAX_QUANTITY_DIGITS) return -1;
  let value = 0;
  for (let i = start + 2; i < end; i++) value = value * 16 + HEX_DIGIT[b[i]];
  return value;
}

const sameBytes = (b: Buffer, a: number, c: number, length: number): boolean => {
  for (let k = length - 1; k >= 0; k--) if (b[a + k] !== b[c + k]) return false;
  return true;
};

/** A string consecutive logs repeat (emitter, event signature, hashes): made once, while the bytes repeat. */
class Repeated {
  private at = -1;
  private chars = 0;
  private text = "";

  /** The text of b[start, end): the previous one's string when the bytes are the same. */
  read(b: Buffer, start: number, end: number): string {
    const chars = end - start;
    if (this.at < 0 || chars !== this.chars || !sameBytes(b, this.at, start, chars)) this.text = b.toString("latin1", start, end);
    this.at = start;
    this.chars = chars;
    return this.text;
  }
}

/**
 * The logs of a canonical eth_getLogs answer (see the module comment), in the answer's order; null when
 * the answer is not of that shape.
 */
export function readLogsAnswer(b: Buffer): ChainLog[] | null {
  const open = b.indexOf(OPEN_ARRAY);
  if (open < 0 || open > MAX_BEFORE_RESULT || !BEFORE_RESULT.test(b.toString("latin1", 0, open))) return null;
  const addresses = new Repeated();
  const signatures = new Repeated();
  const blockHashes = new Repeated();
  const transactionHashes = new Repeated();
  let blockNumberValue = -1;
  let blockNumber = 0n;
  const logs: ChainLog[] = [];
  let i = open + 1;
  if (b[i] === CLOSE_ARRAY) i++;
  else {
    for (;;) {
      if (b[i] !== OPEN_OBJECT) return null;
      i++;
      let seen = 0;
      let address = "";
      let blockHash = "";
      let transactionHash = "";
      let data = "";
      const topics: string[] = [];
      let logIndex = 0;
      let transactionIndex = 0;
      let removed = false;
      for (;;) {
        // "name":value
        if (b[i] !== QUOTE) return null;
        let nameEnd = i + 1;
        while (b[nameEnd] !== QUOTE && nameEnd - i <= LONGEST_NAME) nameEnd++;
        const member = b[nameEnd] === QUOTE ? memberAt(b, i + 1, nameEnd) : 0;
        if (member === 0 || b[nameEnd + 1] !== COLON || (seen & (1 << member)) !== 0) return null;
        seen |= 1 << member;
        i = nameEnd + 2;
        if (member === REMOVED) {
          if (b[i] === 0x74 && b[i + 1] === 0x72 && b[i + 2] === 0x75 && b[i + 3] === 0x65) {
            removed = true;
            i += 4;
          } else if (b[i] === 0x66 && b[i + 1] === 0x61 && b[i + 2] === 0x6c && b[i + 3] === 0x73 && b[i + 4] === 0x65) i += 5;
          else return null;
        } else if (member === TOPICS) {
          if (b[i] !== OPEN_ARRAY) return null;
          i++;
          if (b[i] === CLOSE_ARRAY) i++;
          else {
            for (;;) {
              const end = hexStringEnd(b, i);
              if (end < 0) return null;
              topics.push(topics.length === 0 ? signatures.read(b, i + 1, end) : b.toString("latin1", i + 1, end));
              i = end + 1;
              const c = b[i++];
              if (c === CLOSE_ARRAY) break;
              if (c !== COMMA) return null;
            }
          }
        } else {
          const end = hexStringEnd(b, i);
          if (end < 0) return null;
          const start = i + 1;
          const chars = end - start;
          switch (member) {
            case ADDRESS:
              if (chars !== ADDRESS_CHARS) return null;
              address = addresses.read(b, start, end);
              break;
            case BLOCK_HASH:
              if (chars !== HASH_CHARS) return null;
              blockHash = blockHashes.read(b, start, end);
              break;
            case TRANSACTION_HASH:
              if (chars !== HASH_CHARS) return null;
              transactionHash = transactionHashes.read(b, start, end);
              break;
            case DATA:
              data = b.toString("latin1", start, end);
              break;
            case BLOCK_TIMESTAMP:
              break;
            default: {
              const value = quantity(b, start, end);
              if (value < 0) return null;
              if (member === BLOCK_NUMBER) {
                if (value !== blockNumberValue) {
                  blockNumberValue = value;
                  blockNumber = BigInt(value);
                }
              } else if (member === LOG_INDEX) logIndex = value;
              else transactionIndex = value;
            }
          }
          i = end + 1;
        }
        const c = b[i++];
        if (c === CLOSE_OBJECT) break;
        if (c !== COMMA) return null;
      }
      if ((seen & REQUIRED) !== REQUIRED) return null;
      logs.push({
        address: address as Address,
        topics: topics as Hex[],
        data: data as Hex,
        blockNumber,
        blockHash: blockHash as Hex,
        logIndex,
        transactionHash: transactionHash as Hex,
        transactionIndex,
        removed,
      });
      const c = b[i++];
      if (c === CLOSE_ARRAY) break;
      if (c !== COMMA) return null;
    }
  }
  return AFTER_RESULT.test(b.toString("latin1", i)) ? logs : null;
}

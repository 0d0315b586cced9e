/**
 * A small, fast event-log decoder for the ABI types the tracker's events use. viem's `decodeEventLog`
 * hashes every ABI item's signature and checksums every address on each call (≈ 0.1 ms per log); at
 * 100,000 logs that dominated a full sync. Here each event is compiled once, when its ABI is prepared
 * (topic0 → event), into a tree of readers — one per parameter, fixed offsets and sizes worked out in
 * advance — that read values straight from the hex text; addresses stay lowercase (the mirror stores
 * them lowercase). Output shapes match viem's: named args, named tuple components as objects, uintN/intN
 * with N ≤ 48 as numbers and wider ones as bigints, bytes as hex, strings as text, indexed dynamic values
 * as their topic.
 */
import { toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Hex } from "viem";
import { lowercase } from "../lowercase";

type EventInput = AbiParameter & { readonly indexed?: boolean };

/** Reads one value whose encoding starts at character `pos` of `hex` (lowercase, "0x" prefix included). */
type Reader = (hex: string, pos: number) => unknown;

interface CompiledParam {
  readonly read: Reader;
  /** Encoded out of line (the head holds a 32-byte offset to it). */
  readonly dynamic: boolean;
  /** Characters the parameter takes in the head (64 for a dynamic one). */
  readonly headChars: number;
}

export interface PreparedEvent {
  readonly name: string;
  readonly inputs: readonly EventInput[];
  readonly indexedCount: number;
  /** The non-indexed inputs (the data part), in order. */
  readonly plain: readonly EventInput[];
  /** The named args from the log's topics and its data (lowercase hex, "0x" included); throws on bad input. */
  readonly decode: (topics: readonly Hex[], hex: string) => Record<string, unknown>;
}

/** topic0 → event, for one ABI. */
export type PreparedAbi = ReadonlyMap<string, PreparedEvent>;

const prepared = new WeakMap<Abi, PreparedAbi>();

export function prepareAbi(abi: Abi): PreparedAbi {
  let map = prepared.get(abi) as Map<string, PreparedEvent> | undefined;
  if (map) return map;
  map = new Map();
  for (const item of abi) {
    if (item.type !== "event") continue;
    const event = item as AbiEvent;
    map.set(toEventSelector(event).toLowerCase(), compileEvent(event));
  }
  prepared.set(abi, map);
  return map;
}

class DecodeError extends Error {}

const components = (p: AbiParameter): readonly AbiParameter[] => (p as { components?: readonly AbiParameter[] }).components ?? [];

/** Throws unless the word at `pos` lies inside the data. */
function checkWord(hex: string, pos: number): void {
  if (pos < 0 || pos + 64 > hex.length) throw new DecodeError("data too short");
}

/** The 64 hex digits of the word at `pos`, checked to be inside the data. */
function word(hex: string, pos: number): string {
  checkWord(hex, pos);
  return hex.slice(pos, pos + 64);
}

/** The 13 hex digits at `pos` (≤ 52 bits, exact as a double) as a number. */
function low13(hex: string, pos: number): number {
  const n = Number(`0x${hex.slice(pos, pos + 13)}`);
  if (n !== n) throw new DecodeError("not hex"); // NaN: unlike parseInt, Number() refuses any stray character
  return n;
}

/** An offset or length word (bytes), bounded by the data's size. */
function readLength(hex: string, pos: number): number {
  checkWord(hex, pos);
  // ≤ 13 significant hex digits: a number without BigInt; anything larger is out of range anyway.
  const n = hex.startsWith(ZEROS_51, pos) ? low13(hex, pos + 51) : Number.POSITIVE_INFINITY;
  if (!(n <= hex.length)) throw new DecodeError("offset or length out of range");
  return n;
}

const TWO_255 = 1n << 255n;
const TWO_256 = 1n << 256n;
/** A word whose first 51 of 64 hex digits are zero holds a value below 2^52 (exact as a double). */
const ZEROS_51 = "0".repeat(51);

const failing =
  (message: string): Reader =>
  () => {
    throw new DecodeError(message);
  };

/** The reader of one static (one-word) type; null for types that are not one word. */
function wordReader(type: string): Reader | null {
  if (type === "address")
    return (hex, pos) => {
      checkWord(hex, pos);
      return `0x${hex.slice(pos + 24, pos + 64)}`;
    };
  if (type === "bool") return (hex, pos) => /[^0]/.test(word(hex, pos));
  const u = /^uint(\d*)$/.exec(type);
  if (u) {
    const bits = u[1] === "" ? 256 : Number(u[1]);
    // Small values (most amounts, ids and indexes) skip parsing 64 digits into a BigInt.
    if (bits > 48)
      return (hex, pos) => {
        checkWord(hex, pos);
        return hex.startsWith(ZEROS_51, pos) ? BigInt(low13(hex, pos + 51)) : BigInt(`0x${hex.slice(pos, pos + 64)}`);
      };
    // ≤ 48 bits fit a double exactly and need no BigInt.
    return (hex, pos) => {
      checkWord(hex, pos);
      return hex.startsWith(ZEROS_51, pos) ? low13(hex, pos + 51) : Number(BigInt(`0x${hex.slice(pos, pos + 64)}`));
    };
  }
  const s = /^int(\d*)$/.exec(type);
  if (s) {
    const bits = s[1] === "" ? 256 : Number(s[1]);
    return (hex, pos) => {
      let v = BigInt(`0x${word(hex, pos)}`);
      if (v >= TWO_255) v -= TWO_256;
      return bits <= 48 ? Number(v) : v;
    };
  }
  const b = /^bytes(\d+)$/.exec(type);
  if (b) {
    const chars = Number(b[1]) * 2;
    return (hex, pos) => `0x${word(hex, pos).slice(0, chars)}`;
  }
  return null;
}

/** The reader of a head/tail-encoded list of `params` starting at `base` (its values in order). */
function listReader(params: readonly CompiledParam[]): (hex: string, base: number) => unknown[] {
  return (hex, base) => {
    const values = new Array<unknown>(params.length);
    let head = base;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      values[i] = p.dynamic ? p.read(hex, base + readLength(hex, head) * 2) : p.read(hex, head);
      head += p.headChars;
    }
    return values;
  };
}

function compileParam(p: AbiParameter): CompiledParam {
  if (p.type === "tuple") {
    const parts = components(p).map(compileParam);
    const names = components(p).map((c, i) => c.name ?? String(i));
    const dynamic = parts.some((c) => c.dynamic);
    const list = listReader(parts);
    const read: Reader = (hex, pos) => {
      const values = list(hex, pos);
      const out: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) out[names[i]] = values[i];
      return out;
    };
    return { read, dynamic, headChars: dynamic ? 64 : parts.reduce((sum, c) => sum + c.headChars, 0) };
  }
  const array = /^(.*)\[\]$/.exec(p.type);
  if (array) {
    const element = compileParam({ ...p, type: array[1] } as AbiParameter);
    const read: Reader = (hex, pos) => {
      const length = readLength(hex, pos);
      const values = new Array<unknown>(length);
      const base = pos + 64;
      let head = base;
      for (let i = 0; i < length; i++) {
        values[i] = element.dynamic ? element.read(hex, base + readLength(hex, head) * 2) : element.read(hex, head);
        head += element.headChars;
      }
      return values;
    };
    return { read, dynamic: true, headChars: 64 };
  }
  if (/\[\d+\]$/.test(p.type)) return { read: failing(`fixed-size arrays are not supported (${p.type})`), dynamic: true, headChars: 64 };
  if (p.type === "bytes" || p.type === "string") {
    const text = p.type === "string";
    const read: Reader = (hex, pos) => {
      const length = readLength(hex, pos);
      const end = pos + 64 + length * 2;
      if (end > hex.length) throw new DecodeError("data too short");
      const body = hex.slice(pos + 64, end);
      return text ? Buffer.from(body, "hex").toString("utf8") : `0x${body}`;
    };
    return { read, dynamic: true, headChars: 64 };
  }
  const reader = wordReader(p.type);
  return { read: reader ?? failing(`unsupported ABI type ${p.type}`), dynamic: false, headChars: 64 };
}

function compileEvent(event: AbiEvent): PreparedEvent {
  const inputs = event.inputs as readonly EventInput[];
  const plain = inputs.filter((i) => !i.indexed);
  const readPlain = listReader(plain.map(compileParam));
  /** Per input: a topic reader (indexed) or null (its value is the next plain one). */
  const topicReaders = inputs.map((input): Reader | null => {
    if (!input.indexed) return null;
    // Indexed dynamic values and tuples are their keccak hash: the topic itself.
    const compiled = compileParam(input);
    if (compiled.dynamic || input.type === "tuple") return (topic) => topic;
    return (topic) => compiled.read(topic, 2);
  });
  const names = inputs.map((i) => i.name ?? "");
  const decode = (topics: readonly Hex[], hex: string): Record<string, unknown> => {
    const plainValues = readPlain(hex, 2);
    const args: Record<string, unknown> = {};
    let t = 1;
    let d = 0;
    for (let i = 0; i < names.length; i++) {
      const topicReader = topicReaders[i];
      if (topicReader !== null) {
        const topic = topics[t++];
        if (topic.length !== 66) throw new DecodeError("a topic is not 32 bytes");
        args[names[i]] = topicReader(topic, 2);
      } else {
        args[names[i]] = plainValues[d++];
      }
    }
    return args;
  };
  return { name: event.name, inputs, indexedCount: inputs.length - plain.length, plain, decode };
}

/**
 * Decodes one log against a prepared ABI: null when topic0 is not one of its events, the number of
 * topics does not match the event's indexed inputs, or the data does not decode (strict).
 */
export function decodeEvent(abi: PreparedAbi, topics: readonly Hex[], data: Hex): { eventName: string; args: Record<string, unknown> } | null {
  return decodeLowercaseEvent(abi, topics.map(lowercase) as Hex[], lowercase(data) as Hex);
}

/**
 * {@link decodeEvent} for topics and data known to be lowercase hex, as a ChainLog's are: no scan for
 * uppercase digits (a dense range decodes 100,000s of logs).
 */
export function decodeLowercaseEvent(abi: PreparedAbi, topics: readonly Hex[], data: Hex): { eventName: string; args: Record<string, unknown> } | null {
  const topic0 = topics[0];
  if (topic0 === undefined) return null;
  const event = abi.get(topic0);
  if (!event || topics.length !== event.indexedCount + 1) return null;
  try {
    return { eventName: event.name, args: event.decode(topics, data) };
  } catch (error) {
    if (error instanceof DecodeError || error instanceof SyntaxError || error instanceof RangeError) return null;
    throw error;
  }
}

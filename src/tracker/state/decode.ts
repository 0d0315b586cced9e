/**
 * A small, fast event-log decoder for the ABI types the tracker's events use. viem's `decodeEventLog`
 * hashes every ABI item's signature and checksums every address on each call (≈ 0.1 ms per log); at
 * 100,000 logs that dominated a full sync. Here each ABI is prepared once (topic0 → event), values are
 * read straight from the hex text, and addresses stay lowercase (the mirror stores them lowercase).
 * Output shapes match viem's: named args, named tuple components as objects, uintN/intN with N ≤ 48 as
 * numbers and wider ones as bigints, bytes as hex, strings as text, indexed dynamic values as their topic.
 */
import { toEventSelector, type Abi, type AbiEvent, type AbiParameter, type Hex } from "viem";

type EventInput = AbiParameter & { readonly indexed?: boolean };

export interface PreparedEvent {
  readonly name: string;
  readonly inputs: readonly EventInput[];
  readonly indexedCount: number;
  /** The non-indexed inputs (the data part), in order. */
  readonly plain: readonly EventInput[];
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
    map.set(toEventSelector(event).toLowerCase(), {
      name: event.name,
      inputs: event.inputs,
      indexedCount: event.inputs.filter((i) => i.indexed).length,
      plain: event.inputs.filter((i) => !i.indexed),
    });
  }
  prepared.set(abi, map);
  return map;
}

class DecodeError extends Error {}

const components = (p: AbiParameter): readonly AbiParameter[] => (p as { components?: readonly AbiParameter[] }).components ?? [];
const arrayElement = (p: AbiParameter): AbiParameter | null => {
  const m = /^(.*)\[\]$/.exec(p.type);
  return m ? ({ ...p, type: m[1] } as AbiParameter) : null;
};

/** Per ABI parameter, computed once (decoding runs per log: 100,000s of times in a sync). */
const dynamicCache = new WeakMap<AbiParameter, boolean>();

function isDynamic(p: AbiParameter): boolean {
  const cached = dynamicCache.get(p);
  if (cached !== undefined) return cached;
  let dynamic: boolean;
  if (p.type === "bytes" || p.type === "string" || p.type.endsWith("[]")) dynamic = true;
  else if (/\[\d+\]$/.test(p.type)) throw new DecodeError(`fixed-size arrays are not supported (${p.type})`);
  else dynamic = p.type === "tuple" && components(p).some(isDynamic);
  dynamicCache.set(p, dynamic);
  return dynamic;
}

/** Bytes a static parameter takes in the head. */
function staticSize(p: AbiParameter): number {
  return p.type === "tuple" ? components(p).reduce((sum, c) => sum + staticSize(c), 0) : 32;
}

/** `hex` has no 0x prefix; `pos` is a character offset (2 per byte). */
function word(hex: string, pos: number): string {
  if (pos < 0 || pos + 64 > hex.length) throw new DecodeError("data too short");
  return hex.slice(pos, pos + 64);
}

function readLength(hex: string, pos: number): number {
  const n = BigInt(`0x${word(hex, pos)}`);
  if (n > BigInt(hex.length)) throw new DecodeError("offset or length out of range");
  return Number(n);
}

type WordDecoder = (w: string) => unknown;
const TWO_255 = 1n << 255n;
const TWO_256 = 1n << 256n;
/** A word whose value fits 48 bits: the first 52 of its 64 hex digits are zero. */
const ZERO_HIGH = /^0{52}/;

/** The decoder of one static type's 32-byte word (lowercase hex, no 0x); null for unsupported types. */
function wordDecoder(type: string): WordDecoder | null {
  if (type === "address") return (w) => `0x${w.slice(24)}`;
  if (type === "bool") return (w) => /[^0]/.test(w);
  const u = /^uint(\d*)$/.exec(type);
  if (u) {
    const bits = u[1] === "" ? 256 : Number(u[1]);
    // ≤ 48 bits fit a double exactly and need no BigInt.
    if (bits > 48) return (w) => BigInt(`0x${w}`);
    return (w) => (ZERO_HIGH.test(w) ? parseInt(w.slice(52), 16) : Number(BigInt(`0x${w}`)));
  }
  const s = /^int(\d*)$/.exec(type);
  if (s) {
    const bits = s[1] === "" ? 256 : Number(s[1]);
    return (w) => {
      let v = BigInt(`0x${w}`);
      if (v >= TWO_255) v -= TWO_256;
      return bits <= 48 ? Number(v) : v;
    };
  }
  const b = /^bytes(\d+)$/.exec(type);
  if (b) {
    const chars = Number(b[1]) * 2;
    return (w) => `0x${w.slice(0, chars)}`;
  }
  return null;
}

const wordDecoders = new Map<string, WordDecoder | null>();

function decodeStatic(type: string, w: string): unknown {
  let decoder = wordDecoders.get(type);
  if (decoder === undefined) {
    decoder = wordDecoder(type);
    wordDecoders.set(type, decoder);
  }
  if (decoder === null) throw new DecodeError(`unsupported ABI type ${type}`);
  return decoder(w);
}

function decodeValue(p: AbiParameter, hex: string, pos: number): unknown {
  if (p.type === "tuple") return decodeTuple(components(p), hex, pos);
  const element = arrayElement(p);
  if (element) {
    const length = readLength(hex, pos);
    return decodeList(new Array<AbiParameter>(length).fill(element), hex, pos + 64);
  }
  if (p.type === "bytes" || p.type === "string") {
    const length = readLength(hex, pos);
    const end = pos + 64 + length * 2;
    if (end > hex.length) throw new DecodeError("data too short");
    const body = hex.slice(pos + 64, end);
    return p.type === "bytes" ? `0x${body}` : Buffer.from(body, "hex").toString("utf8");
  }
  return decodeStatic(p.type, word(hex, pos));
}

/** The head/tail encoding of `params` starting at `base`; values in order. */
function decodeList(params: readonly AbiParameter[], hex: string, base: number): unknown[] {
  const values: unknown[] = [];
  let head = base;
  for (const p of params) {
    if (isDynamic(p)) {
      values.push(decodeValue(p, hex, base + readLength(hex, head) * 2));
      head += 64;
    } else {
      values.push(decodeValue(p, hex, head));
      head += staticSize(p) * 2;
    }
  }
  return values;
}

function decodeTuple(params: readonly AbiParameter[], hex: string, base: number): Record<string, unknown> {
  const values = decodeList(params, hex, base);
  return Object.fromEntries(params.map((p, i) => [p.name ?? String(i), values[i]]));
}

/**
 * Decodes one log against a prepared ABI: null when topic0 is not one of its events, the number of
 * topics does not match the event's indexed inputs, or the data does not decode (strict).
 */
export function decodeEvent(abi: PreparedAbi, topics: readonly Hex[], data: Hex): { eventName: string; args: Record<string, unknown> } | null {
  const topic0 = topics[0];
  if (topic0 === undefined) return null;
  const event = abi.get(topic0.toLowerCase());
  if (!event || topics.length !== event.indexedCount + 1) return null;
  try {
    const body = data.slice(2);
    const hex = /[A-F]/.test(body) ? body.toLowerCase() : body;
    const plainValues = decodeList(event.plain, hex, 0);
    const args: Record<string, unknown> = {};
    let t = 1;
    let d = 0;
    for (const input of event.inputs) {
      const name = input.name ?? "";
      if (input.indexed) {
        const topic = topics[t++].toLowerCase();
        if (topic.length !== 66) throw new DecodeError("a topic is not 32 bytes");
        args[name] = isDynamic(input) || input.type === "tuple" ? topic : decodeStatic(input.type, topic.slice(2));
      } else {
        args[name] = plainValues[d++];
      }
    }
    return { eventName: event.name, args };
  } catch (error) {
    if (error instanceof DecodeError || error instanceof SyntaxError || error instanceof RangeError) return null;
    throw error;
  }
}

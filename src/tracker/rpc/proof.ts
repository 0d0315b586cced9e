/**
 * Evidence for provider disputes that no majority settles (two providers, two answers): a block's
 * logs are proven by its receipts, whose Merkle-Patricia trie root is the header's `receiptsRoot`, and
 * the header is proven by hashing it to the block hash both providers report. The provider whose
 * `eth_getLogs` answer differs from the proven logs is the liar.
 */
import { hexToBytes, keccak256, numberToHex, type Hex, type PublicClient } from "viem";
import type { Logger } from "../log";
import type { ChainLog, LogQuery } from "../types";
import type { Arbiter, Provider, ProviderSet } from "./providers";

// ---- RLP ------------------------------------------------------------------------------------------

/** An RLP item: a byte string, a list, or an already-encoded item embedded as is (trie node refs). */
export type RlpItem = Uint8Array | { readonly raw: Uint8Array } | readonly RlpItem[];

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

const lengthPrefix = (len: number, short: number): Uint8Array => {
  if (len < 56) return Uint8Array.of(short + len);
  const bytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(short + 55 + bytes.length, ...bytes);
};

export function rlpEncode(item: RlpItem): Uint8Array {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0] < 0x80) return item;
    return concat([lengthPrefix(item.length, 0x80), item]);
  }
  if ("raw" in item && !Array.isArray(item)) return (item as { raw: Uint8Array }).raw;
  const body = concat((item as readonly RlpItem[]).map(rlpEncode));
  return concat([lengthPrefix(body.length, 0xc0), body]);
}

/** Minimal big-endian bytes of a quantity (0 → empty). */
export function quantityBytes(value: Hex | bigint | number): Uint8Array {
  let n = BigInt(value);
  const out: number[] = [];
  while (n > 0n) {
    out.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from(out);
}

// ---- Merkle-Patricia trie root ------------------------------------------------------------------------

const toNibbles = (bytes: Uint8Array): number[] => [...bytes].flatMap((b) => [b >> 4, b & 15]);

function hexPrefix(nibbles: readonly number[], leaf: boolean): Uint8Array {
  const flag = (leaf ? 2 : 0) + (nibbles.length % 2);
  const all = nibbles.length % 2 ? [flag, ...nibbles] : [flag, 0, ...nibbles];
  const out = new Uint8Array(all.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (all[2 * i] << 4) | all[2 * i + 1];
  return out;
}

interface TrieEntry {
  readonly key: readonly number[];
  readonly value: Uint8Array;
}

function nodeRef(node: RlpItem): RlpItem {
  const encoded = rlpEncode(node);
  return encoded.length < 32 ? { raw: encoded } : hexToBytes(keccak256(encoded));
}

function buildNode(entries: readonly TrieEntry[]): RlpItem {
  if (entries.length === 1) return [hexPrefix(entries[0].key, true), entries[0].value];
  let prefix = 0;
  const first = entries[0].key;
  while (prefix < first.length && entries.every((e) => e.key.length > prefix && e.key[prefix] === first[prefix])) prefix++;
  if (prefix > 0) {
    const child = buildNode(entries.map((e) => ({ key: e.key.slice(prefix), value: e.value })));
    return [hexPrefix(first.slice(0, prefix), false), nodeRef(child)];
  }
  const branch: RlpItem[] = [];
  for (let nibble = 0; nibble < 16; nibble++) {
    const group = entries.filter((e) => e.key.length > 0 && e.key[0] === nibble).map((e) => ({ key: e.key.slice(1), value: e.value }));
    branch.push(group.length === 0 ? new Uint8Array(0) : nodeRef(buildNode(group)));
  }
  const terminal = entries.find((e) => e.key.length === 0);
  branch.push(terminal ? terminal.value : new Uint8Array(0));
  return branch;
}

/** Root of the trie mapping rlp(index) → value (the layout of transactionsRoot and receiptsRoot). */
export function orderedTrieRoot(values: readonly Uint8Array[]): Hex {
  if (values.length === 0) return keccak256(rlpEncode(new Uint8Array(0)));
  const entries = values.map((value, i) => ({ key: toNibbles(rlpEncode(quantityBytes(i))), value }));
  return keccak256(rlpEncode(buildNode(entries)));
}

// ---- receipts and headers -------------------------------------------------------------------------

export interface RpcReceipt {
  readonly type?: Hex;
  readonly status?: Hex;
  readonly root?: Hex;
  readonly cumulativeGasUsed: Hex;
  readonly logsBloom: Hex;
  readonly transactionHash: Hex;
  readonly logs: readonly { address: Hex; topics: readonly Hex[]; data: Hex }[];
}

export function encodeReceipt(r: RpcReceipt): Uint8Array {
  const statusOrRoot = r.root !== undefined && r.status === undefined ? hexToBytes(r.root) : quantityBytes(r.status ?? "0x0");
  const body = rlpEncode([
    statusOrRoot,
    quantityBytes(r.cumulativeGasUsed),
    hexToBytes(r.logsBloom),
    r.logs.map((l) => [hexToBytes(l.address), l.topics.map((t) => hexToBytes(t)), hexToBytes(l.data)]),
  ]);
  const type = Number(BigInt(r.type ?? "0x0"));
  return type === 0 ? body : concat([Uint8Array.of(type), body]);
}

export type RawHeader = Readonly<Record<string, Hex | undefined>>;

const HEADER_FIELDS: readonly [string, "hash" | "quantity" | "bytes"][] = [
  ["parentHash", "hash"],
  ["sha3Uncles", "hash"],
  ["miner", "bytes"],
  ["stateRoot", "hash"],
  ["transactionsRoot", "hash"],
  ["receiptsRoot", "hash"],
  ["logsBloom", "bytes"],
  ["difficulty", "quantity"],
  ["number", "quantity"],
  ["gasLimit", "quantity"],
  ["gasUsed", "quantity"],
  ["timestamp", "quantity"],
  ["extraData", "bytes"],
  ["mixHash", "hash"],
  ["nonce", "bytes"],
];
const OPTIONAL_HEADER_FIELDS: readonly [string, "hash" | "quantity"][] = [
  ["baseFeePerGas", "quantity"],
  ["withdrawalsRoot", "hash"],
  ["blobGasUsed", "quantity"],
  ["excessBlobGas", "quantity"],
  ["parentBeaconBlockRoot", "hash"],
  ["requestsHash", "hash"],
];

/** keccak256 of the RLP header: the block hash, if the fields given are the real ones. */
export function headerHash(header: RawHeader): Hex {
  const fields: Uint8Array[] = [];
  const encode = (value: Hex, kind: "hash" | "quantity" | "bytes"): Uint8Array => (kind === "quantity" ? quantityBytes(value) : hexToBytes(value));
  for (const [name, kind] of HEADER_FIELDS) {
    const value = header[name];
    if (value === undefined) throw new Error(`header field ${name} missing`);
    fields.push(encode(value, kind));
  }
  for (const [name, kind] of OPTIONAL_HEADER_FIELDS) {
    const value = header[name];
    if (value === undefined) break;
    fields.push(encode(value, kind));
  }
  return keccak256(rlpEncode(fields));
}

async function fetchRawHeader(client: PublicClient, n: bigint): Promise<(RawHeader & { hash: Hex; transactions: Hex[] }) | null> {
  return (await client.request({ method: "eth_getBlockByNumber", params: [numberToHex(n), false] } as never)) as
    | (RawHeader & { hash: Hex; transactions: Hex[] })
    | null;
}

async function fetchReceipts(client: PublicClient, n: bigint, txs: readonly Hex[]): Promise<RpcReceipt[]> {
  try {
    const all = (await client.request({ method: "eth_getBlockReceipts", params: [numberToHex(n)] } as never)) as RpcReceipt[] | null;
    if (Array.isArray(all)) return all;
  } catch {
    /* not supported: per transaction below */
  }
  return Promise.all(txs.map((hash) => client.request({ method: "eth_getTransactionReceipt", params: [hash] } as never) as Promise<RpcReceipt>));
}

const matchesQuery = (query: LogQuery, address: string, topic0: string | undefined): boolean =>
  query.addresses.includes(address.toLowerCase() as never) || (topic0 !== undefined && query.anyAddressTopics.includes(topic0.toLowerCase() as Hex));

const proofKey = (l: Pick<ChainLog, "blockHash" | "logIndex" | "address" | "topics" | "data">): string =>
  JSON.stringify([l.blockHash.toLowerCase(), l.logIndex, l.address.toLowerCase(), l.topics.map((t) => t.toLowerCase()), l.data.toLowerCase()]);

/** The logs of block `n` that `query` selects, proven against the header both providers agree on; null if unprovable. */
async function provenLogs(providers: readonly Provider[], query: LogQuery, n: bigint, log: Logger): Promise<string[] | null> {
  const headers = await Promise.all(providers.map((p) => fetchRawHeader(p.client, n).catch(() => null)));
  const verified = headers.filter((h): h is NonNullable<typeof h> => h !== null && headerHash(h) === h.hash.toLowerCase());
  const hashes = new Set(verified.map((h) => h.hash.toLowerCase()));
  if (verified.length === 0 || hashes.size !== 1) {
    log.warn("dispute: no single verifiable header", { block: n, verified: verified.length, hashes: [...hashes] });
    return null;
  }
  const header = verified[0];
  for (const p of providers) {
    const receipts = await fetchReceipts(p.client, n, header.transactions).catch(() => null);
    if (!receipts || receipts.some((r) => r === null)) continue;
    if (orderedTrieRoot(receipts.map(encodeReceipt)) !== header.receiptsRoot!.toLowerCase()) continue;
    const logs: string[] = [];
    let index = 0;
    for (const r of receipts) {
      for (const l of r.logs) {
        if (matchesQuery(query, l.address, l.topics[0])) {
          logs.push(proofKey({ blockHash: header.hash, logIndex: index, address: l.address, topics: l.topics, data: l.data }));
        }
        index++;
      }
    }
    return logs;
  }
  log.warn("dispute: no provider served receipts matching the receipts root", { block: n });
  return null;
}

/** Arbiter for eth_getLogs disputes over [from, to], proving each disputed block from its receipts. */
export function receiptsArbiter(set: ProviderSet, query: LogQuery, log: Logger, maxBlocks = 16): Arbiter<ChainLog[]> {
  return async (answers) => {
    const byBlock = answers.map((a) => {
      const m = new Map<string, string[]>();
      for (const l of a.value) m.set(l.blockNumber.toString(), [...(m.get(l.blockNumber.toString()) ?? []), proofKey(l)]);
      return m;
    });
    const blocks = new Set(byBlock.flatMap((m) => [...m.keys()]));
    const disputed = [...blocks].filter((b) => new Set(byBlock.map((m) => JSON.stringify(m.get(b) ?? []))).size > 1);
    const liars = new Set<string>();
    const providers = answers.map((a) => a.provider);
    for (const b of disputed.slice(0, maxBlocks)) {
      const proven = await provenLogs(providers.length > 0 ? providers : set.usable(), query, BigInt(b), log);
      if (proven === null) continue;
      const expected = JSON.stringify(proven);
      answers.forEach((a, i) => {
        if (JSON.stringify(byBlock[i].get(b) ?? []) !== expected) liars.add(a.provider.url);
      });
    }
    if (liars.size > 0) log.error("provider answer disproved by receipts", { liars: [...liars], blocks: disputed.slice(0, maxBlocks) });
    return [...liars];
  };
}


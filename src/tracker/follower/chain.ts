/** Raw chain data as the follower needs it: logs and headers fetched with plain JSON-RPC. */
import { hexToBigInt, numberToHex, type Address, type Hex, type PublicClient } from "viem";

export interface ChainLog {
  readonly address: Address;
  readonly topics: readonly Hex[];
  readonly data: Hex;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly logIndex: number;
  readonly transactionHash: Hex;
  readonly transactionIndex: number;
  readonly removed: boolean;
}

export interface ChainHeader {
  readonly number: bigint;
  readonly hash: Hex;
  readonly parentHash: Hex;
  /** Unix seconds. */
  readonly timestamp: bigint;
}

interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  logIndex: string;
  transactionHash: string;
  transactionIndex: string;
  removed?: boolean;
}

/** A JSON-RPC quantity ("0x1a"); a clear error for anything else (a provider bug, not chain data). */
function quantity(value: string, field: string): bigint {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) throw new Error(`eth_getLogs returned a log whose ${field} is not a hex quantity: ${JSON.stringify(value)}`);
  return BigInt(value);
}

/** Lowercase hex; scans before copying (providers usually send lowercase already, and data can be long). */
const lowerHex = (hex: string): Hex => (/[A-F]/.test(hex) ? hex.toLowerCase() : hex) as Hex;

export function parseRpcLog(raw: RpcLog): ChainLog {
  return {
    address: lowerHex(raw.address) as Address,
    topics: raw.topics.map(lowerHex),
    data: lowerHex(raw.data),
    blockNumber: quantity(raw.blockNumber, "blockNumber"),
    blockHash: lowerHex(raw.blockHash),
    logIndex: Number(quantity(raw.logIndex, "logIndex")),
    transactionHash: lowerHex(raw.transactionHash),
    transactionIndex: Number(quantity(raw.transactionIndex, "transactionIndex")),
    removed: raw.removed === true,
  };
}

export interface LogQuery {
  /** Contracts whose every log is wanted. */
  readonly addresses: readonly Address[];
  /** topic0 values wanted from any address (dynamically discovered contracts, filtered afterwards). */
  readonly anyAddressTopics: readonly Hex[];
  /**
   * When given, the any-address query is sent only if this returns true for the range's fixed-address
   * logs (fetched first): e.g. only once a factory has announced a pool. Without it both run in parallel.
   */
  readonly anyAddressWanted?: (fixedAddressLogs: readonly ChainLog[]) => boolean;
}

const compareLogs = (a: ChainLog, b: ChainLog): number =>
  a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1;

/**
 * All logs of the query in [from, to], deduplicated and in chain order. With `blockHash` (only for
 * from === to) the request names the block by hash (EIP-234), so the answer belongs to exactly that
 * block or the node fails the request: no reorg can slip a different block's logs in.
 */
export async function fetchLogs(client: PublicClient, query: LogQuery, from: bigint, to: bigint, blockHash?: Hex): Promise<ChainLog[]> {
  if (blockHash !== undefined && from !== to) throw new Error(`fetchLogs: a blockHash selects one block, but the range is ${from}-${to}; pass from === to`);
  const range = blockHash !== undefined ? { blockHash } : { fromBlock: numberToHex(from), toBlock: numberToHex(to) };
  const get = async (filter: object): Promise<ChainLog[]> => {
    // A signal of its own gives the request an HTTP request of its own: the transport batches what is asked
    // in one tick per signal, and a small header request must not wait for these logs in a shared batch.
    const own = { signal: new AbortController().signal };
    const batch = (await client.request({ method: "eth_getLogs", params: [{ ...range, ...filter }] } as never, own)) as RpcLog[];
    if (!Array.isArray(batch)) throw new Error("eth_getLogs returned a non-array result");
    return batch.map(parseRpcLog);
  };
  const fixed = query.addresses.length > 0 ? get({ address: [...query.addresses] }) : Promise.resolve([]);
  const anyTopics = query.anyAddressTopics.length > 0 ? { topics: [[...query.anyAddressTopics]] } : null;
  let batches: ChainLog[][];
  if (anyTopics === null) batches = [await fixed];
  else if (query.anyAddressWanted === undefined) batches = await Promise.all([fixed, get(anyTopics)]);
  else {
    const fixedLogs = await fixed;
    batches = query.anyAddressWanted(fixedLogs) ? [fixedLogs, await get(anyTopics)] : [fixedLogs];
  }
  // In chain order, a log served twice (by both queries, or by a sloppy provider) sits next to itself.
  const sorted = (batches.length === 1 ? batches[0] : batches.flat()).sort(compareLogs);
  const logs: ChainLog[] = [];
  for (const log of sorted) {
    const last = logs[logs.length - 1];
    if (last !== undefined && last.blockNumber === log.blockNumber && last.logIndex === log.logIndex && last.blockHash === log.blockHash) continue;
    logs.push(log);
  }
  return logs;
}

/** Canonical text of a log list, for comparing providers' answers. */
export function logsKey(logs: readonly ChainLog[]): string {
  return JSON.stringify(
    logs.map((l) => [l.blockNumber.toString(), l.blockHash, l.logIndex, l.address, l.topics, l.data, l.transactionHash, l.removed]),
  );
}

export async function fetchHeader(client: PublicClient, block: bigint | "latest" | "safe" | "finalized"): Promise<ChainHeader | null> {
  const tag = typeof block === "bigint" ? numberToHex(block) : block;
  const raw = (await client.request({ method: "eth_getBlockByNumber", params: [tag, false] } as never)) as {
    number: Hex;
    hash: Hex;
    parentHash: Hex;
    timestamp: Hex;
  } | null;
  if (raw === null) return null;
  return {
    number: hexToBigInt(raw.number),
    hash: raw.hash.toLowerCase() as Hex,
    parentHash: raw.parentHash.toLowerCase() as Hex,
    timestamp: hexToBigInt(raw.timestamp),
  };
}

export const headerKey = (h: ChainHeader | null): string => (h === null ? "null" : `${h.number}:${h.hash}:${h.parentHash}:${h.timestamp}`);

/** Raw chain data as the follower needs it: logs and headers fetched with plain JSON-RPC (types in ../types). */
import { hexToBigInt, numberToHex, type Address, type Hex, type PublicClient } from "viem";
import type { ChainHeader, ChainLog, LogQuery } from "../types";
import { postJsonRpc, type AnswerReader } from "./jsonrpc";
import { readLogsAnswer } from "./logsReader";
import type { ProviderSet } from "./providers";

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

/** A JSON-RPC quantity ("0x1a") of at most 256 bits. */
const isHexQuantity = (value: unknown): value is string => typeof value === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(value);

/** A JSON-RPC quantity ("0x1a"); a clear error for anything else (a provider bug, not chain data). */
function quantity(value: string, field: string): bigint {
  if (!isHexQuantity(value)) throw new Error(`eth_getLogs returned a log whose ${field} is not a hex quantity: ${JSON.stringify(value)}`);
  return BigInt(value);
}

/** A small JSON-RPC quantity (log and transaction indexes) as a number. */
function smallQuantity(value: string, field: string): number {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,13}$/.test(value)) throw new Error(`eth_getLogs returned a log whose ${field} is not a hex quantity below 2^52: ${JSON.stringify(value)}`);
  return parseInt(value.slice(2), 16);
}

const LOWER_HEX = /^0x[0-9a-f]*$/;
const HEX = /^0x[0-9a-fA-F]*$/;
/** Lowercase hex, checked; one scan when it is lowercase already (providers usually send it so; data can be long). */
const lowerHex = (hex: string, field: string): Hex => {
  if (typeof hex === "string" && LOWER_HEX.test(hex)) return hex as Hex;
  if (typeof hex !== "string" || !HEX.test(hex)) throw new Error(`eth_getLogs returned a log whose ${field} is not hex: ${JSON.stringify(hex)?.slice(0, 80)}`);
  return hex.toLowerCase() as Hex;
};

/**
 * Parses one raw log. `blocks` (optional) caches the parsed block number per text: a range's thousands of
 * logs share a few blocks, so each block number is converted once.
 */
export function parseRpcLog(raw: RpcLog, blocks?: Map<string, bigint>): ChainLog {
  if (raw === null || typeof raw !== "object" || !Array.isArray(raw.topics)) throw new Error(`eth_getLogs returned something that is not a log: ${JSON.stringify(raw)?.slice(0, 200)}`);
  const topics = raw.topics;
  for (let i = 0; i < topics.length; i++) topics[i] = lowerHex(topics[i], "topic");
  let blockNumber = blocks?.get(raw.blockNumber);
  if (blockNumber === undefined) {
    blockNumber = quantity(raw.blockNumber, "blockNumber");
    blocks?.set(raw.blockNumber, blockNumber);
  }
  return {
    address: lowerHex(raw.address, "address") as Address,
    topics: topics as Hex[],
    data: lowerHex(raw.data, "data"),
    blockNumber,
    blockHash: lowerHex(raw.blockHash, "blockHash"),
    logIndex: smallQuantity(raw.logIndex, "logIndex"),
    transactionHash: lowerHex(raw.transactionHash, "transactionHash"),
    transactionIndex: smallQuantity(raw.transactionIndex, "transactionIndex"),
    removed: raw.removed === true,
  };
}

/** The URL and timeout of a client whose transport is plain HTTP(S) (null: go through the client). */
function httpEndpoint(client: PublicClient): { url: string; timeout: number } | null {
  const transport = client.transport as { type?: string; url?: unknown; timeout?: unknown };
  if (transport.type !== "http" || typeof transport.url !== "string" || !/^https?:/.test(transport.url)) return null;
  return { url: transport.url, timeout: typeof transport.timeout === "number" ? transport.timeout : 10_000 };
}

/** A generic eth_getLogs result (parsed JSON) as ChainLogs; throws on anything that is not a list of logs. */
function toChainLogs(result: unknown): ChainLog[] {
  if (!Array.isArray(result)) throw new Error("eth_getLogs returned a non-array result");
  const blocks = new Map<string, bigint>();
  const logs = new Array<ChainLog>(result.length);
  for (let i = 0; i < result.length; i++) {
    logs[i] = parseRpcLog(result[i] as RpcLog, blocks);
    result[i] = undefined; // the raw log is garbage now, not at the end of the loop
  }
  return logs;
}

const logsAnswer: AnswerReader<ChainLog[]> = { fast: readLogsAnswer, convert: toChainLogs };

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
    const params = [{ ...range, ...filter }];
    // An HTTP request of its own (a small header request must not wait for these logs in a shared batch),
    // read straight from its bytes (see ./logsReader, ../rpc/jsonrpc). Other transports go through the
    // client; a signal of its own keeps the request out of the transport's batch there too.
    const endpoint = httpEndpoint(client);
    return endpoint !== null
      ? postJsonRpc(endpoint.url, "eth_getLogs", params, endpoint.timeout, logsAnswer)
      : toChainLogs(await client.request({ method: "eth_getLogs", params } as never, unbatched()));
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

/** Request options that keep a request out of the transport's batch: an HTTP request of its own. */
const unbatched = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

/**
 * The block header at `block`. `alone`: as a request of its own, so that a slow answer cannot hold up the
 * requests the transport would batch beside it (the follower's background head refresh).
 */
export async function fetchHeader(client: PublicClient, block: bigint | "latest" | "safe" | "finalized", alone = false): Promise<ChainHeader | null> {
  const tag = typeof block === "bigint" ? numberToHex(block) : block;
  const raw = (await client.request({ method: "eth_getBlockByNumber", params: [tag, false] } as never, alone ? unbatched() : undefined)) as {
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

/** The provider's latest block number, as a request of its own (see fetchHeader's `alone`). */
export async function fetchBlockNumber(client: PublicClient): Promise<bigint> {
  const hex: unknown = await client.request({ method: "eth_blockNumber" } as never, unbatched());
  if (!isHexQuantity(hex)) throw new Error(`eth_blockNumber returned ${JSON.stringify(hex)?.slice(0, 80)}, not a hex quantity`);
  return BigInt(hex);
}

export const headerKey = (h: ChainHeader | null): string => (h === null ? "null" : `${h.number}:${h.hash}:${h.parentHash}:${h.timestamp}`);

/** Block `n`'s header as every provider agrees on it (null: the chain has no such block). */
export const crossCheckHeader = (providers: ProviderSet, n: bigint): Promise<ChainHeader | null> =>
  providers.crossCheck(`block ${n}`, (c) => fetchHeader(c, n), headerKey);

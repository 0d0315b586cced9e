/**
 * A client for the aggregator's public JSON-RPC (`bls_rewards_request`, `bls_exit_liquidation_request`,
 * `bls_exit_liquidation_list`; see ./rpc.ts, which encodes the answers), checking every answer before it is
 * used. The one place that decodes them: the portal and the tasks (also for answers saved to a file) use
 * it. Runs in Node and in a browser (only `fetch`).
 */

/** The four words of a G2 signature in the contract's `BLSSignatureParams` order. */
export interface SignatureWords {
  readonly sigs0: bigint;
  readonly sigs1: bigint;
  readonly sigs2: bigint;
  readonly sigs3: bigint;
}

interface SignedCommon {
  readonly signature: SignatureWords;
  /** Ascending ids of the nodes that did not sign: the contract's last argument. */
  readonly nonSignerIds: readonly bigint[];
  /** How many nodes signed, of how many registered, at which L2 block (null in an answer saved without them). */
  readonly signers: number | null;
  readonly registered: number | null;
  readonly l2Height: bigint | null;
}

/** A signed rewards balance: submit with `updateRewardsBalance(address, amount, signature, nonSignerIds)`. */
export interface RewardsAnswer extends SignedCommon {
  /** Lower-case 0x-hex. */
  readonly address: `0x${string}`;
  /** Lifetime rewards of `address` in atomic SESH. */
  readonly amount: bigint;
  /** The network height the balance is for (null in an answer saved without it). */
  readonly networkHeight: bigint | null;
}

/** A signed exit or liquidation of one node: submit with `exitBLSPublicKeyWithSignature(pubkey, timestamp, …)`. */
export interface RemovalAnswer extends SignedCommon {
  readonly type: "exit" | "liquidate";
  readonly serviceNodeId: bigint;
  /** The node's BLS key, 64 bytes X ‖ Y (0x-hex). */
  readonly pubkey: `0x${string}`;
  readonly timestamp: bigint;
}

export interface RemovalCandidate {
  readonly serviceNodeId: bigint;
  readonly pubkey: `0x${string}`;
  readonly type: "exit" | "liquidate";
  readonly exitRequestedAt: bigint | null;
  readonly unlockAt: bigint | null;
}

/** A failure talking to the aggregator or an answer that is not what the protocol says. */
export class AggregatorError extends Error {
  override readonly name = "AggregatorError";
  constructor(
    message: string,
    /** The JSON-RPC error code when the aggregator refused the request. */
    readonly code?: number,
    /** The aggregator's own words when it refused the request. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

type Fetch = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export interface AggregatorClientOptions {
  /** Milliseconds before a request is abandoned (default 30 s: the network collects signatures). */
  readonly timeoutMs?: number;
  /** Defaults to the global fetch. */
  readonly fetch?: Fetch;
}

const HEX_WORD = /^0x[0-9a-fA-F]{1,64}$/;
const DECIMAL = /^\d+$/;

function object(where: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new AggregatorError(`${where} is not a JSON object`);
  return v as Record<string, unknown>;
}

function decimal(where: string, o: Record<string, unknown>, key: string): bigint {
  const v = o[key];
  if (typeof v !== "string" || !DECIMAL.test(v)) throw new AggregatorError(`${where}: "${key}" must be a decimal string, got ${JSON.stringify(v)}`);
  return BigInt(v);
}

/** A field the signed call does not need: null when absent, checked when present. */
function optionalDecimal(where: string, o: Record<string, unknown>, key: string): bigint | null {
  return o[key] === undefined || o[key] === null ? null : decimal(where, o, key);
}

function optionalCount(where: string, o: Record<string, unknown>, key: string): number | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw new AggregatorError(`${where}: "${key}" must be a whole number, got ${JSON.stringify(v)}`);
  return v;
}

function hex(where: string, o: Record<string, unknown>, key: string, bytes: number): `0x${string}` {
  const v = o[key];
  if (typeof v !== "string" || !new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`).test(v)) {
    throw new AggregatorError(`${where}: "${key}" must be ${bytes} bytes of 0x-hex, got ${JSON.stringify(v)}`);
  }
  return v.toLowerCase() as `0x${string}`;
}

function common(where: string, o: Record<string, unknown>): SignedCommon {
  const sig = object(`${where} signature`, o.signature);
  const words = (["sigs0", "sigs1", "sigs2", "sigs3"] as const).map((k) => {
    const w = sig[k];
    if (typeof w !== "string" || !HEX_WORD.test(w)) throw new AggregatorError(`${where}: signature.${k} must be 0x-hex, got ${JSON.stringify(w)}`);
    return BigInt(w);
  });
  const ids = o.non_signer_ids;
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== "string" || !DECIMAL.test(x))) {
    throw new AggregatorError(`${where}: "non_signer_ids" must be a list of decimal strings`);
  }
  const nonSignerIds = (ids as string[]).map((x) => BigInt(x));
  for (let i = 1; i < nonSignerIds.length; i++) {
    if (nonSignerIds[i] <= nonSignerIds[i - 1]) throw new AggregatorError(`${where}: "non_signer_ids" must be strictly ascending`);
  }
  return {
    signature: { sigs0: words[0], sigs1: words[1], sigs2: words[2], sigs3: words[3] },
    nonSignerIds,
    signers: optionalCount(where, o, "signers"),
    registered: optionalCount(where, o, "registered"),
    l2Height: optionalDecimal(where, o, "l2_height"),
  };
}

/** Checks a `bls_rewards_request` answer (as fetched or saved). */
export function parseRewardsAnswer(value: unknown, where = "the aggregator's rewards answer"): RewardsAnswer {
  const o = object(where, value);
  return { address: hex(where, o, "address", 20), amount: decimal(where, o, "amount"), networkHeight: optionalDecimal(where, o, "network_height"), ...common(where, o) };
}

/** Checks a `bls_exit_liquidation_request` answer. */
export function parseRemovalAnswer(value: unknown, where = "the aggregator's exit answer"): RemovalAnswer {
  const o = object(where, value);
  if (o.type !== "exit" && o.type !== "liquidate") throw new AggregatorError(`${where}: "type" must be "exit" or "liquidate", got ${JSON.stringify(o.type)}`);
  return {
    type: o.type,
    serviceNodeId: decimal(where, o, "service_node_id"),
    pubkey: hex(where, o, "pubkey", 64),
    timestamp: decimal(where, o, "timestamp"),
    ...common(where, o),
  };
}

/** Checks a `bls_exit_liquidation_list` answer. */
export function parseRemovalList(value: unknown, where = "the aggregator's removal list"): RemovalCandidate[] {
  if (!Array.isArray(value)) throw new AggregatorError(`${where} is not a list`);
  return value.map((item, i) => {
    const at = `${where} entry ${i}`;
    const o = object(at, item);
    if (o.type !== "exit" && o.type !== "liquidate") throw new AggregatorError(`${at}: "type" must be "exit" or "liquidate"`);
    return {
      serviceNodeId: decimal(at, o, "service_node_id"),
      pubkey: hex(at, o, "pubkey", 64),
      type: o.type,
      exitRequestedAt: optionalDecimal(at, o, "exit_requested_at"),
      unlockAt: optionalDecimal(at, o, "unlock_at"),
    };
  });
}

export interface AggregatorClient {
  readonly url: string;
  /** The network's signature over `address`'s lifetime rewards. */
  rewards(address: string): Promise<RewardsAnswer>;
  /** The network's signature removing the node with BLS key `pubkey` (64-byte hex): an exit, or a liquidation. */
  removal(pubkey: string, liquidate: boolean): Promise<RemovalAnswer>;
  /** Nodes the network would sign an exit or liquidation for now. */
  removals(): Promise<RemovalCandidate[]>;
  /** Any method, unchecked. */
  call(method: string, params: unknown): Promise<unknown>;
}

export function aggregatorClient(url: string, options: AggregatorClientOptions = {}): AggregatorClient {
  // Called through globalThis: a browser's fetch throws "Illegal invocation" when detached from window.
  const doFetch: Fetch = options.fetch ?? ((input, init) => (globalThis.fetch as unknown as Fetch)(input, init));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let nextId = 1;
  async function call(method: string, params: unknown): Promise<unknown> {
    let response: Awaited<ReturnType<Fetch>>;
    try {
      response = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
      throw new AggregatorError(`the aggregator at ${url} did not answer ${method}: ${(error as Error).message}${code}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new AggregatorError(`the aggregator at ${url} answered ${method} with HTTP ${response.status} and no JSON`);
    }
    const o = object(`the aggregator's answer to ${method}`, body);
    if (o.error !== undefined && o.error !== null) {
      const e = object(`the aggregator's error for ${method}`, o.error);
      const reason = String(e.message ?? "no reason given");
      throw new AggregatorError(`the aggregator refused ${method}: ${reason}`, typeof e.code === "number" ? e.code : undefined, reason);
    }
    if (!("result" in o)) throw new AggregatorError(`the aggregator's answer to ${method} has neither result nor error`);
    return o.result;
  }
  return {
    url,
    call,
    rewards: async (address) => parseRewardsAnswer(await call("bls_rewards_request", { address })),
    removal: async (pubkey, liquidate) => parseRemovalAnswer(await call("bls_exit_liquidation_request", { pubkey, liquidate })),
    removals: async () => parseRemovalList(await call("bls_exit_liquidation_list", {})),
  };
}

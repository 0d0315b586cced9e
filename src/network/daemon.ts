/**
 * The network daemon behind `npm run network` and the `network` Hardhat task: N simulated signing nodes
 * (keys derived from a seed, each on its own HTTP endpoint) and the aggregator's JSON-RPC, reading the
 * chain through the tracker's API or straight from an RPC. With `processes > 1` the nodes are split across
 * child processes (src/network/worker.ts), each with its own view and ledger; the aggregator stays here.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http, type Address, type PublicClient } from "viem";
import { publicKeyToHex, type Hex, type SigningDomain } from "../bls";
import { readAddressBook, addressBookPath } from "../../deploy/addressBook";
import { registryAbi } from "./abi";
import { boundedCache } from "./cache";
import { movingClock, systemClock, type NetworkClock } from "./clock";
import { createAggregator } from "./aggregator/aggregator";
import { serveAggregator } from "./aggregator/rpc";
import type { NetworkConfig } from "./config";
import { deriveNodeKey } from "./keys";
import { openLedger, type Ledger } from "./ledger/ledger";
import { applySnapshot, networkHeightAt } from "./ledger/sync";
import { httpClient, type NodeClient } from "./node/client";
import { createSimulation, type Behaviour, type Simulation } from "./simulation";
import type { NetworkSnapshot, ViewNode } from "./view";
import { createContractView } from "./views/contract";
import { cachedView, type CachedView } from "./views/memory";
import { createTrackerApiView } from "./views/tracker";

export class NetworkStartError extends Error {}

export interface RunningNode {
  readonly index: number;
  readonly url: string;
  readonly publicKey: Hex;
  readonly behaviour: Behaviour;
  /** 0: this process; k ≥ 1: child process k. */
  readonly process: number;
}

export interface RunningNetwork {
  readonly aggregatorUrl: string;
  readonly nodes: readonly RunningNode[];
  readonly registry: Address;
  readonly chainId: bigint;
  /** Where the chain state comes from (for the status line). */
  readonly source: string;
  readonly ledgerDir: string;
  close(): Promise<void>;
}

/** What a child process needs to run its share of the nodes (JSON over IPC). */
export interface WorkerStart {
  readonly type: "start";
  readonly config: Record<string, unknown>;
  readonly indices: readonly number[];
  readonly registry: Address;
  readonly chainId: string;
  readonly startHeight: string;
  readonly ledgerPath: string;
}

export type WorkerMessage = { type: "ready"; nodes: { index: number; url: string }[] } | { type: "error"; message: string };

export function configToJson(config: NetworkConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}

export function configFromJson(json: Record<string, unknown>): NetworkConfig {
  const c = json as unknown as NetworkConfig & { minActiveSeconds: string; unlockSeconds: string; maxMirrorAgeSeconds: string; deregistered: string[] };
  return {
    ...c,
    minActiveSeconds: BigInt(c.minActiveSeconds),
    unlockSeconds: BigInt(c.unlockSeconds),
    maxMirrorAgeSeconds: BigInt(c.maxMirrorAgeSeconds),
    deregistered: c.deregistered.map((d) => BigInt(d)),
  };
}

export function behaviourOf(config: NetworkConfig, index: number): Behaviour {
  if (config.offline.includes(index)) return "offline";
  if (config.slow.includes(index)) return "slow";
  if (config.badSignature.includes(index)) return "bad-signature";
  if (config.garbage.includes(index)) return "garbage";
  return "honest";
}

export function rpcClient(url: string): PublicClient {
  return createPublicClient({ transport: http(url, { timeout: 10_000, retryCount: 1 }) }) as PublicClient;
}

const NON_SIGNER_MAX_TTL_MS = 30_000;
/** How fresh the state a request is answered from must be: concurrent requests within this share one read. */
export const REQUEST_FRESH_MS = 250;

/** The chain state source (tracker API or the registry's logs), cached for 1 s and shared by this process's nodes. */
export function openView(config: NetworkConfig, client: PublicClient, registry: Address, fromBlock?: bigint): CachedView {
  if (config.trackerUrl === null) return cachedView(createContractView({ client, registry, fromBlock }), 1_000);
  const times = boundedCache<bigint, Promise<bigint>>(4096);
  const blockTimestamp = (block: bigint): Promise<bigint> => {
    let t = times.get(block);
    if (t === undefined) {
      t = client.getBlock({ blockNumber: block }).then((b) => b.timestamp);
      times.set(block, t);
      t.catch(() => times.delete(block));
    }
    return t;
  };
  // The registry's cap changes only by an owner call: re-read at most every 30 s, not per snapshot.
  let cap: { at: number; value: Promise<bigint> } | null = null;
  const nonSignerMax = (): Promise<bigint> => {
    if (cap === null || Date.now() - cap.at > NON_SIGNER_MAX_TTL_MS) {
      const value = client.readContract({ address: registry, abi: registryAbi, functionName: "blsNonSignerThresholdMax" });
      const entry = { at: Date.now(), value };
      cap = entry;
      value.catch(() => {
        if (cap === entry) cap = null;
      });
    }
    return cap.value;
  };
  // The mirror does not record the chain and registry: the domain its registrations' Ed25519 signatures are checked in.
  const domain = async (): Promise<SigningDomain> => ({ chainId: BigInt(await client.getChainId()), contract: registry });
  return cachedView(createTrackerApiView({ url: config.trackerUrl, blockTimestamp, nonSignerMax, domain }), 1_000);
}

/** The process's one clock (shared by its nodes and the aggregator): see src/network/clock.ts. */
export function clockOf(config: Pick<NetworkConfig, "clock">, client: Pick<PublicClient, "getBlock">): NetworkClock {
  if (config.clock === "system") return systemClock();
  return movingClock(async () => {
    const [block, pending] = await Promise.all([client.getBlock({ blockTag: "latest" }), client.getBlock({ blockTag: "pending" }).catch(() => null)]);
    return { number: block.number, timestamp: block.timestamp, next: pending?.timestamp ?? null };
  });
}

/**
 * Keeps one ledger at the view's height: on a timer, and before a node answers `get_rewards` for a height
 * it has not applied — unless that height is beyond the network's current one by the clock (the service
 * refuses it without reading any state: a height of 10^70 costs nothing).
 */
export function ledgerFollower(ledger: Ledger, view: CachedView, startHeight: bigint, syncMs: number, onError: (e: Error) => void, clock: NetworkClock) {
  const syncOnce = async (fresh: boolean): Promise<NetworkSnapshot> => {
    const snapshot = await (fresh ? view.fresh(REQUEST_FRESH_MS) : view.snapshot());
    applySnapshot(ledger, snapshot, startHeight);
    return snapshot;
  };
  const timer = setInterval(() => void syncOnce(true).catch(onError), syncMs);
  return {
    /** The view's snapshot, with the ledger brought up to it first. */
    snapshot: () => syncOnce(false),
    async beforeRequest(_index: number, method: string, params: unknown): Promise<void> {
      if (method !== "get_rewards") return;
      const raw = (params as { height?: unknown } | null)?.height;
      if (typeof raw !== "string" && typeof raw !== "number") return;
      let height: bigint;
      try {
        height = BigInt(raw);
      } catch {
        return; // the service rejects it with a clear error
      }
      if ((ledger.lastHeight() ?? -1n) >= height) return;
      if (height > networkHeightAt(await clock()) + 1n) return; // refused by the service
      await syncOnce(true);
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * How far the chain state a node signs from may trail the chain: the latest block (as the clock last read
 * it) minus the snapshot's block time. A tracker whose mirror stalls (a chain it cannot follow, a dispute)
 * keeps serving its last state; past the bound every node refuses to sign, naming the gap. 0: no bound.
 * Without a chain head (`--clock system`) there is nothing to compare with and nothing is refused.
 */
export function mirrorStaleness(clock: NetworkClock, maxAgeSeconds: bigint): (snapshot: NetworkSnapshot) => Promise<string | null> {
  return async (snapshot) => {
    if (maxAgeSeconds === 0n) return null;
    await clock();
    const head = clock.head();
    if (head === null) return null;
    const age = head.timestamp - snapshot.timestamp;
    if (age <= maxAgeSeconds) return null;
    return (
      `the chain state this node reads is ${age} s behind the chain (state at block ${snapshot.height}, chain at block ${head.number}); ` +
      `it signs nothing from state more than ${maxAgeSeconds} s old: is the tracker stalled? (see its /status)`
    );
  };
}

/**
 * The snapshot an aggregator request starts from: at most {@link REQUEST_FRESH_MS} old (concurrent requests
 * share one read; the tracker answers an unchanged mirror with 304), and — when this process also runs
 * nodes — with their ledger brought up to it (`groupSnapshot`).
 */
export function requestSnapshot(view: CachedView, groupSnapshot?: () => Promise<NetworkSnapshot>): () => Promise<NetworkSnapshot> {
  return async () => {
    const snapshot = await view.fresh(REQUEST_FRESH_MS);
    return groupSnapshot === undefined ? snapshot : groupSnapshot();
  };
}

/** Runs the nodes `indices` of the network in this process (HTTP endpoints). */
export async function startNodeGroup(options: {
  config: NetworkConfig;
  indices: readonly number[];
  domain: SigningDomain;
  client: PublicClient;
  view: CachedView;
  ledger: Ledger;
  startHeight: bigint;
  onError: (e: Error) => void;
  clock: NetworkClock;
}): Promise<{ sim: Simulation; snapshot: () => Promise<NetworkSnapshot>; close(): Promise<void> }> {
  const { config, indices } = options;
  const follower = ledgerFollower(options.ledger, options.view, options.startHeight, config.syncMs, options.onError, options.clock);
  const behaviours: Record<number, Behaviour> = {};
  indices.forEach((global, local) => (behaviours[local] = behaviourOf(config, global)));
  const deregistered = new Set(config.deregistered);
  let sim: Simulation;
  try {
    sim = await createSimulation({
      domain: options.domain,
      snapshot: follower.snapshot,
      ledger: options.ledger,
      secretKeys: indices.map((i) => deriveNodeKey(config.seed, i).blsSecretKey),
      transport: "http",
      host: config.host,
      nodePort: (local) => (config.nodePortBase === null ? undefined : config.nodePortBase + indices[local]),
      labelOf: (local) => `node ${indices[local]}`,
      beforeRequest: follower.beforeRequest,
      behaviours,
      slowMs: config.slowMs,
      clock: options.clock,
      staleness: mirrorStaleness(options.clock, config.maxMirrorAgeSeconds),
      unlockSeconds: config.unlockSeconds,
      deregistered,
      aggregator: { timeoutMs: config.timeoutMs },
    });
  } catch (error) {
    follower.stop();
    throw error;
  }
  return {
    sim,
    snapshot: follower.snapshot,
    async close() {
      follower.stop();
      await sim.close();
    },
  };
}

async function resolveRegistry(config: NetworkConfig, chainId: bigint): Promise<{ registry: Address; fromBlock?: bigint; from: string }> {
  if (config.rewards !== null) return { registry: config.rewards, from: "--rewards" };
  const file = addressBookPath(config.addressBook);
  const book = readAddressBook(config.addressBook);
  if (book === undefined) throw new NetworkStartError(`no address book at ${file}: deploy first (npx hardhat deploy --network ${config.addressBook}) or pass --rewards ADDRESS`);
  if (BigInt(book.chainId) !== chainId) {
    throw new NetworkStartError(`address book ${file} is for chain id ${book.chainId}, but --rpc serves chain id ${chainId}: point --rpc at the right chain, or pass --address-book / --rewards`);
  }
  const record = book.contracts.ServiceNodeRewards;
  if (record === undefined) throw new NetworkStartError(`address book ${file} has no ServiceNodeRewards: deploy it, or pass --rewards ADDRESS`);
  return { registry: record.address.toLowerCase() as Address, fromBlock: BigInt(record.blockNumber), from: file };
}

/** Connects to --rpc and finds the registry; every failure says what to change. */
export async function connect(config: Pick<NetworkConfig, "rpcUrl" | "rewards" | "addressBook">): Promise<{ client: PublicClient; chainId: bigint; registry: Address; fromBlock?: bigint; from: string }> {
  const client = rpcClient(config.rpcUrl);
  let chainId: bigint;
  try {
    chainId = BigInt(await client.getChainId());
  } catch (error) {
    throw new NetworkStartError(`cannot reach the chain at --rpc ${config.rpcUrl} (${(error as Error).message.split("\n")[0]}): start a node (npm start, or npx hardhat node) or pass the right --rpc`);
  }
  const found = await resolveRegistry(config as NetworkConfig, chainId);
  const code = await client.getCode({ address: found.registry });
  if (code === undefined || code === "0x") {
    throw new NetworkStartError(`there is no contract at ServiceNodeRewards ${found.registry} (from ${found.from}) on chain ${chainId}: was the chain restarted? deploy again or fix --rewards`);
  }
  return { client, chainId, ...found };
}

async function firstSnapshot(view: CachedView, config: NetworkConfig, log: (line: string) => void): Promise<NetworkSnapshot> {
  const deadline = Date.now() + 60_000;
  let last: Error | undefined;
  let said = false;
  while (Date.now() < deadline) {
    try {
      view.invalidate();
      return await view.snapshot();
    } catch (error) {
      last = error as Error;
      if (!said) log(`waiting for the chain state (${last.message})…`);
      said = true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const where = config.trackerUrl === null ? `the registry's logs at --rpc ${config.rpcUrl}` : `the tracker at --tracker ${config.trackerUrl}`;
  throw new NetworkStartError(`could not read the chain state from ${where} within 60 s: ${last?.message}`);
}

interface Worker {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly output: string[];
}

function startWorker(start: WorkerStart, timeoutMs: number): Promise<{ worker: Worker; nodes: { index: number; url: string }[] }> {
  const ts = __filename.endsWith(".ts");
  const entry = path.join(__dirname, ts ? "worker.ts" : "worker.js");
  const child = fork(entry, [], { execArgv: ts ? ["-r", "ts-node/register/transpile-only"] : [], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    output.push(...chunk.toString().split("\n").filter((l) => l.trim() !== ""));
    output.splice(0, Math.max(0, output.length - 20));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const worker = { child, exited, output };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${timeoutMs / 1000} s`), timeoutMs);
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new NetworkStartError(`worker for nodes ${start.indices[0]}…${start.indices.at(-1)} ${why}${output.length ? `:\n  ${output.join("\n  ")}` : ""}`));
    };
    const early = (code: number | null): void => fail(`exited (code ${code}) before it was ready`);
    child.once("exit", early);
    child.on("message", (message: WorkerMessage) => {
      if (message.type === "error") return fail(`failed: ${message.message}`);
      clearTimeout(timer);
      child.off("exit", early);
      resolve({ worker, nodes: message.nodes });
    });
    child.send(start);
  });
}

async function stopWorker(worker: Worker): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGTERM");
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), 5_000);
  await worker.exited;
  clearTimeout(timer);
}

/** Starts the network; resolves once every node and the aggregator listen. */
export async function startNetwork(config: NetworkConfig, log: (line: string) => void = () => {}): Promise<RunningNetwork> {
  const { client, chainId, registry, fromBlock } = await connect(config);
  const domain: SigningDomain = { chainId, contract: registry };
  const view = openView(config, client, registry, fromBlock);
  const first = await firstSnapshot(view, config, log);
  const startHeight = networkHeightAt(first.timestamp);
  const ownsLedgerDir = config.ledgerDir === null;
  const ledgerDir = config.ledgerDir ?? mkdtempSync(path.join(tmpdir(), "session-network-"));
  mkdirSync(ledgerDir, { recursive: true });
  const ledgerConfig = { minActiveSeconds: config.minActiveSeconds, unlockSeconds: config.unlockSeconds };
  const onError = (e: Error): void => log(`ledger sync failed: ${e.message}`);
  const clock = clockOf(config, client);
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((e: Error) => log(`stopping: ${e.message}`));
    closers.length = 0;
    if (ownsLedgerDir) rmSync(ledgerDir, { recursive: true, force: true });
  };

  try {
    const all = Array.from({ length: config.nodes }, (_, i) => i);
    const nodes: RunningNode[] = [];
    const clients: NodeClient[] = [];
    let snapshot: () => Promise<NetworkSnapshot>;
    if (config.processes === 1) {
      const ledger = openLedger({ path: path.join(ledgerDir, "ledger-0.db"), config: ledgerConfig });
      closers.push(async () => ledger.close());
      const group = await startNodeGroup({ config, indices: all, domain, client, view, ledger, startHeight, onError, clock });
      closers.push(() => group.close());
      for (const n of group.sim.nodes) {
        clients.push(n.client);
        nodes.push({ index: n.index, url: n.url!, publicKey: publicKeyToHex(n.publicKey), behaviour: n.behaviour, process: 0 });
      }
      // A request starts from a snapshot at most REQUEST_FRESH_MS old (which the nodes then share through the cache), the ledger brought up to it.
      snapshot = requestSnapshot(view, group.snapshot);
    } else {
      const share = Math.ceil(config.nodes / config.processes);
      const groups = Array.from({ length: config.processes }, (_, k) => all.slice(k * share, (k + 1) * share)).filter((g) => g.length > 0);
      const started = await Promise.allSettled(
        groups.map((indices, k) =>
          startWorker(
            { type: "start", config: configToJson(config), indices, registry, chainId: chainId.toString(), startHeight: startHeight.toString(), ledgerPath: path.join(ledgerDir, `ledger-${k + 1}.db`) },
            180_000,
          ),
        ),
      );
      for (const s of started) if (s.status === "fulfilled") closers.push(() => stopWorker(s.value.worker));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      started.forEach((s, k) => {
        for (const n of (s as PromiseFulfilledResult<{ nodes: { index: number; url: string }[] }>).value.nodes) {
          const pk = deriveNodeKey(config.seed, n.index).blsPublicKey;
          clients.push(httpClient(n.url, pk, `node ${n.index}`));
          nodes.push({ index: n.index, url: n.url, publicKey: publicKeyToHex(pk), behaviour: behaviourOf(config, n.index), process: k + 1 });
        }
      });
      snapshot = requestSnapshot(view);
    }
    const aggregator = createAggregator({
      domain,
      nodes: clients,
      snapshot,
      timeoutMs: config.timeoutMs,
      clock,
      unlockSeconds: config.unlockSeconds,
      isServing: (node: ViewNode) => !config.deregistered.includes(node.id),
    });
    const limits = config.rateLimit === 0 ? undefined : { ratePerSecond: config.rateLimit, burst: 2 * config.rateLimit, maxInFlight: config.maxInFlight };
    const aggregatorServer = await serveAggregator(aggregator, config.port, config.host, { limits });
    closers.push(() => aggregatorServer.close());
    let closed: Promise<void> | null = null;
    return {
      aggregatorUrl: aggregatorServer.url,
      nodes,
      registry,
      chainId,
      source: config.trackerUrl === null ? `registry logs via ${config.rpcUrl}` : `tracker ${config.trackerUrl} (block times via ${config.rpcUrl})`,
      ledgerDir,
      close: () => (closed ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    const e = error as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE") throw new NetworkStartError(`port ${config.port} on ${config.host} is in use: pass another --port (or 0 for any free port)`);
    throw error;
  }
}

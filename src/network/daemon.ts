/**
 * The network daemon behind `npm run network` and the `network` Hardhat task: N simulated signing nodes
 * (keys derived from a seed, each on its own HTTP endpoint) and the aggregator's JSON-RPC, reading the
 * chain through the tracker's API or straight from an RPC. With `processes > 1` the nodes are split across
 * child processes (src/network/worker.ts), each with its own view and ledger; the aggregator stays here.
 */
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
import type { NodeClient } from "./node/client";
import { rpcCall } from "./rpc";
import { startWorker, stopWorker, superviseWorker, WorkerStartError, type RunningWorker, type WorkerHealth, type WorkerStart, type WorkerSupervisor } from "./supervisor";

export type { WorkerMessage, WorkerStart } from "./supervisor";
import { createMetrics, type Metrics } from "../tracker/metrics";
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
  /** Workers up/down, restarts, last exit reasons, the chain state's lag: what GET /status on the aggregator's port answers. */
  health(): Promise<NetworkHealth>;
  close(): Promise<void>;
}

/** The daemon's health (`GET /status`, HTTP 200 when ready, 503 otherwise). */
export interface NetworkHealth {
  /**
   * ready: every node process up and the chain state within the bound; degraded: a worker is down and being
   * restarted; failed: a worker crash-looped and stays down; stale: the chain state is too far behind the
   * chain (or cannot be read), so the nodes refuse to sign.
   */
  readonly status: "ready" | "degraded" | "failed" | "stale";
  readonly processes: number;
  readonly workersUp: number;
  readonly workersDown: number;
  /** Restarts of all workers since the daemon started. */
  readonly restarts: number;
  /** One entry per worker process (empty with --processes 1: the nodes run in the daemon itself). */
  readonly workers: readonly WorkerHealth[];
  /** The chain state the aggregator reads against the chain's head (decimal strings), or why it cannot be read. */
  readonly mirror: {
    readonly height: string | null;
    readonly chainHead: string | null;
    readonly lagBlocks: string | null;
    readonly maxLagBlocks: string;
    readonly unchangedSeconds: number | null;
    /** Why the nodes refuse to sign from it (null: they do not). */
    readonly refusal: string | null;
  };
}

export function networkHealth(processes: number, workers: readonly WorkerHealth[], mirror: NetworkHealth["mirror"]): NetworkHealth {
  const up = workers.filter((w) => w.state === "up").length;
  const status = workers.some((w) => w.state === "failed") ? "failed" : up !== workers.length ? "degraded" : mirror.refusal !== null ? "stale" : "ready";
  return { status, processes, workersUp: up, workersDown: workers.length - up, restarts: workers.reduce((sum, w) => sum + w.restarts, 0), workers, mirror };
}

/** The mirror part of the health, from the aggregator's view (never throws). */
async function mirrorHealth(view: CachedView, lagOf: (snapshot: NetworkSnapshot) => Promise<MirrorLag>, maxLagBlocks: bigint): Promise<NetworkHealth["mirror"]> {
  try {
    const lag = await lagOf(await view.snapshot());
    return {
      height: lag.height.toString(),
      chainHead: lag.chainHead?.toString() ?? null,
      lagBlocks: lag.lagBlocks?.toString() ?? null,
      maxLagBlocks: lag.maxLagBlocks.toString(),
      unchangedSeconds: lag.unchangedSeconds,
      refusal: lag.refusal,
    };
  } catch (error) {
    return { height: null, chainHead: null, lagBlocks: null, maxLagBlocks: maxLagBlocks.toString(), unchangedSeconds: null, refusal: `the chain state cannot be read: ${(error as Error).message}` };
  }
}

/** The daemon's metrics in Prometheus text format, the worker gauges read from `health` at scrape time. */
function renderMetrics(metrics: Metrics, health: NetworkHealth): string {
  metrics.set("network_ready", "1 when every node process is up and the chain state within the bound (GET /status says ready)", health.status === "ready" ? 1 : 0);
  if (health.mirror.lagBlocks !== null) metrics.set("network_mirror_lag_blocks", "blocks the chain state trails the chain's latest block", Number(health.mirror.lagBlocks));
  metrics.set("network_mirror_stale", "1 when the nodes refuse to sign because the chain state is too far behind (or unreadable)", health.mirror.refusal === null ? 0 : 1);
  metrics.set("network_workers", "worker processes the nodes are split across (0: all in the daemon)", health.workers.length);
  metrics.set("network_workers_up", "worker processes up", health.workersUp);
  metrics.set("network_workers_failed", "worker processes that crash-looped past the restart cap and stay down", health.workers.filter((w) => w.state === "failed").length);
  for (const w of health.workers) metrics.set("network_worker_up", "1 when this worker process is up", w.state === "up" ? 1 : 0, { process: String(w.process) });
  return metrics.render();
}


export function configToJson(config: NetworkConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}

export function configFromJson(json: Record<string, unknown>): NetworkConfig {
  const c = json as unknown as NetworkConfig & { minActiveSeconds: string; unlockSeconds: string; maxMirrorLagBlocks: string | null; deregistered: string[] };
  return {
    ...c,
    minActiveSeconds: BigInt(c.minActiveSeconds),
    unlockSeconds: BigInt(c.unlockSeconds),
    maxMirrorLagBlocks: c.maxMirrorLagBlocks === null ? null : BigInt(c.maxMirrorLagBlocks),
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
/** How long a worker process may take to report its nodes listening (ts-node compiles on a loaded machine). */
const WORKER_START_TIMEOUT_MS = 180_000;
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

/** How far behind the chain's head a mirror may be, by default, on Arbitrum-like chains (~4 blocks/s: 5 min). */
export const DEFAULT_MAX_MIRROR_LAG_BLOCKS = 1_200n;
/** The same on a local Hardhat chain (chain id 31337 or 1337; the devnet mines a block a second: 2 min). */
export const DEVNET_MAX_MIRROR_LAG_BLOCKS = 120n;

/** `--max-mirror-lag-blocks`: the configured bound, or (auto) the default for the chain. 0n: no bound. */
export function maxMirrorLagBlocks(config: Pick<NetworkConfig, "maxMirrorLagBlocks">, chainId: bigint): bigint {
  if (config.maxMirrorLagBlocks !== null) return config.maxMirrorLagBlocks;
  return chainId === 31337n || chainId === 1337n ? DEVNET_MAX_MIRROR_LAG_BLOCKS : DEFAULT_MAX_MIRROR_LAG_BLOCKS;
}

/** Where the chain state stands against the chain's head (null lag: no head to compare with, `--clock system`). */
export interface MirrorLag {
  readonly height: bigint;
  readonly chainHead: bigint | null;
  readonly lagBlocks: bigint | null;
  readonly maxLagBlocks: bigint;
  /** Wall-clock seconds since the state last moved to a new block (as this process saw it). */
  readonly unchangedSeconds: number;
  /** Why it is too far behind to sign from, or null. */
  readonly refusal: string | null;
}

/**
 * How far the chain state a node signs from trails the chain, in BLOCKS: the latest block (as the clock
 * last read it) minus the snapshot's block. Blocks, not seconds: a devnet that moves its clock
 * (evm_increaseTime, devnet:time) mines one block, and a chain with no traffic makes none, so neither looks
 * behind; a tracker whose mirror stalls (a chain it cannot follow, a dispute, a dead follower) while the
 * chain moves on falls behind block by block. Past `maxLagBlocks` every node refuses to sign, saying how far
 * behind and for how long the state has not moved. 0: no bound. Without a chain head (`--clock system`)
 * there is nothing to compare with and nothing is refused.
 */
export function mirrorLagOf(clock: NetworkClock, maxLagBlocks: bigint, wallMs: () => number = Date.now): (snapshot: NetworkSnapshot) => Promise<MirrorLag> {
  let seen: { height: bigint; sinceMs: number } | null = null;
  return async (snapshot) => {
    if (seen === null || snapshot.height !== seen.height) seen = { height: snapshot.height, sinceMs: wallMs() };
    const unchangedSeconds = Math.max(0, Math.round((wallMs() - seen.sinceMs) / 1000));
    if (maxLagBlocks !== 0n) await clock();
    const head = clock.head();
    const lag = head === null ? null : head.number > snapshot.height ? head.number - snapshot.height : 0n;
    const refusal =
      maxLagBlocks === 0n || lag === null || lag <= maxLagBlocks
        ? null
        : `the chain state this node signs from is ${lag} blocks behind the chain (state at block ${snapshot.height}, chain head at block ${head!.number}; ` +
          `it has not moved for ${unchangedSeconds} s here), more than the ${maxLagBlocks} blocks (--max-mirror-lag-blocks) it signs from: ` +
          `signing from it could contradict the chain. Is the tracker stalled or behind? (see its /status); signing resumes once it catches up`;
    return { height: snapshot.height, chainHead: head?.number ?? null, lagBlocks: lag, maxLagBlocks, unchangedSeconds, refusal };
  };
}

/** The refusal of {@link mirrorLagOf} alone, as a node service's `staleness` check. */
export function mirrorStaleness(clock: NetworkClock, maxLagBlocks: bigint, wallMs?: () => number): (snapshot: NetworkSnapshot) => Promise<string | null> {
  const lagOf = mirrorLagOf(clock, maxLagBlocks, wallMs);
  return async (snapshot) => (await lagOf(snapshot)).refusal;
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
  /** Node index → port to listen on (a restarted worker's previous ports); ignored with --node-port-base. */
  ports?: Readonly<Record<string, number>>;
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
      nodePort: (local) => (config.nodePortBase === null ? options.ports?.[String(indices[local])] : config.nodePortBase + indices[local]),
      labelOf: (local) => `node ${indices[local]}`,
      beforeRequest: follower.beforeRequest,
      behaviours,
      slowMs: config.slowMs,
      clock: options.clock,
      staleness: mirrorStaleness(options.clock, maxMirrorLagBlocks(config, options.domain.chainId)),
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
  const supervisors: WorkerSupervisor[] = [];
  const metrics = createMetrics();
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
      const starts: WorkerStart[] = groups.map((indices, k) => ({
        type: "start",
        config: configToJson(config),
        indices,
        registry,
        chainId: chainId.toString(),
        startHeight: startHeight.toString(),
        ledgerPath: path.join(ledgerDir, `ledger-${k + 1}.db`),
      }));
      const started = await Promise.allSettled(starts.map((start) => startWorker(start, WORKER_START_TIMEOUT_MS)));
      for (const s of started) if (s.status === "fulfilled") closers.push(() => stopWorker(s.value.worker));
      const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
      if (failed !== undefined) throw failed.reason instanceof WorkerStartError ? new NetworkStartError(failed.reason.message) : failed.reason;
      // From here the supervisors own the workers (and stop them on close).
      closers.length = 0;
      closers.push(async () => {
        await Promise.all(supervisors.map((s) => s.stop()));
      });
      const urls = new Map<number, string>();
      const hooks = {
        log,
        onNodes: (moved: readonly { index: number; url: string }[]) => moved.forEach((n) => urls.set(n.index, n.url)),
        onChange: (worker: WorkerHealth, event: "down" | "up" | "failed" | "restarting") => {
          if (event === "down") metrics.inc("network_worker_exits_total", "worker processes that went down while the network ran", { process: String(worker.process) });
          if (event === "restarting") metrics.inc("network_worker_restarts_total", "worker process restarts attempted", { process: String(worker.process) });
        },
      };
      const supervision = { maxRestarts: config.maxRestarts, restartWindowMs: config.restartWindowSeconds * 1000, startTimeoutMs: WORKER_START_TIMEOUT_MS };
      started.forEach((s, k) => {
        const first = (s as PromiseFulfilledResult<{ worker: RunningWorker; nodes: { index: number; url: string }[] }>).value;
        supervisors.push(superviseWorker(k + 1, starts[k], first, supervision, hooks));
        for (const n of first.nodes) {
          urls.set(n.index, n.url);
          const pk = deriveNodeKey(config.seed, n.index).blsPublicKey;
          const index = n.index;
          // The node's current URL: a restarted worker may have had to take other ports.
          clients.push({ label: `node ${index}`, publicKey: pk, call: (method, params, signal) => rpcCall(urls.get(index)!, method, params, signal) });
          nodes.push({
            index,
            get url() {
              return urls.get(index)!;
            },
            publicKey: publicKeyToHex(pk),
            behaviour: behaviourOf(config, index),
            process: k + 1,
          });
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
    const maxLag = maxMirrorLagBlocks(config, chainId);
    const lagOf = mirrorLagOf(clock, maxLag);
    const health = async (): Promise<NetworkHealth> => networkHealth(config.processes, supervisors.map((s) => s.health()), await mirrorHealth(view, lagOf, maxLag));
    const aggregatorServer = await serveAggregator(aggregator, config.port, config.host, {
      limits,
      routes: {
        "/status": async () => {
          const h = await health();
          return { contentType: "application/json", body: JSON.stringify(h, null, 2), status: h.status === "ready" ? 200 : 503 };
        },
        "/metrics": async () => ({ contentType: "text/plain; version=0.0.4", body: renderMetrics(metrics, await health()) }),
      },
      onRequest: (outcome) => metrics.inc("network_rpc_requests_total", "aggregator JSON-RPC requests answered, by outcome (ok or the error kind)", { outcome }),
    });
    closers.push(() => aggregatorServer.close());
    let closed: Promise<void> | null = null;
    return {
      aggregatorUrl: aggregatorServer.url,
      nodes,
      registry,
      chainId,
      source: config.trackerUrl === null ? `registry logs via ${config.rpcUrl}` : `tracker ${config.trackerUrl} (block times via ${config.rpcUrl})`,
      ledgerDir,
      health,
      close: () => (closed ??= closeAll()),
    };
  } catch (error) {
    await closeAll();
    const e = error as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE") throw new NetworkStartError(`port ${config.port} on ${config.host} is in use: pass another --port (or 0 for any free port)`);
    throw error;
  }
}

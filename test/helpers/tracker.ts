/**
 * Test harness for the tracker: a real `hardhat node` child process, the test-only event emitter,
 * a deterministic event scenario, a misbehaving JSON-RPC proxy, and clean-replay helpers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  encodeEventTopics,
  http,
  keccak256,
  parseAbi,
  toHex,
  type Abi,
  type AbiEvent,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { publicKey } from "../../src/bls";
import type { TrackerConfig } from "../../src/tracker/config";
import { canonicalDump } from "../../src/tracker/state/dump";
import { silentLogger } from "../../src/tracker/log";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import type { StepOutcome } from "../../src/tracker/follower/follower";

export const ROOT = join(__dirname, "..", "..");

const hardhat = defineChain({
  id: 31337,
  name: "hardhat node",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const children = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole process group (npx → node)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}
process.on("exit", () => {
  for (const c of children) killGroup(c, "SIGKILL");
});
// Interrupted runs must not orphan hardhat nodes or trackers: kill the children, then exit.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    for (const c of children) killGroup(c, "SIGKILL");
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

/** Spawns a detached child in its own process group and remembers it for cleanup. */
export function spawnTracked(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  // Always drain the pipes: a child blocked on a full stdout pipe would distort every measurement.
  child.stdout?.on("data", () => {});
  child.stderr?.on("data", () => {});
  return child;
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(child, signal);
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString();
      const m = pattern.exec(buffer);
      if (m) {
        cleanup();
        resolve(m[0]);
      }
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`process exited before printing ${pattern}; output:\n${buffer.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${pattern}; output:\n${buffer.slice(-2000)}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

export interface HardhatNode {
  readonly url: string;
  readonly child: ChildProcess;
  readonly client: PublicClient;
  readonly wallet: WalletClient;
  readonly account: Address;
  stop(): Promise<void>;
}

/**
 * The harness talks to the node through a transport that never re-sends and waits patiently. viem's
 * default (10 s timeout, then up to 3 retries) turns a slow answer on a loaded machine into either a
 * failed write (eth_sendTransaction is never retried, it throws) or a re-sent chain-control call (a
 * re-sent evm_revert answers false). A slow node must only make a test slower.
 */
export const harnessTransport = (url: string) => http(url, { retryCount: 0, timeout: 180_000 });

export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freePort();
  const child = spawnTracked("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)]);
  await waitForOutput(child, /Started HTTP/, 90_000);
  const url = `http://127.0.0.1:${port}`;
  const client = createPublicClient({ chain: hardhat, transport: harnessTransport(url) }) as PublicClient;
  const [account] = (await client.request({ method: "eth_accounts" } as never)) as Address[];
  const wallet = createWalletClient({ chain: hardhat, transport: harnessTransport(url), account });
  return { url, child, client, wallet, account, stop: () => stopChild(child) };
}

// ---- the emitter --------------------------------------------------------------------------------

const artifact = (): { abi: Abi; bytecode: Hex } =>
  JSON.parse(readFileSync(join(ROOT, "artifacts/contracts/test/TrackerEventEmitter.sol/TrackerEventEmitter.json"), "utf8"));

export interface Emitter {
  readonly address: Address;
  readonly deployBlock: bigint;
  call(functionName: string, args: readonly unknown[]): Promise<Hex>;
}

export async function deployEmitter(node: HardhatNode): Promise<Emitter> {
  const { abi, bytecode } = artifact();
  const hash = await node.wallet.deployContract({ abi, bytecode, account: node.account, chain: hardhat });
  const receipt = await node.client.waitForTransactionReceipt({ hash });
  const address = receipt.contractAddress!;
  return {
    address,
    deployBlock: receipt.blockNumber,
    call: (functionName, args) =>
      node.wallet.writeContract({ address, abi, functionName, args: args as unknown[], account: node.account, chain: hardhat }),
  };
}

// ---- a deterministic scenario ---------------------------------------------------------------------

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const addr = (n: number): Address => `0x${(0x1000 + n).toString(16).padStart(40, "0")}` as Address;

export interface ScenarioState {
  nextId: bigint;
  live: bigint[];
  exitRequested: Set<bigint>;
  poolCreated: boolean;
}

export const newScenarioState = (firstId = 1n): ScenarioState => ({ nextId: firstId, live: [], exitRequested: new Set(), poolCreated: false });

/**
 * Sends `txs` transactions (one block each under automine) drawn from a seeded mix of every event
 * kind. Node ids come from `state` so reorged branches can reuse or diverge from them.
 */
export async function runScenario(emitter: Emitter, state: ScenarioState, seed: number, txs: number): Promise<void> {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  for (let i = 0; i < txs; i++) {
    const r = rnd();
    if (state.live.length < 3 || r < 0.3) {
      const id = state.nextId++;
      const sk = BigInt(1000 + Number(id) * 7919 + Math.floor(rnd() * 1000));
      const pk = publicKey(sk);
      const operator = addr(Math.floor(rnd() * 5));
      const contributors = [
        { staker: { addr: operator, beneficiary: operator }, stakedAmount: 6_250_000_000_000n },
        { staker: { addr: addr(10 + Math.floor(rnd() * 5)), beneficiary: addr(20) }, stakedAmount: 18_750_000_000_000n },
      ];
      await emitter.call("emitNewServiceNode", [
        id,
        operator,
        { X: pk.X, Y: pk.Y },
        { ed25519Pubkey: sk * 3n, ed25519Signature0: sk, ed25519Signature1: sk + 1n, fee: Math.floor(rnd() * 10_000) },
        contributors,
      ]);
      state.live.push(id);
    } else if (r < 0.42) {
      const id = pick(state.live);
      await emitter.call("emitExitRequest", [id, addr(1)]);
      state.exitRequested.add(id);
    } else if (r < 0.5) {
      const id = pick(state.live);
      await emitter.call("emitExit", [id, addr(2), 25_000_000_000_000n]);
      state.live = state.live.filter((x) => x !== id);
    } else if (r < 0.56) {
      const id = pick(state.live);
      await emitter.call("emitLiquidated", [id, addr(3)]);
      state.live = state.live.filter((x) => x !== id);
    } else if (r < 0.72) {
      const amount = BigInt(Math.floor(rnd() * 1e9)) * 1000n;
      await emitter.call("emitRewardsBalanceUpdated", [addr(Math.floor(rnd() * 5)), amount, amount / 2n]);
    } else if (r < 0.8) {
      await emitter.call("emitRewardsClaimed", [addr(Math.floor(rnd() * 5)), BigInt(Math.floor(rnd() * 1e6))]);
    } else if (r < 0.84) {
      await emitter.call("emitStakingRequirementUpdated", [BigInt(20_000 + Math.floor(rnd() * 10_000)) * 1_000_000_000n]);
    } else if (r < 0.88 || !state.poolCreated) {
      // The emitter stands in for a pool: announce it, then contributions from it are followed.
      await emitter.call("emitNewContributionContract", [emitter.address, BigInt(Math.floor(rnd() * 1e12)), addr(4)]);
      state.poolCreated = true;
    } else if (r < 0.96) {
      await emitter.call("emitNewContribution", [addr(30 + Math.floor(rnd() * 3)), addr(40), BigInt(Math.floor(rnd() * 1e9))]);
    } else if (r < 0.975) {
      await emitter.call("setRewardRate", [BigInt(Math.floor(rnd() * 1e9))]);
    } else {
      await emitScenarioExtra(emitter, rnd);
    }
  }
}

const ZERO = "0x0000000000000000000000000000000000000000" as Address;
const extraAbi = parseAbi([
  "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)",
  "event NameRegistered(bytes32 indexed node, address indexed owner, address indexed payer, uint64 expiry, uint256 fee)",
  "event NameRenewed(bytes32 indexed node, uint64 expiry)",
  "event RecordChanged(bytes32 indexed node, uint8 indexed kind, bytes value)",
  "event TextChanged(bytes32 indexed node, string indexed indexedKey, string key, bytes value)",
  "event OpenForPublicContribution(uint256 indexed serviceNodePubkey, address indexed operator, uint16 fee)",
  "event WithdrawContribution(address indexed contributor, uint256 amount)",
  "event PoolReset(uint256 stakingRequirement, uint256 maxContributors)",
]);

/** Emits one event (any ABI) from the emitter through its raw-log entry point. */
export async function emitEventRaw(emitter: Emitter, abi: Abi, eventName: string, args: Record<string, unknown>): Promise<Hex> {
  const event = abi.find((e): e is AbiEvent => e.type === "event" && e.name === eventName);
  if (!event) throw new Error(`no event ${eventName} in the ABI`);
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[];
  const plain = event.inputs.filter((i) => !i.indexed);
  return emitter.call("emitRaw", [topics, encodeAbiParameters(plain, plain.map((i) => args[i.name!]))]);
}

/** Name-service and pool-lifecycle events (the emitter is the name service and the scenario's pool). */
async function emitScenarioExtra(emitter: Emitter, rnd: () => number): Promise<void> {
  const label = Math.floor(rnd() * 4);
  const node = keccak256(toHex(`scenario-${label}`));
  const owner = addr(50 + Math.floor(rnd() * 3));
  const choice = rnd();
  // One transaction (one block) per scenario step: the reorg tests count blocks.
  if (choice < 0.2) {
    await emitEventRaw(emitter, extraAbi, "Transfer", { from: ZERO, to: owner, tokenId: BigInt(node) });
  } else if (choice < 0.3) {
    await emitEventRaw(emitter, extraAbi, "NameRegistered", { node, owner, payer: owner, expiry: BigInt(2e9 + Math.floor(rnd() * 1e6)), fee: 1n });
  } else if (choice < 0.45) {
    await emitEventRaw(emitter, extraAbi, "NameRenewed", { node, expiry: BigInt(3e9 + Math.floor(rnd() * 1e6)) });
  } else if (choice < 0.6) {
    await emitEventRaw(emitter, extraAbi, "RecordChanged", { node, kind: 1 + Math.floor(rnd() * 3), value: rnd() < 0.2 ? "0x" : toHex(new Uint8Array(20 + Math.floor(rnd() * 3) * 6).fill(label)) });
  } else if (choice < 0.7) {
    await emitEventRaw(emitter, extraAbi, "TextChanged", { node, indexedKey: "bio", key: "bio", value: rnd() < 0.3 ? "0x" : "0x0068690a" });
  } else if (choice < 0.8) {
    await emitEventRaw(emitter, extraAbi, "Transfer", { from: owner, to: addr(50 + Math.floor(rnd() * 3)), tokenId: BigInt(node) });
  } else if (choice < 0.9) {
    await emitEventRaw(emitter, extraAbi, "OpenForPublicContribution", { serviceNodePubkey: 1n, operator: addr(4), fee: Math.floor(rnd() * 10_000) });
  } else if (choice < 0.95) {
    await emitEventRaw(emitter, extraAbi, "WithdrawContribution", { contributor: addr(30 + Math.floor(rnd() * 3)), amount: 1n });
  } else {
    await emitEventRaw(emitter, extraAbi, "PoolReset", { stakingRequirement: 25_000_000_000_000n, maxContributors: 10n });
  }
}

// ---- tracker helpers ----------------------------------------------------------------------------

export const tmpDb = (name: string): string => join(mkdtempSync(join(tmpdir(), "tracker-test-")), `${name}.sqlite`);

export function testConfig(rpcUrls: readonly string[], emitter: Emitter, overrides: Partial<TrackerConfig> = {}): TrackerConfig {
  return {
    rpcUrls,
    chainId: 31337,
    contracts: { serviceNodeRewards: emitter.address, contributionFactory: emitter.address, rewardRatePool: emitter.address, nameService: emitter.address },
    startBlock: emitter.deployBlock,
    dbPath: tmpDb("t"),
    safeHead: { mode: "depth", confirmations: 0n },
    batch: { initial: 8n, min: 1n, max: 64n },
    pollIntervalMs: 20,
    timeoutMs: 2_000,
    maxLagBlocks: 20n,
    rewardRateInterval: 5n,
    reconcileIntervalMs: 0,
    undoRetentionBlocks: 10_000n,
    api: null,
    logLevel: "error",
    progress: false,
    ...overrides,
  };
}

/** Steps the follower until it reports caught-up (bounded). */
export async function syncToHead(tracker: Tracker, maxSteps = 5_000): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const outcome = await tracker.follower.step();
    outcomes.push(outcome);
    if (outcome === "caught-up") return outcomes;
    if (outcome === "retry") await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`tracker did not catch up in ${maxSteps} steps (last: ${outcomes.slice(-5).join(", ")})`);
}

/** A fresh tracker from the start block over one honest provider: the reference mirror. */
export async function cleanReplay(url: string, emitter: Emitter, overrides: Partial<TrackerConfig> = {}): Promise<string> {
  const tracker = await startTracker(testConfig([url], emitter, { batch: { initial: 1000n, min: 1n, max: 1000n }, ...overrides }), silentLogger);
  try {
    await syncToHead(tracker);
    return await canonicalDump(tracker.store);
  } finally {
    await tracker.close();
  }
}

// ---- a misbehaving JSON-RPC proxy ---------------------------------------------------------------

export interface RpcCall {
  readonly method: string;
  readonly params: unknown[];
  readonly id: unknown;
}

/** Return a replacement JSON-RPC response object, "drop" (HTTP 503), or undefined to pass through. */
export type ProxyHook = (call: RpcCall, upstreamResult: () => Promise<unknown>) => Promise<unknown | "503" | "hang" | undefined>;

export interface RpcProxy {
  readonly url: string;
  requests: number;
  close(): Promise<void>;
}

function forward(upstream: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(upstream);
    const req = httpRequest(
      { hostname: u.hostname, port: u.port, path: u.pathname, method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        let data = "";
        res.on("data", (c: Buffer) => (data += c.toString()));
        res.on("end", () => resolve(data));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export interface ProxyOptions {
  /**
   * Answer the calls of one JSON-RPC batch concurrently (as a load balancer that hands each part to a
   * different backend does) instead of one after the other. A "503" or "hang" from any call's hook then
   * decides the whole batch once every hook has returned.
   */
  readonly concurrentBatches?: boolean;
}

export async function startProxy(upstream: string, hook: ProxyHook, options: ProxyOptions = {}): Promise<RpcProxy> {
  const port = await freePort();
  const state = { requests: 0 };
  const server: Server = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", async () => {
      state.requests++;
      try {
        const parsed = JSON.parse(body) as RpcCall | RpcCall[];
        const calls = Array.isArray(parsed) ? parsed : [parsed];
        if (options.concurrentBatches === true) {
          const results = await Promise.all(
            calls.map(async (call) => {
              const upstreamResult = async (): Promise<unknown> => JSON.parse(await forward(upstream, JSON.stringify(call)));
              const replaced = await hook(call, upstreamResult);
              return replaced !== undefined ? replaced : await upstreamResult();
            }),
          );
          if (results.includes("503")) {
            res.writeHead(503).end("unavailable");
            return;
          }
          if (results.includes("hang")) return;
          const text = JSON.stringify(Array.isArray(parsed) ? results : results[0]);
          res.writeHead(200, { "content-type": "application/json" }).end(text);
          return;
        }
        const answers: unknown[] = [];
        for (const call of calls) {
          const upstreamResult = async (): Promise<unknown> => JSON.parse(await forward(upstream, JSON.stringify(call)));
          const replaced = await hook(call, upstreamResult);
          if (replaced === "503") {
            res.writeHead(503).end("unavailable");
            return;
          }
          if (replaced === "hang") return; // never answers: the client must time out
          answers.push(replaced === undefined ? await upstreamResult() : replaced);
        }
        const text = JSON.stringify(Array.isArray(parsed) ? answers : answers[0]);
        res.writeHead(200, { "content-type": "application/json" }).end(text);
      } catch (error) {
        res.writeHead(500).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    set requests(v: number) {
      state.requests = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { canonicalDump };

/**
 * The steps `npm start` runs once the Hardhat node answers, in order:
 *
 *   deploy   every contract (address book deployments/localhost.json);
 *   accounts SESH for Hardhat accounts #1…#19 (sesh:faucet);
 *   nodes    12 nodes whose keys are the network daemon's (seed {@link SEED}, indices 0…11): 6 solo
 *            (node:register) and 6 pooled with 3–4 contributors each (contribution:open with a reservation,
 *            contribution:contribute with permits, auto-finalize or contribution:finalize), plus one pool
 *            left open for anyone to join (key 12);
 *   tracker  the L2 tracker as a child process against the node, until it has synced;
 *   network  the network daemon ({@link NETWORK_NODES} nodes + aggregator) reading through the tracker;
 *   names    a few names with records (names:register; the devnet moves the clock past the commitment);
 *   settle   mines the tracker's confirmation depth and waits until it mirrors every start-up transaction.
 *
 * Each step may start services (children through `ctx.spawn`, stopped by shutdown) and add tables/URLs
 * to the status table. Everything goes through the same Hardhat tasks users run.
 */
import type { ChildProcess, SpawnOptions } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { keccak256, toHex } from "viem";
import type { AddressBook } from "../../src/deployments/addressBook";
import type { DeployResult } from "../../deploy/run";
import { withAccount } from "./accounts";
import { freePort, getJson, rpcCall, ROOT, TS_NODE, waitUntil, watchOutput } from "./services";

/** Seed of the node keys; the network daemon derives the same keys (src/network/keys.ts). */
export const SEED = "session-devnet";
/** Keys the network daemon holds: the 12 registered, the open pool's (12) and 3 spare (13…15). */
export const NETWORK_NODES = 16;
export const REGISTERED_NODES = 12;
export const OPEN_POOL_KEY = 12;
/** Devnet knobs of the network daemon: rewards from registration on, exit signed an hour after the request. */
export const MIN_ACTIVE_SECONDS = 0;
export const UNLOCK_SECONDS = 3_600;
/** The tracker's confirmation depth on the devnet (no reorgs on a local node; one block keeps the policy real). */
export const TRACKER_CONFIRMATIONS = 1;
const FAUCET_SESH = "100000";

export interface NodeInfo {
  readonly id: bigint;
  readonly keyIndex: number;
  readonly kind: "solo" | "pooled";
  readonly operator: number;
  readonly contributors: readonly number[];
}

export interface NameInfo {
  readonly name: string;
  readonly owner: string;
  readonly expiry: bigint;
  readonly records: string;
}

export interface DevnetState {
  nodes: NodeInfo[];
  openPools: { address: string; keyIndex: number; operator: number; reserved: string }[];
  names: NameInfo[];
  trackerUrl?: string;
  aggregatorUrl?: string;
  /** Registry ids the network treats as deregistered (liquidatable), decimal. */
  deregistered: string[];
  /** The network daemon's arguments for a deregistered set (set by the network step; used to restart it). */
  networkArgs?: (deregistered: readonly string[]) => string[];
  pids: Record<string, number>;
  dataDir: string;
}

export interface StartContext {
  readonly hre: HardhatRuntimeEnvironment;
  readonly rpcUrl: string;
  readonly port: number;
  /** The tracker's API port and the aggregator's port (0: any free port). */
  readonly trackerPort: number;
  readonly aggregatorPort: number;
  /** The address book, set by the deploy step. */
  book?: AddressBook;
  readonly devnet: DevnetState;
  /** Starts a child process that shutdown will stop (process group, SIGTERM then SIGKILL). */
  spawn(name: string, command: string, args: readonly string[], options?: SpawnOptions): ChildProcess;
  log(line: string): void;
}

export interface StepResult {
  /** Rows for the contracts table: label, value. */
  readonly rows?: readonly (readonly [string, string])[];
  /** Services the user can open: label, URL. */
  readonly urls?: readonly (readonly [string, string])[];
  /** Stops what the step started (in-process services); children from ctx.spawn are stopped anyway. */
  stop?(): Promise<void>;
}

export interface StartStep {
  readonly name: string;
  run(ctx: StartContext): Promise<StepResult>;
}

export function newDevnetState(deregistered: readonly string[] = []): DevnetState {
  return { nodes: [], openPools: [], names: [], deregistered: [...deregistered], pids: {}, dataDir: mkdtempSync(path.join(os.tmpdir(), "session-devnet-")) };
}

/** Runs a task quietly (its lines would drown the status table; the step prints a summary). */
async function quiet<T>(body: () => Promise<T>): Promise<T> {
  const saved = process.env.TASKS_QUIET;
  process.env.TASKS_QUIET = "1";
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.TASKS_QUIET;
    else process.env.TASKS_QUIET = saved;
  }
}

function runAs<T>(ctx: StartContext, account: number, task: string, args: Record<string, unknown>): Promise<T> {
  return withAccount(ctx.hre, account, () => quiet(() => ctx.hre.run(task, args) as Promise<T>));
}

const hex32 = (v: bigint): string => `0x${v.toString(16).padStart(64, "0")}`;

/** The task arguments for the network's key `index`, registered by `operator` (Ed25519 signature included). */
export async function nodeKeyArgs(ctx: Pick<StartContext, "hre" | "book">, index: number, operator: string) {
  const { deriveNodeKey, registrationParams } = await import("../../src/network/keys");
  const key = deriveNodeKey(SEED, index);
  const registry = ctx.book?.contracts.ServiceNodeRewards?.address;
  if (registry === undefined) throw new Error("the address book has no ServiceNodeRewards: the deploy step must run first");
  const chainId = (await ctx.hre.ethers.provider.getNetwork()).chainId;
  const [params] = registrationParams([key], { chainId, contract: registry.toLowerCase() as `0x${string}` }, [operator]);
  const sp = params.serviceNodeParams;
  return {
    blsKey: hex32(key.blsSecretKey),
    ed25519: hex32(sp.ed25519Pubkey),
    ed25519Signature: `${hex32(sp.ed25519Signature0)}${sp.ed25519Signature1.toString(16).padStart(64, "0")}`,
  };
}

const deployStep: StartStep = {
  name: "deploy",
  async run(ctx) {
    // The node was just started from genesis: any localhost address book is from an earlier run.
    const result = (await quiet(() => ctx.hre.run("deploy", { fresh: true }))) as DeployResult;
    ctx.book = result.book;
    return {
      rows: Object.entries(result.book.contracts).map(
        ([name, r]) => [name, r.implementation === null ? r.address : `${r.address} (implementation ${r.implementation})`] as const,
      ),
    };
  },
};

const accountsStep: StartStep = {
  name: "accounts",
  async run(ctx) {
    const signers = await ctx.hre.ethers.getSigners();
    for (let i = 1; i < signers.length; i++) await runAs(ctx, 0, "sesh:faucet", { to: signers[i].address, amount: FAUCET_SESH });
    ctx.log(`  ${FAUCET_SESH} SESH to each of accounts #1…#${signers.length - 1}`);
    return {};
  },
};

/** Solo nodes: key index → operator account. */
const SOLO: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 0],
  [4, 1],
  [5, 2],
];

interface PoolPlan {
  readonly keyIndex: number;
  readonly operator: number;
  readonly fee: number;
  readonly reserved: number;
  /** Contributions after the operator's 6250: account, SESH. */
  readonly contributions: readonly (readonly [number, string])[];
  readonly manualFinalize: boolean;
}

/** Pooled nodes: operator 6250 SESH, a reserved 5000-SESH slot, the rest from two or three others. */
const POOLS: readonly PoolPlan[] = [
  { keyIndex: 6, operator: 3, fee: 500, reserved: 6, contributions: [[6, "5000"], [9, "6875"], [10, "6875"]], manualFinalize: false },
  { keyIndex: 7, operator: 4, fee: 300, reserved: 7, contributions: [[7, "5000"], [11, "13750"]], manualFinalize: false },
  { keyIndex: 8, operator: 5, fee: 1000, reserved: 8, contributions: [[8, "5000"], [12, "5000"], [13, "4000"], [14, "4750"]], manualFinalize: false },
  { keyIndex: 9, operator: 3, fee: 250, reserved: 15, contributions: [[15, "5000"], [16, "6875"], [9, "6875"]], manualFinalize: false },
  { keyIndex: 10, operator: 4, fee: 0, reserved: 17, contributions: [[17, "5000"], [18, "13750"]], manualFinalize: false },
  { keyIndex: 11, operator: 5, fee: 700, reserved: 19, contributions: [[19, "5000"], [10, "6875"], [11, "6875"]], manualFinalize: true },
];

const nodesStep: StartStep = {
  name: "nodes",
  async run(ctx) {
    const signers = await ctx.hre.ethers.getSigners();
    const address = (i: number): string => signers[i].address;
    for (const [keyIndex, operator] of SOLO) {
      const r = await runAs<{ id: bigint }>(ctx, operator, "node:register", await nodeKeyArgs(ctx, keyIndex, address(operator)));
      ctx.devnet.nodes.push({ id: r.id, keyIndex, kind: "solo", operator, contributors: [operator] });
      ctx.log(`  node ${r.id}: solo, key ${keyIndex}, operator #${operator}`);
    }
    const open = async (plan: Pick<PoolPlan, "keyIndex" | "operator" | "fee" | "reserved" | "manualFinalize">): Promise<string> => {
      const r = await runAs<{ pool: string }>(ctx, plan.operator, "contribution:open", {
        ...(await nodeKeyArgs(ctx, plan.keyIndex, address(plan.operator))),
        fee: String(plan.fee),
        reserve: `${address(plan.reserved)}:5000`,
        contribute: "6250",
        manualFinalize: plan.manualFinalize,
      });
      return r.pool;
    };
    for (const plan of POOLS) {
      const pool = await open(plan);
      let status = "";
      for (const [account, amount] of plan.contributions) status = (await runAs<{ status: string }>(ctx, account, "contribution:contribute", { pool, amount })).status;
      if (plan.manualFinalize) await runAs(ctx, plan.operator, "contribution:finalize", { pool });
      else if (status !== "Finalized") throw new Error(`pool ${pool} (key ${plan.keyIndex}) is ${status} after its last contribution, not Finalized`);
      const registry = await ctx.hre.ethers.getContractAt("ServiceNodeRewards", ctx.book!.contracts.ServiceNodeRewards!.address);
      const { publicKeyToHex } = await import("../../src/bls");
      const { deriveNodeKey } = await import("../../src/network/keys");
      const id = await registry.serviceNodeIDs(publicKeyToHex(deriveNodeKey(SEED, plan.keyIndex).blsPublicKey));
      const contributors = [plan.operator, ...plan.contributions.map(([a]) => a)];
      ctx.devnet.nodes.push({ id, keyIndex: plan.keyIndex, kind: "pooled", operator: plan.operator, contributors });
      ctx.log(`  node ${id}: pooled, key ${plan.keyIndex}, operator #${plan.operator}, contributors ${contributors.map((c) => `#${c}`).join(" ")}${plan.manualFinalize ? " (finalized by the operator)" : ""}`);
    }
    const openPlan = { keyIndex: OPEN_POOL_KEY, operator: 3, fee: 500, reserved: 4, manualFinalize: false };
    const pool = await open(openPlan);
    ctx.devnet.openPools.push({ address: pool, keyIndex: OPEN_POOL_KEY, operator: openPlan.operator, reserved: `#${openPlan.reserved}: 5000 SESH` });
    ctx.log(`  pool ${pool}: open for contributions (key ${OPEN_POOL_KEY}, operator #3 paid 6250 SESH, 5000 SESH reserved for #4)`);
    return {};
  },
};

interface TrackerStatus {
  readonly checkpoint: { number: string } | null;
}

const trackerStep: StartStep = {
  name: "tracker",
  async run(ctx) {
    const book = ctx.book!;
    const c = book.contracts;
    const port = ctx.trackerPort === 0 ? await freePort() : ctx.trackerPort;
    const url = `http://127.0.0.1:${port}`;
    const startBlock = Math.min(...Object.values(c).map((r) => Number(r.blockNumber)));
    const args = [
      TS_NODE, "--transpile-only", path.join(ROOT, "src/tracker/cli.ts"),
      "--rpc", ctx.rpcUrl, "--chain-id", "31337",
      "--rewards", c.ServiceNodeRewards!.address,
      "--factory", c.ServiceNodeContributionFactory!.address,
      "--reward-rate-pool", c.RewardRatePool!.address,
      "--name-service", c.SessionNameService!.address,
      "--start-block", String(startBlock),
      "--db", path.join(ctx.devnet.dataDir, "tracker.sqlite"),
      "--safe-head", "depth", "--confirmations", String(TRACKER_CONFIRMATIONS),
      "--poll-ms", "250", "--reward-rate-interval", "10",
      "--host", "127.0.0.1", "--port", String(port), "--no-progress",
    ];
    const child = ctx.spawn("tracker", process.execPath, args);
    ctx.devnet.pids.tracker = child.pid!;
    const output = watchOutput(child);
    const head = Number(await rpcCall<string>(ctx.rpcUrl, "eth_blockNumber"));
    await waitUntil("the tracker did not sync", child, output, 120_000, async () => {
      const status = await getJson<TrackerStatus>(`${url}/status`);
      return status.checkpoint !== null && Number(status.checkpoint.number) >= head - TRACKER_CONFIRMATIONS ? true : undefined;
    });
    ctx.devnet.trackerUrl = url;
    ctx.log(`  tracker at ${url} synced to block ${head - TRACKER_CONFIRMATIONS} (confirmation depth ${TRACKER_CONFIRMATIONS})`);
    return {
      urls: [
        ["tracker status page", `${url}/`],
        ["tracker API", `${url}/nodes  /pools  /names  /status  /snapshot`],
      ],
    };
  },
};

const networkStep: StartStep = {
  name: "network",
  async run(ctx) {
    const port = ctx.aggregatorPort === 0 ? await freePort() : ctx.aggregatorPort;
    const networkArgs = (deregistered: readonly string[]): string[] => [
      TS_NODE, "--transpile-only", path.join(ROOT, "src/network/cli.ts"), "start",
      "--nodes", String(NETWORK_NODES), "--seed", SEED,
      "--rpc", ctx.rpcUrl, "--tracker", ctx.devnet.trackerUrl!,
      "--address-book", "localhost", "--port", String(port),
      "--min-active", String(MIN_ACTIVE_SECONDS), "--unlock", String(UNLOCK_SECONDS),
      "--sync-ms", "1000", "--ledger-dir", path.join(ctx.devnet.dataDir, "ledgers"),
      ...(deregistered.length === 0 ? [] : ["--deregistered", deregistered.join(",")]),
    ];
    ctx.devnet.networkArgs = networkArgs;
    const args = networkArgs(ctx.devnet.deregistered);
    const child = ctx.spawn("network", process.execPath, args);
    ctx.devnet.pids.network = child.pid!;
    const output = watchOutput(child);
    const url = await waitUntil("the network daemon did not start", child, output, 120_000, async () => /network ready: aggregator (\S+)/.exec(output.text())?.[1]);
    ctx.devnet.aggregatorUrl = url;
    ctx.log(`  ${NETWORK_NODES} nodes (keys 0…${NETWORK_NODES - 1} of seed "${SEED}"; ${REGISTERED_NODES} registered) and the aggregator at ${url}`);
    return { urls: [["aggregator JSON-RPC", `${url}  (bls_rewards_request, bls_exit_liquidation_request, bls_exit_liquidation_list)`]] };
  },
};

const NAMES: readonly { name: string; account: number; plaintext: boolean; text?: string }[] = [
  { name: "devnet", account: 0, plaintext: true, text: "url=https://github.com/session-foundation" },
  { name: "alice", account: 1, plaintext: false },
  { name: "bob", account: 2, plaintext: true },
];

const namesStep: StartStep = {
  name: "names",
  async run(ctx) {
    const signers = await ctx.hre.ethers.getSigners();
    for (const n of NAMES) {
      const session = `05${keccak256(toHex(n.name)).slice(2)}`;
      const r = await runAs<{ ids: { fullName: string }; owner: string; expiry: bigint }>(ctx, n.account, "names:register", {
        name: n.name,
        years: "1",
        session,
        wallet: signers[n.account].address,
        ...(n.text === undefined ? {} : { text: n.text }),
        plaintext: n.plaintext,
      });
      const records = `Session ID ${session.slice(0, 10)}…, wallet${n.text === undefined ? "" : `, text ${n.text.split("=")[0]}`} (${n.plaintext ? "plaintext" : "encrypted"})`;
      ctx.devnet.names.push({ name: r.ids.fullName, owner: r.owner, expiry: r.expiry, records });
      ctx.log(`  ${r.ids.fullName} → #${n.account} ${r.owner}`);
    }
    return {};
  },
};

/** Mines the confirmation depth so the last transactions are in the tracker (and the network) at ready. */
const settleStep: StartStep = {
  name: "settle",
  async run(ctx) {
    const head = Number(await rpcCall<string>(ctx.rpcUrl, "eth_blockNumber"));
    for (let i = 0; i < TRACKER_CONFIRMATIONS; i++) await rpcCall(ctx.rpcUrl, "evm_mine");
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await getJson<TrackerStatus>(`${ctx.devnet.trackerUrl}/status`).catch(() => undefined);
      if (status?.checkpoint != null && Number(status.checkpoint.number) >= head) break;
      if (Date.now() > deadline) throw new Error(`the tracker did not reach block ${head} within 60 s: see the log`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    ctx.log(`  tracker at block ${head}: every transaction of the start-up is mirrored`);
    return {};
  },
};

export const START_STEPS: readonly StartStep[] = [deployStep, accountsStep, nodesStep, trackerStep, networkStep, namesStep, settleStep];

/**
 * The in-process Hardhat chain as the off-chain services see a real one: served over HTTP on a free port, and a
 * tracker following a registry deployed on it (API on a free port, no confirmations, fast polling). One place
 * for what the network tests (daemon, races, mirror lag, supervision, CLI) each built by hand.
 */
import hre from "hardhat";
import { JsonRpcServer } from "hardhat/internal/hardhat-network/jsonrpc/server";
import type { EIP1193Provider } from "hardhat/types";
import type { Address } from "viem";
import type { TrackerConfig } from "../../src/tracker/config";
import { silentLogger } from "../../src/tracker/log";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import { tmpDb } from "./tracker";

export interface ServedChain {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `hre.network.provider` (the in-process chain) at http://127.0.0.1:<free port>. */
export async function serveInProcessChain(): Promise<ServedChain> {
  const server = new JsonRpcServer({ hostname: "127.0.0.1", port: 0, provider: hre.network.provider as unknown as EIP1193Provider });
  const { port } = await server.listen();
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** A tracker of the registry and reward pool at `contracts`, reading `rpcUrl`, with its API on a free port. */
export function registryTrackerConfig(
  rpcUrl: string,
  contracts: { serviceNodeRewards: Address; rewardRatePool: Address },
  label: string,
  overrides: Partial<TrackerConfig> = {},
): TrackerConfig {
  return {
    rpcUrls: [rpcUrl],
    chainId: 31337,
    contracts,
    startBlock: 0n,
    dbPath: tmpDb(label),
    safeHead: { mode: "depth", confirmations: 0n },
    batch: { initial: 500n, min: 1n, max: 1000n },
    pollIntervalMs: 50,
    timeoutMs: 10_000,
    maxLagBlocks: 20n,
    rewardRateInterval: 1n,
    reconcileIntervalMs: 0,
    undoRetentionBlocks: 10_000n,
    api: { host: "127.0.0.1", port: 0 },
    logLevel: "error",
    progress: false,
    ...overrides,
  };
}

/** Starts such a tracker (not yet running: call `tracker.follower.run()` or step it) and returns its API's URL. */
export async function startTestTracker(config: TrackerConfig): Promise<{ tracker: Tracker; url: string }> {
  const tracker = await startTracker(config, silentLogger);
  return { tracker, url: `http://127.0.0.1:${tracker.api!.address().port}` };
}

/** Wires store → providers → follower → API into one running tracker (used by the CLI, the task and tests). */
import { startApi, type ApiServer } from "./api/server";
import type { TrackerConfig } from "./config";
import { createFollower, type Follower, type FollowerOptions } from "./follower/follower";
import type { Logger } from "./log";
import { createMetrics, type Metrics } from "./metrics";
import { createProviderSet, type ProviderSet } from "./rpc/providers";
import { openSqliteStore } from "./store/sqlite";
import type { TrackerStore } from "./store/types";

export interface Tracker {
  readonly store: TrackerStore;
  readonly providers: ProviderSet;
  readonly follower: Follower;
  readonly metrics: Metrics;
  readonly api: ApiServer | null;
  /** Stops the follower (after the range in flight), the API, and closes the store. */
  close(): Promise<void>;
}

export async function startTracker(
  config: TrackerConfig,
  logger: Logger,
  extra: Partial<Pick<FollowerOptions, "registry" | "logsArbiter" | "heightRefreshMs" | "stallAfterMs">> = {},
): Promise<Tracker> {
  const metrics = createMetrics();
  const store = openSqliteStore(config.dbPath);
  const providers = createProviderSet({
    urls: config.rpcUrls,
    chainId: config.chainId,
    timeoutMs: config.timeoutMs,
    maxLagBlocks: config.maxLagBlocks,
    logger,
  });
  const follower = createFollower({
    store,
    providers,
    logger,
    metrics,
    contracts: config.contracts,
    startBlock: config.startBlock,
    safeHead: config.safeHead,
    batch: config.batch,
    pollIntervalMs: config.pollIntervalMs,
    rewardRateInterval: config.rewardRateInterval,
    reconcileIntervalMs: config.reconcileIntervalMs,
    undoRetentionBlocks: config.undoRetentionBlocks,
    ...extra,
  });
  try {
    await follower.init();
  } catch (error) {
    await store.close();
    throw error;
  }
  const api = config.api ? await startApi({ ...config.api, store, follower, providers, metrics, logger }) : null;
  if (api) logger.info("API listening", api.address());
  let closed = false;
  return {
    store,
    providers,
    follower,
    metrics,
    api,
    async close() {
      if (closed) return;
      closed = true;
      await follower.stop();
      await api?.close();
      await store.close();
    },
  };
}

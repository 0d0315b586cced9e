/** Typed reads of the tracker's HTTP API (lists; anything a transaction depends on is read from the chain). */
import type { NameEntry, NameState, NodeRecord, PoolRecord, RewardRateSample } from "../../src/tracker/state/model";

export type { NameEntry, NodeRecord, PoolRecord };

export interface TrackerStatus {
  readonly latest: string | null;
  readonly safeHead: string | null;
  readonly checkpoint: { readonly number: string; readonly hash: string } | null;
  readonly lagBlocks: string | null;
  readonly checkpointTimestamp: string | null;
  readonly chainId: number | null;
  readonly [key: string]: unknown;
}

export interface PoolView extends PoolRecord {
  readonly open: boolean;
  readonly minimumContribution: { readonly who: "operator" | "anyone"; readonly amount: string } | null;
}

export class TrackerError extends Error {}

export async function trackerGet<T>(base: string, path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { cache: "no-store" });
  } catch (error) {
    throw new TrackerError(`the tracker at ${base} did not answer: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => null)) as (T & { error?: string }) | null;
  if (!response.ok || body === null) throw new TrackerError(`the tracker refused ${path}: ${body?.error ?? `HTTP ${response.status}`}`);
  return body;
}

export const tracker = {
  status: (base: string) => trackerGet<TrackerStatus>(base, "/status"),
  nodes: (base: string, query = "") => trackerGet<{ height: string | null; count: number; nodes: NodeRecord[] }>(base, `/nodes${query}`),
  pools: (base: string, query = "") => trackerGet<{ stakingRequirement: string | null; pools: PoolView[] }>(base, `/pools${query}`),
  names: (base: string, query = "") =>
    trackerGet<{ height: string | null; timestamp: string | null; count: number; names: (NameEntry & { state: NameState | null })[] }>(base, `/names${query}`),
  rewardRate: (base: string) => trackerGet<{ latest: RewardRateSample | null; samples: RewardRateSample[] }>(base, "/reward-rate"),
};

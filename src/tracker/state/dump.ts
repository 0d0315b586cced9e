/** Canonical dumps of the mirror: byte-identical for identical state (used by tests and /snapshot). */
import type { TrackerStore } from "../store/types";
import { ENTITY, NETWORK_KEY, parseRecord, type BalanceRecord, type NameEntry, type NetworkRecord, type NodeRecord, type PoolRecord, type RewardRateSample } from "./model";

/**
 * The whole mirror (checkpoint + every entity, ordered by kind then key) as one canonical string.
 * Processed-block records and the undo log are bookkeeping, not mirror state, and are excluded.
 */
export async function canonicalDump(store: TrackerStore): Promise<string> {
  const { checkpoint, entities } = await store.readAll();
  return JSON.stringify({
    checkpoint: checkpoint ? { number: checkpoint.number.toString(), hash: checkpoint.hash } : null,
    entities: Object.fromEntries(Object.entries(entities).map(([kind, rows]) => [kind, rows.map((r) => [r.key, r.value])])),
  });
}

export interface Snapshot {
  readonly height: string | null;
  readonly blockHash: string | null;
  readonly stakingRequirement: string | null;
  readonly nodes: NodeRecord[];
  readonly balances: BalanceRecord[];
  readonly pools: PoolRecord[];
  readonly rewardRate: RewardRateSample[];
  readonly names: NameEntry[];
}

/** A compact full-state snapshot (one atomic read) for nodes that sync from a proxy. */
export async function buildSnapshot(store: TrackerStore): Promise<Snapshot> {
  const kinds = [ENTITY.node, ENTITY.balance, ENTITY.pool, ENTITY.rewardRate, ENTITY.network, ENTITY.name];
  const { checkpoint, entities } = await store.readAll(kinds);
  const list = <T>(kind: string): T[] => (entities[kind] ?? []).map((r) => parseRecord<T>(r.value));
  const network = (entities[ENTITY.network] ?? []).find((r) => r.key === NETWORK_KEY);
  return {
    height: checkpoint?.number.toString() ?? null,
    blockHash: checkpoint?.hash ?? null,
    stakingRequirement: network ? parseRecord<NetworkRecord>(network.value).stakingRequirement : null,
    nodes: list<NodeRecord>(ENTITY.node),
    balances: list<BalanceRecord>(ENTITY.balance),
    pools: list<PoolRecord>(ENTITY.pool),
    rewardRate: list<RewardRateSample>(ENTITY.rewardRate),
    names: list<NameEntry>(ENTITY.name),
  };
}

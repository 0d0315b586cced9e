/**
 * Reconciliation: the mirror's registered nodes and their aggregate key against the registry's own views
 * (`allServiceNodeIDs()`, `aggregatePubkey()`) at the checkpoint. A match records the block as "last good";
 * a mismatch heals once per last-good block (a rollback to it, else a full re-sync) and is only reported
 * when the same heal did not help.
 */
import { aggregatePublicKeys } from "../../bls";
import { serviceNodeRewardsViewsAbi } from "../abi";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { ProviderSet } from "../rpc/providers";
import { ENTITY, isRegistered, parseRecord, type NodeRecord } from "../state/model";
import type { TrackerStore } from "../store/types";
import type { ReorgHandler } from "./reorg";
import { jsonSafe } from "./router";
import { LAST_GOOD, type ChangeEvent, type ContractAddresses, type ReconcileResult, type SyncState } from "./types";

export interface ReconcilerParameters {
  readonly store: TrackerStore;
  readonly providers: ProviderSet;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly contracts: ContractAddresses;
  /** Read for the checkpoint (reconciled at, and checked unmoved before comparing). */
  readonly state: Readonly<SyncState>;
  /** Heals a mismatch. */
  readonly reorg: ReorgHandler;
  readonly emit: (event: ChangeEvent) => void;
}

export interface Reconciler {
  /** Compares at the checkpoint; null when there is none or the mirror moved meanwhile. */
  reconcile(): Promise<ReconcileResult | null>;
  last(): ReconcileResult | null;
}

export function createReconciler({ store, providers, log, metrics, contracts, state, reorg, emit }: ReconcilerParameters): Reconciler {
  let lastReconciliation: ReconcileResult | null = null;
  /** The last-good block a mismatch was last healed from (the same one again: the heal did not help). */
  let lastHealFrom: string | null = null;

  async function reconcile(): Promise<ReconcileResult | null> {
    const cp = state.checkpoint;
    if (cp === null) return null;
    const address = contracts.serviceNodeRewards;
    const [ids, agg] = await Promise.all([
      providers.crossCheck(
        `allServiceNodeIDs() at ${cp.number}`,
        (c) => c.readContract({ address, abi: serviceNodeRewardsViewsAbi, functionName: "allServiceNodeIDs", blockNumber: cp.number }),
        (v) => JSON.stringify(jsonSafe(v)),
      ),
      providers.crossCheck(
        `aggregatePubkey() at ${cp.number}`,
        (c) => c.readContract({ address, abi: serviceNodeRewardsViewsAbi, functionName: "aggregatePubkey", blockNumber: cp.number }),
        (v) => JSON.stringify(jsonSafe(v)),
      ),
    ]);
    if (state.checkpoint === null || state.checkpoint.hash !== cp.hash) return null; // the mirror moved meanwhile
    const chain = new Map<string, string>();
    ids[0].forEach((id, i) => chain.set(id.toString(), `${ids[1][i].X}:${ids[1][i].Y}`));
    const mirror = new Map<string, string>();
    const keys: { X: bigint; Y: bigint }[] = [];
    for (const row of await store.listEntities(ENTITY.node)) {
      const node = parseRecord<NodeRecord>(row.value);
      if (!isRegistered(node)) continue;
      mirror.set(node.id, `${node.pubkey.X}:${node.pubkey.Y}`);
      keys.push({ X: BigInt(node.pubkey.X), Y: BigInt(node.pubkey.Y) });
    }
    const missing = [...chain.keys()].filter((id) => !mirror.has(id));
    const extra = [...mirror.keys()].filter((id) => !chain.has(id));
    const keyMismatch = [...chain.keys()].filter((id) => mirror.has(id) && mirror.get(id) !== chain.get(id));
    let aggregateMatches: boolean;
    try {
      const mine = aggregatePublicKeys(keys);
      aggregateMatches = mine.X === agg.X && mine.Y === agg.Y;
    } catch {
      aggregateMatches = false;
    }
    const ok = missing.length === 0 && extra.length === 0 && keyMismatch.length === 0 && aggregateMatches;
    let healed: ReconcileResult["healed"] = "none";
    metrics.inc("tracker_reconciliations_total", "Reconciliations against allServiceNodeIDs()/aggregatePubkey()", { result: ok ? "ok" : "mismatch" });
    if (ok) {
      await store.setMeta(LAST_GOOD, JSON.stringify({ number: cp.number.toString(), hash: cp.hash }));
      lastHealFrom = null;
    } else {
      metrics.inc("tracker_reconcile_differences_total", "Node ids/keys that differed at reconciliation", {}, missing.length + extra.length + keyMismatch.length + (aggregateMatches ? 0 : 1));
      const lastGood = await reorg.lastGoodReconciled();
      const healKey = lastGood?.number.toString() ?? "start";
      log.error("reconciliation mismatch", { block: cp.number, missing, extra, keyMismatch, aggregateMatches, healFrom: healKey });
      if (lastHealFrom === healKey) {
        healed = "skipped-persistent";
        metrics.inc("tracker_reconcile_persistent_total", "Mismatches that a re-sync did not heal");
      } else {
        lastHealFrom = healKey;
        const floor = await store.undoFloor();
        if (lastGood && floor !== null && lastGood.number >= floor && lastGood.number <= cp.number) {
          await reorg.rollback(lastGood, "reconciliation mismatch");
          healed = "rollback";
        } else {
          await reorg.fullResync("reconciliation mismatch");
          healed = "full-resync";
        }
      }
    }
    const result: ReconcileResult = { block: cp.number.toString(), ok, missing, extra, keyMismatch, aggregateMatches, healed };
    lastReconciliation = result;
    emit({ type: "reconciliation", ok, block: result.block, detail: ok ? "match" : `missing ${missing.length}, extra ${extra.length}, keys ${keyMismatch.length}, aggregate ${aggregateMatches}` });
    return result;
  }

  return { reconcile, last: () => lastReconciliation };
}

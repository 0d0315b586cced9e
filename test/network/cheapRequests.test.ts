/**
 * Issue 22 item 2: the common requests are cheap. A network reading the chain state through the tracker's
 * HTTP API answers 100 repeated rewards requests — with rewards, and for an address with none (a cached
 * refusal) — with one fan-out to the nodes and at most one full state read of the tracker each; a node
 * asked for height 10^70 refuses without reading any state. The tracker here is its real API over a real
 * SQLite store (follower and providers are stand-ins); the nodes are the daemon's node group over HTTP.
 */
import { expect } from "chai";
import type { Address } from "viem";
import { createAggregator } from "../../src/network/aggregator/aggregator";
import { systemClock } from "../../src/network/clock";
import { parseStartArgs } from "../../src/network/config";
import { requestSnapshot, startNodeGroup } from "../../src/network/daemon";
import { deriveNodeKey } from "../../src/network/keys";
import { openLedger } from "../../src/network/ledger/ledger";
import { networkHeightAt } from "../../src/network/ledger/sync";
import type { NodeClient } from "../../src/network/node/client";
import { rpcCall } from "../../src/network/rpc";
import { cachedView } from "../../src/network/views/memory";
import { createTrackerApiView } from "../../src/network/views/tracker";
import { startApi, type ApiServer } from "../../src/tracker/api/server";
import { createMetrics } from "../../src/tracker/metrics";
import { ENTITY, blockKey, nodeKey, serialize, type NodeRecord } from "../../src/tracker/state/model";
import { openSqliteStore } from "../../src/tracker/store/sqlite";
import type { TrackerStore } from "../../src/tracker/store/types";
import { stubFollower, stubProviders } from "../helpers/trackerApiStubs";
import { tmpDb } from "../helpers/tracker";
import { domain, ed25519Fields, mirroredNode, OWNER } from "../helpers/networkView";

const SEED = "cheap-requests";
const NODES = 3;

function record(id: number, over: Partial<NodeRecord> = {}): NodeRecord {
  const pk = deriveNodeKey(SEED, id - 1).blsPublicKey;
  // A valid registration: the node's own Ed25519 identity really signed it (impostors earn nothing).
  return mirroredNode(id, OWNER, pk, ed25519Fields({ pubkey: pk, operator: OWNER }, `${SEED}-${id}`), over);
}

/** Fills a store with NODES active nodes and a reward rate at checkpoint block 40. */
export async function seededStore(name: string, nodes: NodeRecord[] = Array.from({ length: NODES }, (_, i) => record(i + 1))): Promise<TrackerStore> {
  const store = openSqliteStore(tmpDb(name));
  const puts = [
    ...nodes.map((n) => ({ kind: ENTITY.node, key: nodeKey(BigInt(n.id)), value: serialize(n) })),
    { kind: ENTITY.rewardRate, key: blockKey(20n), value: serialize({ block: "20", rewardRate: "1200000" }) },
  ];
  await store.commitRange({
    blocks: [{ number: 40n, hash: `0x${"11".repeat(32)}`, parentHash: `0x${"22".repeat(32)}` }],
    changes: puts.map((p) => ({ block: 40n, kind: p.kind, key: p.key, before: null, after: p.value })),
    checkpoint: { number: 40n, hash: `0x${"11".repeat(32)}` },
  });
  return store;
}

describe("network requests are cheap (bounded node calls and state reads)", function () {
  this.timeout(120_000);
  let store: TrackerStore;
  let api: ApiServer;
  let readAlls = 0;
  const metrics = createMetrics();
  const wall = BigInt(Math.floor(Date.now() / 1000));

  before(async () => {
    store = await seededStore("cheap");
    const counting = Object.create(store) as TrackerStore;
    counting.readAll = (kinds) => {
      readAlls++;
      return store.readAll(kinds);
    };
    api = await startApi({ host: "127.0.0.1", port: 0, store: counting, follower: stubFollower(), providers: stubProviders, metrics });
  });
  after(async () => {
    await api?.close();
    await store?.close();
  });

  it("100 repeated requests cost one fan-out and at most one state dump; a refusal is cached for its height; height 10^70 reads nothing", async () => {
    const config = parseStartArgs(["--seed", SEED, "--nodes", String(NODES), "--min-active", "0", "--sync-ms", "3600000"]); // no timer sync during the test
    let timestampReads = 0;
    // Block b is 3 days minus b minutes ago … the checkpoint (40) is 10 s ago.
    const blockTimestamp = async (b: bigint): Promise<bigint> => {
      timestampReads++;
      return b === 40n ? wall - 10n : wall - 3n * 86_400n;
    };
    const view = cachedView(createTrackerApiView({ url: `http://127.0.0.1:${api.address().port}`, blockTimestamp, nonSignerMax: 4000n, domain }), 1_000);
    const ledger = openLedger({ path: ":memory:", config: { minActiveSeconds: 0n } });
    const clock = systemClock();
    const group = await startNodeGroup({ config, indices: [0, 1, 2], domain, client: undefined as never, view, ledger, startHeight: networkHeightAt(wall) - 5n, onError: (e) => expect.fail(e.message), clock });
    let nodeCalls = 0;
    const clients: NodeClient[] = group.sim.nodes.map((n) => ({ ...n.client, call: (m, p, s) => (nodeCalls++, n.client.call(m, p, s)) }));
    const aggregator = createAggregator({ domain, nodes: clients, snapshot: requestSnapshot(view, group.snapshot), clock });
    const snapshotRequests = (): number => metrics.get("tracker_http_requests_total", { route: "/snapshot", status: "200" }) + metrics.get("tracker_http_requests_total", { route: "/snapshot", status: "304" });
    try {
      const run = async (address: Address): Promise<PromiseSettledResult<unknown>[]> => {
        const out: PromiseSettledResult<unknown>[] = [];
        for (let batch = 0; batch < 10; batch++) {
          out.push(...(await Promise.allSettled(Array.from({ length: 10 }, () => aggregator.rewardsRequest(address)))));
          await new Promise((r) => setTimeout(r, 30));
        }
        return out;
      };
      const owed = await run(OWNER);
      expect(owed.every((r) => r.status === "fulfilled")).to.equal(true);
      const amount = (owed[0] as PromiseFulfilledResult<{ amount: bigint }>).value.amount;
      expect(amount > 0n).to.equal(true);
      expect(nodeCalls, "node calls for 100 requests with rewards").to.equal(NODES);
      expect(metrics.get("tracker_snapshot_builds_total"), "full state dumps").to.equal(1);
      expect(readAlls, "state reads of the store").to.equal(1);
      expect(timestampReads, "block timestamp reads (one mapping of the mirror)").to.equal(NODES + 1);

      const nobody: Address = "0x00000000000000000000000000000000000000e7";
      const refused = await run(nobody);
      expect(refused.every((r) => r.status === "rejected" && /did not sign/.test((r.reason as Error).message))).to.equal(true);
      expect(nodeCalls, "node calls after 100 more requests for an address without rewards").to.equal(2 * NODES);
      expect(metrics.get("tracker_snapshot_builds_total")).to.equal(1);
      expect(readAlls).to.equal(1);
      expect(snapshotRequests(), "/snapshot revalidations (304s are a checkpoint read, no dump)").to.be.at.most(20);

      const before = { snapshots: snapshotRequests(), ledger: ledger.lastHeight() };
      for (let i = 0; i < 20; i++) {
        const error = await rpcCall(group.sim.nodes[0].url!, "get_rewards", { address: OWNER, height: (10n ** 70n).toString() }).catch((e: Error & { kind: string }) => e);
        expect((error as { kind: string }).kind).to.equal("not_found");
        expect((error as Error).message).to.match(/^height 10{70} is not reached yet \(the network is at height \d+/);
      }
      expect(snapshotRequests(), "state reads for height 10^70").to.equal(before.snapshots);
      expect(ledger.lastHeight()).to.equal(before.ledger);
    } finally {
      await group.close();
      ledger.close();
    }
  });
});

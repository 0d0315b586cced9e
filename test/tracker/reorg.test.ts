import { expect } from "chai";
import { silentLogger } from "../../src/tracker/log";
import { ENTITY, parseRecord, type NodeRecord } from "../../src/tracker/state/model";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import {
  canonicalDump,
  cleanReplay,
  deployEmitter,
  newScenarioState,
  runScenario,
  startHardhatNode,
  syncToHead,
  testConfig,
  type Emitter,
  type HardhatNode,
} from "./helpers";

describe("tracker against a real hardhat node: sync and reorgs", function () {
  this.timeout(240_000);
  let node: HardhatNode;
  let emitter: Emitter;

  before(async () => {
    node = await startHardhatNode();
    emitter = await deployEmitter(node);
  });
  after(async () => {
    await node?.stop();
  });

  it("mirrors every event kind and matches the emitter's views at reconciliation", async () => {
    const state = newScenarioState(1n);
    await runScenario(emitter, state, 1, 80);
    const tracker = await startTracker(testConfig([node.url], emitter), silentLogger);
    try {
      await syncToHead(tracker);
      const nodes = (await tracker.store.listEntities(ENTITY.node)).map((r) => parseRecord<NodeRecord>(r.value));
      const registered = nodes.filter((n) => n.status === "active" || n.status === "exit-requested").map((n) => BigInt(n.id));
      expect(registered.sort((a, b) => (a < b ? -1 : 1))).to.deep.equal([...state.live].sort((a, b) => (a < b ? -1 : 1)));
      expect(nodes.length).to.equal(Number(state.nextId - 1n));
      expect(nodes.some((n) => n.status === "exit-requested" || n.exitRequestedBlock !== null)).to.equal(true);
      const statuses = new Set(nodes.map((n) => n.status));
      expect([...statuses].sort()).to.deep.equal(["active", "exit-requested", "exited", "liquidated"]);
      expect((await tracker.store.listEntities(ENTITY.balance)).length).to.be.greaterThan(0);
      expect((await tracker.store.listEntities(ENTITY.pool)).length).to.equal(1);
      expect((await tracker.store.listEntities(ENTITY.rewardRate)).length).to.be.greaterThan(0);
      const result = await tracker.follower.reconcile();
      expect(result).to.include({ ok: true, aggregateMatches: true, healed: "none" });
      expect(await canonicalDump(tracker.store)).to.equal(await cleanReplay(node.url, emitter));
    } finally {
      await tracker.close();
    }
  });

  for (const depth of [1, 5, 64]) {
    it(`rolls back a reorg of depth ${depth} and ends equal to a clean replay`, async () => {
      const state = newScenarioState(BigInt(1000 * depth));
      await runScenario(emitter, state, 100 + depth, 10);
      const tracker: Tracker = await startTracker(testConfig([node.url], emitter), silentLogger);
      try {
        await syncToHead(tracker);
        const snapshot = (await node.client.request({ method: "evm_snapshot" } as never)) as string;
        const fork = await node.client.getBlockNumber({ cacheTime: 0 });
        const branchA = { ...state, live: [...state.live], exitRequested: new Set(state.exitRequested) };
        await runScenario(emitter, branchA, 200 + depth, depth);
        await syncToHead(tracker);
        const abandoned = await canonicalDump(tracker.store);
        expect(JSON.parse(abandoned).checkpoint.number).to.equal((fork + BigInt(depth)).toString());

        expect(await node.client.request({ method: "evm_revert", params: [snapshot] } as never)).to.equal(true);
        // A different branch, one block longer, starting from the same parent.
        await runScenario(emitter, state, 300 + depth, depth + 1);
        const outcomes = await syncToHead(tracker);
        expect(outcomes).to.include("reorg");
        expect(tracker.follower.status().reorgs).to.equal(1);
        expect(tracker.metrics.get("tracker_last_reorg_depth")).to.be.at.least(depth);
        const dump = await canonicalDump(tracker.store);
        expect(dump).to.not.equal(abandoned);
        expect(dump).to.equal(await cleanReplay(node.url, emitter));
      } finally {
        await tracker.close();
      }
    });
  }
});

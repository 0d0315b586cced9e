import { expect } from "chai";
import { createPublicClient, http, type PublicClient } from "viem";
import { silentLogger } from "../../src/tracker/log";
import { ENTITY, parseRecord, type NodeRecord } from "../../src/tracker/state/model";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import {
  canonicalDump,
  cleanReplay,
  deployEmitter,
  harnessTransport,
  newScenarioState,
  runScenario,
  startHardhatNode,
  startProxy,
  syncToHead,
  testConfig,
  type Emitter,
  type HardhatNode,
} from "../helpers/tracker";

/** Each block's transactions (sender, target, selector): what mined a block the scenario did not send. */
async function describeBlocks(node: HardhatNode, from: bigint, to: bigint): Promise<string> {
  const lines: string[] = [];
  for (let n = from; n <= to; n++) {
    const block = await node.client.getBlock({ blockNumber: n, includeTransactions: true });
    const txs = block.transactions.map((t) => `${t.from}→${t.to ?? "create"} ${t.input.slice(0, 10)} nonce ${t.nonce}`);
    lines.push(`  ${n} ${block.hash.slice(0, 10)} t=${block.timestamp}: ${txs.join("; ") || "(empty)"}`);
  }
  return lines.join("\n");
}

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
        // The mirror must end at the tip the chain really has. Once, on a loaded machine, the node held one
        // block more than the scenario sent (checkpoint 184 vs fork + 64 = 183): the tracker was right, the
        // test's arithmetic was not. Compare with the observed tip, and name any block nobody here sent.
        const tip = await node.client.getBlockNumber({ cacheTime: 0 });
        expect(tip - fork >= BigInt(depth), `branch A has ${tip - fork} blocks, the scenario sent ${depth}`).to.equal(true);
        if (tip - fork !== BigInt(depth)) console.warn(`branch A has ${tip - fork} blocks, the scenario sent ${depth}:\n${await describeBlocks(node, fork, tip)}`);
        await syncToHead(tracker);
        const abandoned = await canonicalDump(tracker.store);
        expect(JSON.parse(abandoned).checkpoint.number).to.equal(tip.toString());

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

  // The hole: blocks without logs carry no hash in an eth_getLogs answer. Were `to` fetched alongside the
  // logs, a reorg landing between the two answers (or a load balancer answering them from two backends)
  // would pair an old branch's empty answer with the new branch's `to` hash: the new branch's events would
  // be skipped for good. The proxy stages exactly that race, deterministically.
  it("discards a range whose logs came from a branch that a reorg replaced while they were fetched", async () => {
    const state = newScenarioState(70_000n);
    await runScenario(emitter, state, 700, 6);
    const fork = await node.client.getBlockNumber({ cacheTime: 0 });
    const EMPTY_BLOCKS = 3;
    const HOLD_MS = 1_000;
    let armed = false;
    let staleAnswers = 0;
    let heldHeaders = 0;
    let reorgDone: () => void = () => undefined;
    const reorged = new Promise<void>((resolve) => (reorgDone = resolve));
    let snapshot = "";
    const aboveFork = (tag: unknown): boolean => typeof tag === "string" && /^0x[0-9a-f]+$/i.test(tag) && BigInt(tag) > fork;
    // Armed: the first eth_getLogs above the fork is answered from branch A (no logs there), and only
    // then does the chain reorg to branch B (the same height, with events in every block). A header
    // request above the fork waits up to HOLD_MS for that to happen: a header fetched together with the
    // logs is therefore answered from B; one fetched on its own before the logs, from A.
    const proxy = await startProxy(
      node.url,
      async (call, upstream) => {
        if (!armed) return undefined;
        if (call.method === "eth_getLogs" && aboveFork((call.params[0] as { fromBlock?: string }).fromBlock)) {
          armed = false;
          const stale = await upstream();
          staleAnswers++;
          expect(await node.client.request({ method: "evm_revert", params: [snapshot] } as never)).to.equal(true);
          await runScenario(emitter, state, 701, EMPTY_BLOCKS);
          reorgDone();
          return stale;
        }
        if (call.method === "eth_getBlockByNumber" && aboveFork(call.params[0])) {
          heldHeaders++;
          await Promise.race([reorged, new Promise((r) => setTimeout(r, HOLD_MS))]);
        }
        return undefined;
      },
      { concurrentBatches: true },
    );
    const tracker = await startTracker(testConfig([proxy.url], emitter, { timeoutMs: 30_000 }), silentLogger);
    try {
      await syncToHead(tracker);
      expect(tracker.follower.status().checkpoint?.number).to.equal(fork.toString());
      snapshot = (await node.client.request({ method: "evm_snapshot" } as never)) as string;
      await node.client.request({ method: "hardhat_mine", params: [`0x${EMPTY_BLOCKS.toString(16)}`] } as never);
      const tipA = await node.client.getBlockNumber({ cacheTime: 0 });
      expect(tipA).to.equal(fork + BigInt(EMPTY_BLOCKS));
      armed = true;
      const outcomes = await syncToHead(tracker);
      expect(staleAnswers).to.equal(1);
      expect(heldHeaders).to.be.at.least(1);
      expect(await node.client.getBlockNumber({ cacheTime: 0 })).to.equal(tipA); // B is as long as A was
      // Branch B's events are in the mirror: its registered nodes are exactly the scenario's.
      const nodes = (await tracker.store.listEntities(ENTITY.node)).map((r) => parseRecord<NodeRecord>(r.value));
      const registered = nodes.filter((n) => (n.status === "active" || n.status === "exit-requested") && BigInt(n.id) >= 70_000n).map((n) => BigInt(n.id));
      expect(registered.sort((a, b) => (a < b ? -1 : 1))).to.deep.equal([...state.live].sort((a, b) => (a < b ? -1 : 1)));
      expect(await canonicalDump(tracker.store)).to.equal(await cleanReplay(node.url, emitter));
      // ...because the range fetched across the reorg was discarded and fetched again.
      expect(outcomes).to.include("retry");
      expect(tracker.metrics.get("tracker_range_moved_total")).to.equal(1);
    } finally {
      await tracker.close();
      await proxy.close();
    }
  });

  // Under load a node answer can take longer than viem's default 10 s timeout; its default transport then
  // re-sends the request. Harmless for reads, wrong for chain control: a re-sent evm_revert answers
  // false (its snapshot is already used up). The harness transport never re-sends and waits instead.
  it("the harness never re-sends a chain-control call whose answer was lost", async () => {
    let reverts = 0;
    const proxy = await startProxy(node.url, async (call, upstream) => {
      if (call.method !== "evm_revert") return undefined;
      reverts++;
      await upstream(); // the node reverts...
      return reverts === 1 ? "503" : undefined; // ...but the first answer is lost on the way back
    });
    try {
      const head = await node.client.getBlockNumber({ cacheTime: 0 });
      const revertThrough = async (client: PublicClient): Promise<unknown> => {
        reverts = 0;
        // A snapshot of the current head: reverting to it leaves the chain as it is.
        const id = (await node.client.request({ method: "evm_snapshot" } as never)) as string;
        return client.request({ method: "evm_revert", params: [id] } as never).then(
          (answer) => answer,
          (error: unknown) => error,
        );
      };
      const naive = await revertThrough(createPublicClient({ transport: http(proxy.url, { retryDelay: 1 }) }) as PublicClient);
      expect({ naive, reverts }).to.deep.equal({ naive: false, reverts: 2 });
      const harness = await revertThrough(createPublicClient({ transport: harnessTransport(proxy.url) }) as PublicClient);
      expect(reverts).to.equal(1);
      expect(String(harness)).to.match(/HTTP request failed[\s\S]*503/);
      expect(await node.client.getBlockNumber({ cacheTime: 0 })).to.equal(head);
    } finally {
      await proxy.close();
    }
  });
});

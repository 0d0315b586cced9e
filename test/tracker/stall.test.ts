/**
 * Issue 17 item 2(a): time travel does not stop the mirror, and a mirror that cannot advance is never
 * shown healthy. Hardhat's `hardhat_mine` reports the blocks it reserves with a zero parent hash: the
 * tracker links them through its checkpoint and keeps advancing. A provider whose chain the tracker cannot
 * follow makes it stall: an alert on the status page, `stalled` in /status, `tracker_stalled 1` in
 * /metrics. The node network refuses to sign from chain state too many blocks behind, saying why (the
 * daemon end to end: test/network/mirrorLag.test.ts).
 */
import { expect } from "chai";
import { publicKeyToHex } from "../../src/bls";
import { movingClock } from "../../src/network/clock";
import { mirrorStaleness } from "../../src/network/daemon";
import { openLedger } from "../../src/network/ledger/ledger";
import { createSimulation } from "../../src/network/simulation";
import { memoryView } from "../../src/network/views/memory";
import { silentLogger } from "../../src/tracker/log";
import { startTracker } from "../../src/tracker/tracker";
import { DAY, domain, OWNER, simNode, snapshotOf } from "../helpers/networkView";
import { deployEmitter, newScenarioState, runScenario, startHardhatNode, startProxy, syncToHead, testConfig, type Emitter, type HardhatNode } from "../helpers/tracker";

describe("tracker stall detection and hardhat_mine blocks", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let emitter: Emitter;

  before(async () => {
    node = await startHardhatNode();
    emitter = await deployEmitter(node);
    await runScenario(emitter, newScenarioState(1n), 7, 10);
  });
  after(async () => node?.stop());

  it("keeps advancing over blocks hardhat_mine reports with a zero parent hash", async () => {
    const tracker = await startTracker(testConfig([node.url], emitter, { safeHead: { mode: "depth", confirmations: 1n } }), silentLogger);
    try {
      await syncToHead(tracker);
      await node.client.request({ method: "hardhat_mine", params: ["0x40", "0x3c"] } as never);
      const head = await node.client.getBlockNumber({ cacheTime: 0 });
      const reserved = await node.client.getBlock({ blockNumber: head - 3n });
      expect(reserved.parentHash).to.equal(`0x${"0".repeat(64)}`); // what Hardhat reports
      await runScenario(emitter, newScenarioState(100n), 8, 3);
      await syncToHead(tracker, 200);
      const latest = await node.client.getBlockNumber({ cacheTime: 0 });
      expect(tracker.follower.status().checkpoint?.number).to.equal((latest - 1n).toString());
      expect(tracker.follower.status().stalled).to.equal(null);
      expect(tracker.metrics.get("tracker_zero_parent_blocks_total")).to.be.greaterThan(0);
    } finally {
      await tracker.close();
    }
  });

  it("a tracker that cannot advance is reported stalled on the page, in /status and in /metrics", async () => {
    let corrupt = false;
    const proxy = await startProxy(node.url, async (call, upstream) => {
      if (!corrupt || call.method !== "eth_getBlockByNumber") return undefined;
      const response = (await upstream()) as { result: { parentHash: string } | null };
      return response.result === null ? response : { ...response, result: { ...response.result, parentHash: `0x${"ab".repeat(32)}` } };
    });
    const tracker = await startTracker(
      testConfig([proxy.url], emitter, { safeHead: { mode: "depth", confirmations: 1n }, api: { host: "127.0.0.1", port: 0 } }),
      silentLogger,
      { stallAfterMs: 500 },
    );
    try {
      await syncToHead(tracker);
      const base = `http://127.0.0.1:${tracker.api!.address().port}`;
      expect(((await (await fetch(`${base}/status`)).json()) as { stalled: unknown }).stalled).to.equal(null);
      corrupt = true;
      await runScenario(emitter, newScenarioState(200n), 9, 3);
      const deadline = Date.now() + 60_000;
      while (tracker.follower.status().stalled === null && Date.now() < deadline) {
        await tracker.follower.step();
        await new Promise((r) => setTimeout(r, 100));
      }
      const status = (await (await fetch(`${base}/status`)).json()) as { stalled: { sinceSeconds: number; reason: string } | null; syncing: boolean };
      expect(status.stalled).to.not.equal(null);
      expect(status.stalled!.reason).to.match(/inconsistent chain|retried/);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).to.match(/^tracker_stalled 1$/m);
      const page = await (await fetch(`${base}/?refresh=0`)).text();
      expect(page).to.include('id="stalled"').and.include("The mirror is stalled");
      expect(page).to.match(/STALLED for \d+ s/);
    } finally {
      await tracker.close();
      await proxy.close();
    }
  });

  it("the network refuses to sign from chain state older than the bound, saying why", async () => {
    const mirrorTime = 1_000n * DAY;
    const chainHead = { number: 5_000n, timestamp: mirrorTime + 3_600n, next: mirrorTime + 3_601n };
    const clock = movingClock(async () => chainHead, { wallMs: () => Number(chainHead.next) * 1000 });
    const nodes = [0, 1, 2].map((i) => simNode(i, i === 0 ? { status: "exit-requested", exitRequestedAt: mirrorTime - 20n * DAY } : {}));
    const view = memoryView(snapshotOf(nodes, mirrorTime));
    const ledger = openLedger({ path: ":memory:" });
    const sim = await createSimulation({ domain, snapshot: () => view.snapshot(), ledger, count: 3, label: "unit", clock, staleness: mirrorStaleness(clock, 600n) }); // 600 blocks
    try {
      const exit = await sim.aggregator.exitLiquidationRequest(nodes[0].pubkey, false).catch((e: Error) => e);
      expect((exit as Error).message)
        .to.match(/did not sign/)
        .and.match(/4923 blocks behind the chain \(state at block 77, chain head at block 5000; .*more than the 600 blocks \(--max-mirror-lag-blocks\).*Is the tracker stalled/);
      const direct = await sim.nodes[0].service.handle("get_rewards", { address: OWNER, height: "1" }).catch((e: Error) => e);
      expect((direct as Error).message).to.match(/4923 blocks behind the chain/);
      // Within 600 blocks of the head again: signs.
      view.set(snapshotOf(nodes, mirrorTime + 3_590n, 4_990n));
      const answer = await sim.aggregator.exitLiquidationRequest(nodes[0].pubkey, false);
      expect(answer.signers).to.equal(3);
      expect(publicKeyToHex(answer.pubkey)).to.equal(publicKeyToHex(nodes[0].pubkey));
    } finally {
      await sim.close();
      ledger.close();
    }
  });
});

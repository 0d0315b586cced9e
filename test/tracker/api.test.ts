import { expect } from "chai";
import { request } from "node:http";
import { numberToHex, pad, toEventSelector, type Hex } from "viem";
import { publicKey } from "../../src/bls";
import { silentLogger } from "../../src/tracker/log";
import type { NodeRecord } from "../../src/tracker/state/model";
import { startTracker, type Tracker } from "../../src/tracker/tracker";
import {
  deployEmitter,
  newScenarioState,
  runScenario,
  startHardhatNode,
  startProxy,
  syncToHead,
  testConfig,
  type Emitter,
  type HardhatNode,
  type RpcProxy,
} from "../helpers/tracker";

async function get(base: string, path: string, method = "GET"): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(base + path, { method });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON (metrics) */
  }
  return { status: res.status, body, text };
}

describe("tracker HTTP API and reconciliation", function () {
  this.timeout(300_000);
  let node: HardhatNode;
  let emitter: Emitter;
  let tracker: Tracker;
  let base: string;

  before(async () => {
    node = await startHardhatNode();
    emitter = await deployEmitter(node);
    await runScenario(emitter, newScenarioState(1n), 21, 60);
    tracker = await startTracker(
      testConfig([node.url], emitter, { safeHead: { mode: "depth", confirmations: 3n }, api: { host: "127.0.0.1", port: 0 } }),
      silentLogger,
    );
    await syncToHead(tracker);
    const { host, port } = tracker.api!.address();
    base = `http://${host}:${port}`;
  });
  after(async () => {
    await tracker?.close();
    await node?.stop();
  });

  it("serves status, nodes with filters, one node, snapshot, reward rate and metrics", async () => {
    const head = await node.client.getBlockNumber({ cacheTime: 0 });
    const status = await get(base, "/status");
    expect(status.status).to.equal(200);
    expect(status.body.checkpoint.number).to.equal((head - 3n).toString());
    expect(status.body).to.include({ safeHead: (head - 3n).toString(), latest: head.toString(), lagBlocks: "3", syncing: false, store: "sqlite", chainId: 31337 });
    expect(status.body.providers[0]).to.include({ url: node.url, state: "healthy" });

    const all = await get(base, "/nodes");
    expect(all.status).to.equal(200);
    const nodes = all.body.nodes as NodeRecord[];
    expect(all.body.count).to.equal(nodes.length).and.to.be.greaterThan(5);
    const exited = await get(base, "/nodes?status=exited");
    expect(exited.body.nodes.map((n: NodeRecord) => n.id)).to.deep.equal(nodes.filter((n) => n.status === "exited").map((n) => n.id));
    const operator = nodes[0].operator;
    const byOperator = await get(base, `/nodes?operator=${operator.toUpperCase().replace("0X", "0x")}`);
    expect(byOperator.body.nodes.map((n: NodeRecord) => n.id)).to.deep.equal(nodes.filter((n) => n.operator === operator).map((n) => n.id));
    const contributor = nodes[0].contributors[1].addr;
    const byContributor = await get(base, `/nodes?contributor=${contributor}&status=active`);
    expect(byContributor.body.nodes.map((n: NodeRecord) => n.id)).to.deep.equal(
      nodes.filter((n) => n.status === "active" && n.contributors.some((c) => c.addr === contributor || c.beneficiary === contributor)).map((n) => n.id),
    );

    const one = await get(base, "/nodes/1");
    expect(one.status).to.equal(200);
    expect(one.body).to.deep.equal(nodes.find((n) => n.id === "1"));

    const snapshot = await get(base, "/snapshot");
    expect(snapshot.body.height).to.equal(status.body.checkpoint.number);
    expect(snapshot.body.blockHash).to.equal(status.body.checkpoint.hash);
    expect(snapshot.body.nodes).to.deep.equal(nodes);
    expect(snapshot.body.stakingRequirement).to.match(/^\d+$/);

    const rate = await get(base, "/reward-rate?from=0");
    expect(rate.body.samples.length).to.be.greaterThan(0);
    for (const s of rate.body.samples) expect(BigInt(s.block) % 5n).to.equal(0n);
    const pools = await get(base, "/pools");
    expect(pools.body.pools).to.have.length(1);

    const metrics = await get(base, "/metrics");
    expect(metrics.text).to.contain(`tracker_checkpoint_block ${head - 3n}`);
    expect(metrics.text).to.match(/tracker_events_applied_total \d+/);
    expect(metrics.text).to.contain("# TYPE tracker_blocks_processed_total counter");
    expect(metrics.text).to.contain(`tracker_provider_quarantined{url="${node.url}"} 0`);
    expect(metrics.text).to.contain("tracker_lag_blocks 3");
  });

  it("answers bad requests with 400 and a reason, unknown ids and paths with 404", async () => {
    const cases: [string, number, string][] = [
      ["/nodes?status=sleeping", 400, "status must be one of active, exit-requested, exited, liquidated"],
      ["/nodes?operator=0x1234", 400, "operator must be a 0x-prefixed 20-byte hex address"],
      ["/nodes?colour=red", 400, 'unknown query parameter "colour"'],
      ["/nodes/abc", 400, "node id must be a decimal uint64"],
      ["/nodes/18446744073709551616", 400, "node id must be a decimal uint64"],
      ["/nodes/424242", 404, "no service node with id 424242"],
      ["/reward-rate?from=10&to=5", 400, "from (10) is above to (5)"],
      ["/nope", 404, "unknown path /nope"],
    ];
    for (const [path, code, reason] of cases) {
      const res = await get(base, path);
      expect(res.status, path).to.equal(code);
      expect(res.body.error, path).to.contain(reason);
    }
    const post = await get(base, "/status", "POST");
    expect(post.status).to.equal(405);
  });

  it("keeps unconfirmed events in /pending and streams confirmed changes on /events", async () => {
    const received: string[] = [];
    const req = request(`${base}/events`);
    const opened = new Promise<void>((resolve) =>
      req.on("response", (res) => {
        res.on("data", (chunk: Buffer) => received.push(chunk.toString()));
        resolve();
      }),
    );
    req.end();
    await opened;

    await emitter.call("emitRewardsClaimed", ["0x00000000000000000000000000000000000c1a1e", 4242n]);
    await syncToHead(tracker);
    const pending = await get(base, "/pending");
    const claim = pending.body.events.find((e: { eventName: string }) => e.eventName === "RewardsClaimed");
    expect(claim).to.not.equal(undefined);
    expect(BigInt(claim.blockNumber) > BigInt(pending.body.safeHead)).to.equal(true);
    expect(claim.confirmsAtBlock).to.equal((BigInt(claim.blockNumber) + 3n).toString());
    expect(claim.args).to.deep.equal({ recipient: "0x00000000000000000000000000000000000c1a1e", amount: "4242" });
    expect((await get(base, "/nodes")).body.nodes.length).to.be.greaterThan(0);
    expect(received.join("")).to.not.contain("4242");

    for (let i = 0; i < 3; i++) await node.client.request({ method: "evm_mine" } as never);
    await syncToHead(tracker);
    await new Promise((r) => setTimeout(r, 100));
    const stream = received.join("");
    expect(stream).to.contain("event: event\n");
    expect(stream).to.contain('"eventName":"RewardsClaimed"');
    expect(stream).to.contain('"amount":"4242"');
    expect(stream).to.contain("event: checkpoint\n");
    expect((await get(base, "/pending")).body.events.some((e: { eventName: string }) => e.eventName === "RewardsClaimed")).to.equal(false);
    req.destroy();
  });

  it("reconciles against allServiceNodeIDs()/aggregatePubkey(): a missed registration is detected, counted and healed", async () => {
    // A provider that swallows one NewServiceNodeV2 log the first time it serves it.
    const lostId = 5000n;
    const newNodeTopic = toEventSelector("NewServiceNodeV2(uint64,address,(uint256,uint256),(uint256,uint256,uint256,uint16),((address,address),uint256)[])");
    let swallowed = 0;
    const lossy: RpcProxy = await startProxy(node.url, async (call, upstream) => {
      if (call.method !== "eth_getLogs" || swallowed > 0) return undefined;
      const answer = (await upstream()) as { result: { topics: Hex[] }[] };
      const kept = answer.result.filter((l) => !(l.topics[0] === newNodeTopic && l.topics[1] === pad(numberToHex(lostId))));
      swallowed += answer.result.length - kept.length;
      return { ...answer, result: kept };
    });
    const fresh = await deployEmitter(node);
    const t = await startTracker(testConfig([lossy.url], fresh), silentLogger);
    try {
      await runScenario(fresh, newScenarioState(1n), 31, 10);
      await syncToHead(t);
      expect(await t.follower.reconcile()).to.include({ ok: true, healed: "none" });
      const pk = publicKey(777n);
      await fresh.call("emitNewServiceNode", [lostId, node.account, { X: pk.X, Y: pk.Y }, { ed25519Pubkey: 1n, ed25519Signature0: 2n, ed25519Signature1: 3n, fee: 0 }, []]);
      await fresh.call("emitExitRequest", [lostId, node.account]);
      await syncToHead(t);
      expect(swallowed).to.equal(1);
      expect(t.metrics.get("tracker_anomalies_total", { event: "ServiceNodeExitRequest" })).to.equal(1);
      const mismatch = await t.follower.reconcile();
      expect(mismatch).to.deep.include({ ok: false, missing: ["5000"], extra: [], keyMismatch: [], aggregateMatches: false, healed: "rollback" });
      expect(t.metrics.get("tracker_reconciliations_total", { result: "mismatch" })).to.equal(1);
      await syncToHead(t);
      expect(await t.follower.reconcile()).to.include({ ok: true, healed: "none" });
      const healed = JSON.parse((await t.store.getEntity("node", "5000".padStart(20, "0")))!) as NodeRecord;
      expect(healed.status).to.equal("exit-requested");

      // A difference a re-sync cannot heal (the contract changed state without an event) is reported, not looped on.
      await fresh.call("recordSilently", [9999n, { X: publicKey(5n).X, Y: publicKey(5n).Y }]);
      await syncToHead(t);
      expect((await t.follower.reconcile())!.healed).to.equal("rollback");
      await syncToHead(t);
      expect(await t.follower.reconcile()).to.include({ ok: false, healed: "skipped-persistent" });
      expect(t.metrics.get("tracker_reconcile_persistent_total")).to.equal(1);
    } finally {
      await t.close();
      await lossy.close();
    }
  });
});
